import type { Type } from '@nestjs/common';
import type { ApiKeyScope } from '../../storage/api-key.types.js';
import type { CallKind, RequestFacts } from './governance-context.js';

/** What an ingress declares about one of its routes. */
export interface GovernedRoute<B extends object = object> {
  readonly kind: CallKind;
  /** The API key scope the route needs. */
  readonly scope: ApiKeyScope;
  /** The body's DTO; absent for routes without a body. */
  readonly body?: Type<B>;
  /** What the stages read of the validated body (model, output cap, tools). */
  readonly facts?: (body: B) => RequestFacts;
}

export const GOVERNED_ROUTE = 'gateway:governed-route';
