import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';

/** `{id}` of /v1/admin/tenants/{id}... */
export class TenantIdParams {
  @ApiProperty({ pattern: SLUG_TEXT, example: 'acme' })
  @Matches(SLUG_PATTERN, { message: `$property must be a tenant id (${SLUG_TEXT})` })
  @IsString()
  id!: string;
}
