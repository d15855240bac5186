import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallSettlement } from './call-settlement.service.js';
import { GovernanceContext, type CallOutcome } from './governance-context.js';
import './governance-request.js';

/**
 * Opens a governance context for every /v1 data-plane call as it arrives (before path hygiene,
 * so even an `invalid_path` refusal is settled) and settles it when the response closes: after
 * its last byte, or when the client went away. `/v1/admin` calls are not data-plane calls.
 */
export function installGovernanceHooks(fastify: FastifyInstance, settlement: CallSettlement): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = pathOf(request.url);
    if (isDataPlane(path)) {
      const context = new GovernanceContext(request.id, request.method, path, performance.now());
      request.governance = context;
      reply.raw.once('close', () => settlement.settle(context, outcomeOf(request, reply, context)));
    }
    done();
  });
}

function outcomeOf(
  request: FastifyRequest,
  reply: FastifyReply,
  context: GovernanceContext,
): CallOutcome {
  return {
    status: reply.raw.statusCode,
    error: request.callError,
    clientGone: !reply.raw.writableFinished,
    latencyMs: performance.now() - context.startedAt,
  };
}

function isDataPlane(path: string): boolean {
  if (path !== '/v1' && !path.startsWith('/v1/')) return false;
  return path !== '/v1/admin' && !path.startsWith('/v1/admin/');
}

function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
