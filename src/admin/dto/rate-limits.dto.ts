import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

/** Far above any real allowance, and far below where counting in doubles would lose units. */
const MAX_PER_MINUTE = 1_000_000_000;

/**
 * `rate_limits` of a tenant's settings or of an API key (contract 11.4): per minute, each
 * overriding the configured default of its scope; an absent field keeps that default.
 */
export class RateLimitsDto {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PER_MINUTE,
    nullable: true,
    example: 600,
  })
  @IsOptional()
  @Max(MAX_PER_MINUTE)
  @Min(1)
  @IsInt()
  requests_per_minute?: number | null;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: MAX_PER_MINUTE,
    nullable: true,
    example: 200_000,
  })
  @IsOptional()
  @Max(MAX_PER_MINUTE)
  @Min(1)
  @IsInt()
  tokens_per_minute?: number | null;
}
