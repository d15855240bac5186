import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyView } from './api-key.view.js';
import { IssuedApiKeyView } from './issued-api-key.view.js';

/** A rotation: the new key (plaintext once) and the old one with its new expiry. */
export class RotatedApiKeyView extends IssuedApiKeyView {
  @ApiProperty({
    type: () => ApiKeyView,
    description: 'The rotated key: it keeps working until its `expires_at` (the grace period).',
  })
  previous!: ApiKeyView;
}
