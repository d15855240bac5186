import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Observable } from 'rxjs';
import { toErrorEnvelope } from '../errors/error-envelope.js';
import { normalizeError } from '../errors/error-normalizer.js';
import { recordCallError } from '../http/call-outcome.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

const DONE = 'data: [DONE]\n\n';

const logger = new Logger('SseStream');

/** Response headers, or a function that decides them when the stream starts. */
export type SseHeaders = Record<string, string> | (() => Record<string, string>);

/**
 * Streams an observable of JSON-serialisable events as OpenAI-style SSE (contract 4.3), committing
 * late: headers go out with the first event, so anything that fails before it rejects the returned
 * promise and becomes an ordinary HTTP error. After the first byte a failure is one
 * `data: {"error": ...}` frame, then the end. A client disconnect unsubscribes, which aborts the
 * upstream request. Resolves once the stream has started (or ended without events). `headers` may
 * be a function, called at that moment: what answered may be known only then (a fallback).
 */
export function streamAsSse<T>(
  reply: FastifyReply,
  events$: Observable<T>,
  headers: SseHeaders = {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const res = reply.raw;
    let started = false;

    const start = () => {
      started = true;
      reply.hijack();
      const decided = typeof headers === 'function' ? headers() : headers;
      res.writeHead(200, { ...collectHeaders(reply), ...decided, ...SSE_HEADERS });
      // Send headers now so the caller sees the stream open before the first token.
      res.flushHeaders();
      resolve();
    };

    const subscription = events$.subscribe({
      next: (event) => {
        if (!started) start();
        if (!res.writableEnded) res.write(`data: ${JSON.stringify(event)}\n\n`);
      },
      error: (err: unknown) => {
        if (!started) {
          reject(err instanceof Error ? err : new Error(String(err)));
          return;
        }
        const error = normalizeError(err, { method: 'POST', path: '', allowedMethods: [] });
        recordCallError(reply.request, error);
        logger.warn({
          msg: `stream failed after the first byte: ${error.message}`,
          trace_id: reply.request.id,
          code: error.code,
          provider: error.provider,
        });
        if (!res.writableEnded) {
          res.end(`data: ${JSON.stringify(toErrorEnvelope(error, reply.request.id))}\n\n`);
        }
      },
      complete: () => {
        if (!started) start();
        if (!res.writableEnded) res.end(DONE);
      },
    });

    res.once('close', () => subscription.unsubscribe());
  });
}

/** Headers set on the reply before hijacking (e.g. `x-trace-id`), which `writeHead` would drop. */
function collectHeaders(reply: FastifyReply): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : String(value);
  }
  return out;
}
