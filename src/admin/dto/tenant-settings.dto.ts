import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  Matches,
  ValidateNested,
} from 'class-validator';
import { PII_TYPES } from '../../governance/pii/pii.types.js';
import { PII_ACTIONS, type PiiAction } from '../../storage/tenant.types.js';
import { IsPiiPatternMap, SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';
import { RateLimitsDto } from './rate-limits.dto.js';

/**
 * Tenant settings as the admin API and the bootstrap file write them (snake_case). Every field is
 * optional: absent means the installation's default; on PATCH, null clears a field.
 */
export class TenantSettingsDto {
  @ApiPropertyOptional({
    enum: PII_ACTIONS,
    nullable: true,
    description: 'What PII detection does for this tenant (case-insensitive on input).',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toUpperCase() : value,
  )
  @IsIn(PII_ACTIONS, { message: `$property must be one of ${PII_ACTIONS.join(', ')}` })
  pii_action?: PiiAction | null;

  @ApiPropertyOptional({
    type: [String],
    enum: PII_TYPES,
    nullable: true,
    example: ['EMAIL', 'CREDIT_CARD'],
    description: 'PII types detected for this tenant (case-insensitive on input); absent: all.',
  })
  @IsOptional()
  @Transform(({ value }: { value: unknown }) =>
    Array.isArray(value)
      ? (value as unknown[]).map((type) => (typeof type === 'string' ? type.toUpperCase() : type))
      : value,
  )
  @IsIn(PII_TYPES, { each: true, message: `$property must hold types of ${PII_TYPES.join(', ')}` })
  @ArrayMaxSize(PII_TYPES.length)
  @IsArray()
  pii_types?: string[] | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    nullable: true,
    example: { employee_id: 'EMP-\\d{6}' },
    description:
      'label -> regular expression, reported as CUSTOM. A pattern that does not compile, matches ' +
      'the empty string, or can backtrack catastrophically (nested quantifiers) is refused.',
  })
  @IsOptional()
  @IsPiiPatternMap()
  pii_custom_patterns?: Record<string, string> | null;

  @ApiPropertyOptional({ type: () => RateLimitsDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  @IsObject()
  rate_limits?: RateLimitsDto | null;

  @ApiPropertyOptional({
    type: [String],
    nullable: true,
    example: ['openai', 'mock'],
    description: 'Provider ids this tenant may use; absent means all.',
  })
  @IsOptional()
  @Matches(SLUG_PATTERN, { each: true, message: `$property must hold provider ids (${SLUG_TEXT})` })
  @ArrayMaxSize(64)
  @IsArray()
  allowed_providers?: string[] | null;
}
