import { ApiProperty } from '@nestjs/swagger';
import { ApiKeyView } from './api-key.view.js';

export const SHOWN_ONCE_WARNING =
  'Store this key now: it is shown only this once and cannot be retrieved again.';

/** A key at creation: the only response that carries its plaintext. */
export class IssuedApiKeyView extends ApiKeyView {
  @ApiProperty({
    example: 'gw_3f9a0c1d2e3b4a5f60718293a4b5c6d7e8f90a1b',
    description: 'The key itself (`gw_` + 40 hex). Shown once; only its SHA-256 is stored.',
  })
  key!: string;

  @ApiProperty({ example: SHOWN_ONCE_WARNING })
  warning!: string;
}
