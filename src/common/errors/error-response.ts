import type { FastifyReply } from 'fastify';
import { recordCallError } from '../http/call-outcome.js';
import { toErrorEnvelope } from './error-envelope.js';
import type { EnvelopeRenderer } from './error-envelopes.js';
import type { GatewayError } from './gateway-error.js';

/**
 * Writes a {@link GatewayError} with its status and headers, in the OpenAI error envelope unless
 * `render` gives the envelope of the API the request spoke.
 */
export function sendError(
  reply: FastifyReply,
  error: GatewayError,
  traceId: string,
  render: EnvelopeRenderer = toErrorEnvelope,
): void {
  recordCallError(reply.request, error);
  const headers: Record<string, string> = { ...error.headers };
  if (error.retryAfterSeconds !== undefined) {
    headers['retry-after'] = String(Math.max(0, Math.ceil(error.retryAfterSeconds)));
  }
  void reply
    .status(error.status)
    .headers(headers)
    .type('application/json; charset=utf-8')
    .send(render(error, traceId));
}
