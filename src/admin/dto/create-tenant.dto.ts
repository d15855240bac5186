import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  SLUG_PATTERN,
  SLUG_TEXT,
  TENANT_STATUSES,
} from './admin-input.validators.js';
import { TenantSettingsDto } from './tenant-settings.dto.js';

/** POST /v1/admin/tenants. */
export class CreateTenantDto {
  @ApiPropertyOptional({
    pattern: SLUG_TEXT,
    example: 'acme',
    description: 'Generated when absent.',
  })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `$property must match ${SLUG_TEXT}` })
  @IsString()
  id?: string;

  @ApiProperty({ maxLength: 200, example: 'Acme Corp' })
  @MaxLength(200)
  @IsNotEmpty()
  @IsString()
  name!: string;

  @ApiPropertyOptional({ enum: TENANT_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(TENANT_STATUSES, { message: '$property must be active or suspended' })
  status?: TenantStatus;

  @ApiPropertyOptional({ pattern: REGION_TEXT, example: 'eu', nullable: true })
  @IsOptional()
  @Matches(REGION_PATTERN, { message: `$property must match ${REGION_TEXT}` })
  @IsString()
  region?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { team: 'payments' },
  })
  @IsOptional()
  @IsTagMap()
  tags?: Record<string, string>;

  @ApiPropertyOptional({ type: () => TenantSettingsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => TenantSettingsDto)
  @IsObject()
  settings?: TenantSettingsDto;

  @ApiPropertyOptional(CREDENTIALS_DOC)
  @IsOptional()
  @IsCredentialMap(false)
  credentials?: Record<string, Record<string, string>>;
}
