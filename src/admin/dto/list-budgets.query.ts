import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches } from 'class-validator';
import { SLUG_PATTERN, SLUG_TEXT } from './admin-input.validators.js';

/** GET /v1/admin/budgets. */
export class ListBudgetsQuery {
  @ApiPropertyOptional({ pattern: SLUG_TEXT, description: "Only this tenant's budgets." })
  @IsOptional()
  @Matches(SLUG_PATTERN, { message: `$property must be a tenant id (${SLUG_TEXT})` })
  @IsString()
  tenant?: string;
}
