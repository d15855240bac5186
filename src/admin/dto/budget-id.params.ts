import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { BUDGET_ID_PATTERN, BUDGET_ID_TEXT } from './create-budget.dto.js';

/** `{id}` of /v1/admin/budgets/{id}. */
export class BudgetIdParams {
  @ApiProperty({ pattern: BUDGET_ID_TEXT, example: 'acme-monthly' })
  @Matches(BUDGET_ID_PATTERN, { message: `$property must be a budget id (${BUDGET_ID_TEXT})` })
  @IsString()
  id!: string;
}
