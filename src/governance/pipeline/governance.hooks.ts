import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallSettlement } from './call-settlement.service.js';
import { GovernanceContext, type CallOutcome } from './governance-context.js';
import './governance-request.js';
import { rateLimitHeaders } from '../rate-limits/rate-limit.headers.js';

/**
 * Opens a governance context for every /v1 data-plane call as it arrives (before path hygiene,
 * so even an `invalid_path` refusal is settled) and settles it when the response closes: after
 * its last byte, or when the client went away. `/v1/admin` calls are not data-plane calls.
 *
 * An error answer of a call under a rate limit (the 429 itself, or any later refusal or failure)
 * carries the `x-ratelimit-*` headers too, as answers do (contract 11.4); answers add them where
 * they add the other governance headers (GovernancePipeline.headers).
 */
export function installGovernanceHooks(fastify: FastifyInstance, settlement: CallSettlement): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = pathOf(request.url);
    if (isDataPlane(path)) {
      const context = new GovernanceContext(request.id, request.method, path, performance.now());
      request.governance = context;
      settlement.settleWhen(
        context,
        (settle) => reply.raw.once('close', settle),
        () => outcomeOf(request, reply, context),
      );
    }
    done();
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const standing = request.governance?.rateLimit;
    if (standing !== undefined && reply.statusCode >= 400)
      void reply.headers(rateLimitHeaders(standing));
    done(null, payload);
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
