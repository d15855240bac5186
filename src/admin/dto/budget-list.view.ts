import { ApiProperty } from '@nestjs/swagger';
import { BudgetView } from './budget.view.js';

export class BudgetListView {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: [BudgetView] })
  data!: BudgetView[];
}
