import { ApiProperty } from '@nestjs/swagger';
import {
  BUDGET_PERIODS,
  type BudgetPeriod,
  type BudgetSource,
} from '../../governance/metering/budgets/budget.types.js';

/** A budget as the admin API shows it, whatever its source. */
export class BudgetView {
  @ApiProperty({ enum: ['budget'] })
  object!: 'budget';

  @ApiProperty({ example: 'acme-monthly' })
  id!: string;

  @ApiProperty({ example: 'acme' })
  tenant!: string;

  @ApiProperty({ type: String, nullable: true, description: 'null: the whole tenant.' })
  key_id!: string | null;

  @ApiProperty({ enum: BUDGET_PERIODS })
  period!: BudgetPeriod;

  @ApiProperty({ example: 500 })
  limit_usd!: number;

  @ApiProperty({ example: 80 })
  soft_limit_pct!: number;

  @ApiProperty()
  enabled!: boolean;

  @ApiProperty({ enum: ['config', 'bootstrap', 'api'] })
  source!: BudgetSource;

  @ApiProperty({ description: 'Configuration and bootstrap-file budgets cannot be changed here.' })
  read_only!: boolean;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}
