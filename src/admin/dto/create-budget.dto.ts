import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { MAX_BUDGET_USD } from '../../config/metering.schema.js';
import {
  BUDGET_PERIODS,
  type BudgetPeriod,
} from '../../governance/metering/budgets/budget.types.js';
import { SLUG_PATTERN, SLUG_TEXT, IsUsdAmount } from './admin-input.validators.js';

export const BUDGET_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
export const BUDGET_ID_TEXT = '[A-Za-z0-9][A-Za-z0-9._:-]{0,127}';
const KEY_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

/** POST /v1/admin/budgets (contract 11.3). */
export class CreateBudgetDto {
  @ApiPropertyOptional({
    pattern: BUDGET_ID_TEXT,
    example: 'acme-monthly',
    description: 'Generated when absent (`bud_` + 12 hex).',
  })
  @IsOptional()
  @Matches(BUDGET_ID_PATTERN, { message: `$property must match ${BUDGET_ID_TEXT}` })
  @IsString()
  id?: string;

  @ApiProperty({ pattern: SLUG_TEXT, example: 'acme', description: 'It must exist.' })
  @Matches(SLUG_PATTERN, { message: `$property must be a tenant id (${SLUG_TEXT})` })
  @IsString()
  tenant!: string;

  @ApiPropertyOptional({
    example: 'key_3f2a9c1b7d4e',
    description: "One of the tenant's keys; absent: the whole tenant.",
  })
  @IsOptional()
  @Matches(KEY_ID_PATTERN, { message: '$property must be an API key id' })
  @IsString()
  key_id?: string;

  @ApiProperty({
    enum: BUDGET_PERIODS,
    description: 'Calendar periods in UTC; weeks start on Monday.',
  })
  @IsIn(BUDGET_PERIODS, { message: '$property must be day, week or month' })
  period!: BudgetPeriod;

  @ApiProperty({ minimum: 0, maximum: MAX_BUDGET_USD, example: 500 })
  @Max(MAX_BUDGET_USD)
  @Min(0)
  @IsUsdAmount()
  limit_usd!: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100, default: 80 })
  @IsOptional()
  @Max(100)
  @Min(0)
  @IsUsdAmount()
  soft_limit_pct?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
