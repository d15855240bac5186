import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsNumber, IsOptional, Max, Min } from 'class-validator';
import { MAX_BUDGET_USD } from '../../config/metering.schema.js';
import {
  BUDGET_PERIODS,
  type BudgetPeriod,
} from '../../governance/metering/budgets/budget.types.js';

const FINITE = { allowNaN: false, allowInfinity: false, maxDecimalPlaces: 9 };

/** PATCH /v1/admin/budgets/{id}: the fields to change. */
export class UpdateBudgetDto {
  @ApiPropertyOptional({ enum: BUDGET_PERIODS })
  @IsOptional()
  @IsIn(BUDGET_PERIODS, { message: '$property must be day, week or month' })
  period?: BudgetPeriod;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_BUDGET_USD })
  @IsOptional()
  @Max(MAX_BUDGET_USD)
  @Min(0)
  @IsNumber(FINITE)
  limit_usd?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptional()
  @Max(100)
  @Min(0)
  @IsNumber(FINITE)
  soft_limit_pct?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}
