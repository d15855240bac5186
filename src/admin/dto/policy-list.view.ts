import { ApiProperty } from '@nestjs/swagger';
import { PolicyView } from './policy.view.js';

/** Every policy, configuration ones first on an equal id, by id. */
export class PolicyListView {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: () => [PolicyView] })
  data!: PolicyView[];
}
