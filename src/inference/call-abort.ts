import type { FastifyReply } from 'fastify';
import { CallCancellation } from '../common/cancellation/call-cancellation.js';

/**
 * A cancellation that fires when the caller goes away before the answer is written, so a
 * non-streaming upstream call stops as soon as nobody waits for it. One per call, shared by its
 * attempts (each upstream attempt listens to it through its own deadline).
 */
export function abortOnDisconnect(reply: FastifyReply): CallCancellation {
  const cancellation = new CallCancellation();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) cancellation.abort();
  });
  return cancellation;
}
