import { ApiProperty } from '@nestjs/swagger';

/** GET /v1/admin/budgets/{id}/usage: the current period (contract 11.3). */
export class BudgetUsageView {
  @ApiProperty()
  budget_id!: string;

  @ApiProperty({ format: 'date-time' })
  period_start!: string;

  @ApiProperty({ format: 'date-time', description: 'Exclusive.' })
  period_end!: string;

  @ApiProperty()
  spent_usd!: number;

  @ApiProperty({ description: 'Held by calls in flight.' })
  reserved_usd!: number;

  @ApiProperty()
  limit_usd!: number;

  @ApiProperty({ description: 'limit - spent - reserved, at least 0.' })
  remaining_usd!: number;

  @ApiProperty({ description: '(spent + reserved) / limit, in percent.' })
  utilization_pct!: number;
}
