import type { FastifyRequest } from 'fastify';
import { GovernanceContext } from './governance-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The call's governance context, created when a /v1 data-plane call arrives. */
    governance?: GovernanceContext;
  }
}

/**
 * The governance context of a request: the one created at arrival, or (for a governed route
 * reached some other way) a fresh one, so no stage ever meets a call without a context.
 */
export function contextOf(request: FastifyRequest): GovernanceContext {
  let context = request.governance;
  if (context === undefined) {
    context = new GovernanceContext(request.id, request.method, request.url, performance.now());
    request.governance = context;
  }
  return context;
}
