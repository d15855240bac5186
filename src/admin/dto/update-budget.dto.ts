import { IsUsdAmount, IsOptionalNotNull } from './admin-input.validators.js';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, Max, Min } from 'class-validator';
import { MAX_BUDGET_USD } from '../../config/metering.schema.js';
import {
  BUDGET_PERIODS,
  type BudgetPeriod,
} from '../../governance/metering/budgets/budget.types.js';

/** PATCH /v1/admin/budgets/{id}: the fields to change. */
export class UpdateBudgetDto {
  @ApiPropertyOptional({ enum: BUDGET_PERIODS })
  @IsOptionalNotNull()
  @IsIn(BUDGET_PERIODS, { message: '$property must be day, week or month' })
  period?: BudgetPeriod;

  @ApiPropertyOptional({ minimum: 0, maximum: MAX_BUDGET_USD })
  @IsOptionalNotNull()
  @Max(MAX_BUDGET_USD)
  @Min(0)
  @IsUsdAmount()
  limit_usd?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 100 })
  @IsOptionalNotNull()
  @Max(100)
  @Min(0)
  @IsUsdAmount()
  soft_limit_pct?: number;

  @ApiPropertyOptional()
  @IsOptionalNotNull()
  @IsBoolean()
  enabled?: boolean;
}
