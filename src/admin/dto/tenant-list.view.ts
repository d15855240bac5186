import { ApiProperty } from '@nestjs/swagger';
import { TenantView } from './tenant.view.js';

/** One page of tenants, by id. */
export class TenantListView {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: () => [TenantView] })
  data!: TenantView[];

  @ApiProperty({ description: 'Whether a next page exists: ask again with `after=<last_id>`.' })
  has_more!: boolean;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The id of the first tenant of the page.',
  })
  first_id!: string | null;

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The id of the last tenant of the page.',
  })
  last_id!: string | null;
}
