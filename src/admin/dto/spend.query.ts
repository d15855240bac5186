import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Matches } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';

/** `2026-12-01` or an ISO date-time with its zone (`2026-12-01T08:00:00Z`). */
export const SPEND_TIME =
  /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2}))?$/;
const GROUPS = /^(tenant|key|model|provider|tag|day)(,(tenant|key|model|provider|tag|day))*$/;

/** GET /v1/admin/spend (contract 11.2). */
export class SpendQueryDto {
  @ApiPropertyOptional({
    example: '2026-12-01',
    description: 'Inclusive; a date is its 00:00 UTC. Default: the start of the current UTC month.',
  })
  @IsOptional()
  @Matches(SPEND_TIME, {
    message: '$property must be a date (YYYY-MM-DD) or an ISO date-time with a zone',
  })
  @IsString()
  from?: string;

  @ApiPropertyOptional({
    example: '2026-12-08',
    description: 'Exclusive; a date is its 00:00 UTC. Default: now.',
  })
  @IsOptional()
  @Matches(SPEND_TIME, {
    message: '$property must be a date (YYYY-MM-DD) or an ISO date-time with a zone',
  })
  @IsString()
  to?: string;

  @ApiPropertyOptional({ pattern: SLUG_TEXT })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `$property must be a tenant id (${SLUG_TEXT})` })
  @IsString()
  tenant?: string;

  @ApiPropertyOptional({ example: 'key_3f9a0c1d2e3b4a5f' })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, { message: '$property must be an API key id' })
  @IsString()
  key_id?: string;

  @ApiPropertyOptional({
    example: 'tenant,model',
    description:
      'Comma-separated: tenant, key, model, provider, tag, day. A call with several tags counts in each of its tag rows.',
  })
  @IsOptional()
  @Matches(GROUPS, {
    message: '$property must list tenant, key, model, provider, tag or day, comma-separated',
  })
  @IsString()
  group_by?: string;

  @ApiPropertyOptional({ enum: ['json', 'csv'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'csv'], { message: '$property must be json or csv' })
  format?: 'json' | 'csv';
}
