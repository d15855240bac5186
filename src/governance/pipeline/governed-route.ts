import type { Type } from '@nestjs/common';
import type { ApiKeyScope } from '../../storage/api-key.types.js';
import type { CallKind, RequestFacts } from './governance-context.js';

/**
 * What an ingress declares about one of its routes. `B` is the body as the caller sends it; `G`
 * the body as the governance stages read it (the same, unless the route `normalize`s it).
 */
export interface GovernedRoute<B extends object = object, G extends object = B> {
  readonly kind: CallKind;
  /** The API key scope the route needs. */
  readonly scope: ApiKeyScope;
  /** The body's DTO; absent for routes without a body. */
  readonly body?: Type<B>;
  /**
   * The validated body in the form the stages read and rewrite (PII redaction included): an
   * ingress speaking another API's wire format (the Messages ingress) gives the internal chat
   * form of its `kind` here, so every stage governs it as it governs chat. Refusals are thrown as
   * `GatewayError`s, as validation's are.
   */
  readonly normalize?: (body: B) => G;
  /** What the stages read of the (normalized) body (model, output cap, tools). */
  readonly facts?: (body: G) => RequestFacts;
}

export const GOVERNED_ROUTE = 'gateway:governed-route';
