import { ApiProperty } from '@nestjs/swagger';
import { TENANT_STATUSES } from './admin-input.validators.js';
import { TenantSettingsDto } from './tenant-settings.dto.js';

/** A tenant as the admin API shows it: never its credentials, only which providers have some. */
export class TenantView {
  @ApiProperty({ enum: ['tenant'] })
  object!: 'tenant';

  @ApiProperty({ example: 'acme' })
  id!: string;

  @ApiProperty({ example: 'Acme Corp' })
  name!: string;

  @ApiProperty({ enum: TENANT_STATUSES })
  status!: 'active' | 'suspended';

  @ApiProperty({ type: String, nullable: true, example: 'eu' })
  region!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } })
  tags!: Record<string, string>;

  @ApiProperty({ type: () => TenantSettingsDto })
  settings!: TenantSettingsDto;

  @ApiProperty({
    type: [String],
    example: ['openai'],
    description:
      'Providers this tenant holds its own credentials for (the values are never shown).',
  })
  credential_providers!: string[];

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}
