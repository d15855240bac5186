import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';

export const ACTIVITY_BUCKETS = ['minute', 'hour', 'day'] as const;
export type ActivityBucket = (typeof ACTIVITY_BUCKETS)[number];
export const DEFAULT_TOP = 10;
const MAX_TOP = 1_000;

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

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_TOP,
    default: DEFAULT_TOP,
    description: 'How many tenants, models and keys each ranking lists.',
  })
  @IsOptional()
  @Type(() => Number)
  @Max(MAX_TOP)
  @Min(1)
  @IsInt()
  top?: number;
}
