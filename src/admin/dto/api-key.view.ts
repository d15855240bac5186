import { ApiProperty } from '@nestjs/swagger';
import { API_KEY_SCOPES, type ApiKeyScope } from '../../storage/api-key.types.js';
import { RateLimitsDto } from './rate-limits.dto.js';

export const API_KEY_STATES = ['active', 'revoked', 'expired'] as const;
export type ApiKeyState = (typeof API_KEY_STATES)[number];

/** An API key as listed: masked, never its hash nor its plaintext. */
export class ApiKeyView {
  @ApiProperty({ enum: ['api_key'] })
  object!: 'api_key';

  @ApiProperty({ example: 'key_3f9a0c1d2e3b4a5f' })
  id!: string;

  @ApiProperty({ example: 'acme' })
  tenant_id!: string;

  @ApiProperty({ example: 'ci' })
  name!: string;

  @ApiProperty({ example: 'gw_3f9a', description: 'The first characters of the key.' })
  display_prefix!: string;

  @ApiProperty({ example: 'gw_3f9a…', description: 'The key as shown after creation.' })
  masked_key!: string;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true })
  scopes!: ApiKeyScope[];

  @ApiProperty({ enum: API_KEY_STATES, description: 'Derived from revoked_at and expires_at.' })
  status!: ApiKeyState;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  expires_at!: string | null;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  revoked_at!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'Recorded in batches, so it may lag by a few seconds.',
  })
  last_used_at!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Set on a rotated key: the id of the key that replaced it.',
  })
  replaced_by!: string | null;

  @ApiProperty({
    type: () => RateLimitsDto,
    nullable: true,
    description: "The key's own limits per minute; null: the configured per-key defaults.",
  })
  rate_limits!: RateLimitsDto | null;
}
