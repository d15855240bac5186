import type { FastifyReply } from 'fastify';

/**
 * An AbortSignal that fires when the caller goes away before the answer is written, so a
 * non-streaming upstream call stops as soon as nobody waits for it.
 */
export function abortOnDisconnect(reply: FastifyReply): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort();
  });
  return controller.signal;
}
