import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';
import { MODEL_GLOB } from './pricing-entry.dto.js';

/** GET and DELETE /v1/admin/pricing: both for one model's effective price; neither lists. */
export class PricingQuery {
  @ApiPropertyOptional({ pattern: SLUG_TEXT, example: 'openai' })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `$property must be a provider id (${SLUG_TEXT})` })
  @IsString()
  provider?: string;

  @ApiPropertyOptional({ example: 'gpt-4o-mini' })
  @IsOptional()
  @Matches(MODEL_GLOB, { message: '$property must be a model name of visible ASCII' })
  @IsString()
  model?: string;
}
