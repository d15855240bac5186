import { SetMetadata } from '@nestjs/common';
import type { ApiKeyScope } from '../../storage/api-key.types.js';

export const REQUIRED_SCOPE = 'gateway:required-scope';

/** The API key scope a route needs (contract section 7); checked by the API key guard. */
export const RequiredScope = (scope: ApiKeyScope) => SetMetadata(REQUIRED_SCOPE, scope);
