import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import type { TenantStatus } from '../../storage/tenant.types.js';
import {
  CREDENTIALS_DOC,
  IsCredentialMap,
  IsTagMap,
  REGION_PATTERN,
  REGION_TEXT,
  TENANT_STATUSES,
  IsOptionalNotNull,
} from './admin-input.validators.js';
import { TenantSettingsDto } from './tenant-settings.dto.js';

/**
 * PATCH /v1/admin/tenants/{id}: every field optional. `settings` merges field by field (null
 * clears one; `settings: null` clears all); `tags` replaces the whole map; `credentials`
 * replaces the providers it names (null removes one).
 */
export class UpdateTenantDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptionalNotNull()
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  name?: string;

  @ApiPropertyOptional({ enum: TENANT_STATUSES })
  @IsOptionalNotNull()
  @IsIn(TENANT_STATUSES, { message: '$property must be active or suspended' })
  status?: TenantStatus;

  @ApiPropertyOptional({ pattern: REGION_TEXT, nullable: true })
  @IsOptional()
  @Matches(REGION_PATTERN, { message: `$property must match ${REGION_TEXT}` })
  @IsString()
  region?: string | null;

  @ApiPropertyOptional({ type: 'object', additionalProperties: { type: 'string' } })
  @IsOptionalNotNull()
  @IsTagMap()
  tags?: Record<string, string>;

  @ApiPropertyOptional({ type: () => TenantSettingsDto, nullable: true })
  @IsOptional()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  @IsObject()
  settings?: TenantSettingsDto | null;

  @ApiPropertyOptional({
    ...CREDENTIALS_DOC,
    additionalProperties: {
      type: 'object',
      nullable: true,
      additionalProperties: { type: 'string' },
    },
    example: { openai: { api_key: 'sk-...' } },
  })
  @IsOptional()
  @IsCredentialMap(true)
  credentials?: Record<string, Record<string, string> | null>;
}
