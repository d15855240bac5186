import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../storage/api-key.types.js';
import { IsFutureInstant } from './admin-input.validators.js';
import { RateLimitsDto } from './rate-limits.dto.js';

/** POST /v1/admin/tenants/{id}/keys. */
export class CreateApiKeyDto {
  @ApiPropertyOptional({ maxLength: 100, default: 'default', example: 'ci' })
  @IsOptional()
  @MaxLength(100)
  @IsNotEmpty()
  @IsString()
  name?: string;

  @ApiPropertyOptional({
    enum: API_KEY_SCOPES,
    isArray: true,
    description: 'What the key may call; every scope when absent.',
  })
  @IsOptional()
  @IsIn(API_KEY_SCOPES, {
    each: true,
    message: `$property must hold only ${API_KEY_SCOPES.join(', ')}`,
  })
  @ArrayUnique()
  @ArrayMaxSize(API_KEY_SCOPES.length)
  @ArrayNotEmpty()
  @IsArray()
  scopes?: ApiKeyScope[];

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    example: '2030-01-31T00:00:00Z',
    description: 'When the key stops working; it never expires when absent. Must be in the future.',
  })
  @IsOptional()
  @IsFutureInstant()
  expires_at?: string;

  @ApiPropertyOptional({
    type: () => RateLimitsDto,
    nullable: true,
    description:
      "This key's own limits per minute; absent fields keep the configured per-key defaults.",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitsDto)
  @IsObject()
  rate_limits?: RateLimitsDto | null;
}
