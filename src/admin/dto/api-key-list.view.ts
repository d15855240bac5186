import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyView } from './api-key.view.js';

/** A tenant's keys, newest first. */
export class ApiKeyListView {
  @ApiProperty({ enum: ['list'] })
  object!: 'list';

  @ApiProperty({ type: () => [ApiKeyView] })
  data!: ApiKeyView[];
}
