import type { FastifyInstance } from 'fastify';
import '../../governance/pipeline/governance-request.js';
import type { CallTracer } from './call-tracer.js';

/**
 * Opens the server span of every /v1 data-plane call as it arrives, on the governance context
 * the governance hooks just opened (install after them). Nothing is installed when tracing is off.
 */
export function installTracingHooks(fastify: FastifyInstance, tracer: CallTracer): void {
  if (!tracer.enabled) return;
  fastify.addHook('onRequest', (request, _reply, done) => {
    const context = request.governance;
    if (context !== undefined) tracer.open(context, request.headers, request.routeOptions.url);
    done();
  });
}
