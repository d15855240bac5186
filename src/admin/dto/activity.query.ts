import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';

export const ACTIVITY_BUCKETS = ['minute', 'hour', 'day'] as const;
export type ActivityBucket = (typeof ACTIVITY_BUCKETS)[number];

/** GET /v1/admin/activity: calls over time, for the console's overview (contract 17). */
export class ActivityQuery {
  @ApiPropertyOptional({
    example: '2026-12-07T00:00:00Z',
    description: 'ISO-8601, inclusive. Default: 24 hours before `to`.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsString()
  from?: string;

  @ApiPropertyOptional({ description: 'ISO-8601, exclusive. Default: now.' })
  @IsOptional()
  @IsISO8601({ strict: true })
  @IsString()
  to?: string;

  @ApiPropertyOptional({ enum: ACTIVITY_BUCKETS, default: 'hour' })
  @IsOptional()
  @IsIn(ACTIVITY_BUCKETS, { message: '$property must be minute, hour or day' })
  @IsString()
  bucket?: ActivityBucket;

  @ApiPropertyOptional({ pattern: SLUG_TEXT, description: 'Only this tenant’s calls.' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `$property must be a tenant id (${SLUG_TEXT})` })
  @IsString()
  tenant?: string;
}
