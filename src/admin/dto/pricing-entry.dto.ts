import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { MAX_PRICE_PER_MTOK } from '../../config/metering.schema.js';
import { SLUG_PATTERN, SLUG_TEXT, IsUsdAmount } from './admin-input.validators.js';

/** A model glob: visible ASCII, no spaces. */
export const MODEL_GLOB = /^[\x21-\x7e]{1,256}$/;

/** POST /v1/admin/pricing: one entry, USD per million tokens (contract 11.1). */
export class PricingEntryDto {
  @ApiProperty({ pattern: SLUG_TEXT, example: 'openai' })
  @Matches(SLUG_PATTERN, { message: `$property must be a provider id (${SLUG_TEXT})` })
  @IsString()
  provider!: string;

  @ApiProperty({
    example: 'gpt-4o-mini*',
    description: 'A glob (`*`, `?`) over the model as the provider receives it.',
  })
  @Matches(MODEL_GLOB, { message: '$property must be a model name or glob of visible ASCII' })
  @MaxLength(256)
  @MinLength(1)
  @IsString()
  model!: string;

  @ApiProperty({ minimum: 0, maximum: MAX_PRICE_PER_MTOK, example: 0.15 })
  @Max(MAX_PRICE_PER_MTOK)
  @Min(0)
  @IsUsdAmount()
  input!: number;

  @ApiProperty({ minimum: 0, maximum: MAX_PRICE_PER_MTOK, example: 0.6 })
  @Max(MAX_PRICE_PER_MTOK)
  @Min(0)
  @IsUsdAmount()
  output!: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_PRICE_PER_MTOK,
    description: 'Absent: the input price.',
  })
  @IsOptional()
  @Max(MAX_PRICE_PER_MTOK)
  @Min(0)
  @IsUsdAmount()
  cached_input?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_PRICE_PER_MTOK,
    description: 'Absent: the input price.',
  })
  @IsOptional()
  @Max(MAX_PRICE_PER_MTOK)
  @Min(0)
  @IsUsdAmount()
  cache_write?: number;
}
