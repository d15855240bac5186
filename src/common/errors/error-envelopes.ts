import { toErrorEnvelope } from './error-envelope.js';
import type { GatewayError } from './gateway-error.js';

/** Renders a gateway error as one API's error body. */
export type EnvelopeRenderer = (error: GatewayError, traceId: string) => unknown;

/** One API surface whose errors are not in the OpenAI envelope: the paths at and under `path`. */
export interface EnvelopeRoute {
  readonly path: string;
  readonly render: EnvelopeRenderer;
}

/**
 * Which error envelope a request's errors are rendered in, by its path: the OpenAI envelope of
 * contract 4.4 everywhere, but on the surfaces that speak another API's wire format (the Messages
 * ingress, contract 15), whose clients read only their own. The one exception filter and the
 * path-hygiene hook both ask this, so a path has one envelope whatever layer refuses it.
 */
export class ErrorEnvelopes {
  constructor(private readonly routes: readonly EnvelopeRoute[] = []) {}

  rendererFor(path: string): EnvelopeRenderer {
    for (const route of this.routes) {
      if (path === route.path || path.startsWith(`${route.path}/`)) return route.render;
    }
    return toErrorEnvelope;
  }
}
