import { Logger } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { validateHeaderName, validateHeaderValue } from 'node:http';
import { type Observable, Subscription } from 'rxjs';
import { toErrorEnvelope } from '../errors/error-envelope.js';
import type { GatewayError } from '../errors/gateway-error.js';
import { normalizeError } from '../errors/error-normalizer.js';
import { recordCallError } from '../http/call-outcome.js';
import type { StreamFlow } from './stream-flow.js';
import { asError } from '../errors/as-error.js';

const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
} as const;

/** How one API frames its events, its end and a failure after the first byte. */
export interface SseFraming<T> {
  event(event: T): string;
  /** Written last when the stream completes ('' for none). */
  readonly end: string;
  error(error: GatewayError, traceId: string): string;
}

/** OpenAI's framing (contract 4.3): `data:` frames, `data: [DONE]`, a `data: {"error": ...}` frame. */
export const OPENAI_SSE_FRAMING: SseFraming<unknown> = {
  event: (event) => `data: ${JSON.stringify(event)}\n\n`,
  end: 'data: [DONE]\n\n',
  error: (error, traceId) => `data: ${JSON.stringify(toErrorEnvelope(error, traceId))}\n\n`,
};

const logger = new Logger('SseStream');

/** Response headers, or a function that decides them when the stream starts. */
export type SseHeaders = Record<string, string> | (() => Record<string, string>);

/**
 * Streams an observable of JSON-serialisable events as SSE (contract 4.3), in OpenAI's framing
 * unless `framing` gives another API's (the Messages ingress: `event:` lines, no `[DONE]`), committing
 * late: headers go out with the first event, so anything that fails before it rejects the returned
 * promise and becomes an ordinary HTTP error. After the first byte a failure is one
 * `data: {"error": ...}` frame, then the end. A client disconnect unsubscribes, which aborts the
 * upstream request. Resolves once the stream has started (or ended without events). `headers` may
 * be a function, called at that moment: what answered may be known only then (a fallback).
 *
 * Backpressure: when the caller's socket cannot take a frame right away, `flow` is held until it
 * drained, so the upstream reader behind `events$` stops pulling (see {@link StreamFlow}). Without
 * a flow, frames queue in memory.
 *
 * Nothing thrown while writing escapes: RxJS reports a throw from an observer callback as an
 * uncaught exception, which would end the process. Deciding or writing the headers, or writing a
 * frame, is a failure of this stream like an upstream error, and ends it the same way.
 */
export function streamAsSse<T>(
  reply: FastifyReply,
  events$: Observable<T>,
  headers: SseHeaders = {},
  flow?: StreamFlow,
  framing: SseFraming<T> = OPENAI_SSE_FRAMING,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const res = reply.raw;
    let started = false;
    let finished = false;
    // Closed before the source is subscribed when it fails during a synchronous emission: adding
    // the source's subscription then tears it down at once.
    const subscription = new Subscription();

    /** No more events: the upstream request is aborted. */
    const finish = () => {
      finished = true;
      subscription.unsubscribe();
    };

    const start = () => {
      const decided = typeof headers === 'function' ? headers() : headers;
      const all: Record<string, string> = { ...collectHeaders(reply), ...decided, ...SSE_HEADERS };
      // Checked while the reply is still Fastify's: a header Node refuses fails the call as an
      // ordinary error answer instead of leaving a hijacked reply half written.
      for (const [name, value] of Object.entries(all)) {
        validateHeaderName(name);
        validateHeaderValue(name, value);
      }
      reply.hijack();
      res.writeHead(200, all);
      // Send headers now so the caller sees the stream open before the first token.
      res.flushHeaders();
      started = true;
      resolve();
    };

    const fail = (err: unknown) => {
      finish();
      if (!started) {
        reject(asError(err));
        return;
      }
      try {
        const error = normalizeError(err, { method: 'POST', path: '', allowedMethods: [] });
        recordCallError(reply.request, error);
        logger.warn({
          msg: `stream failed after the first byte: ${error.message}`,
          trace_id: reply.request.id,
          code: error.code,
          provider: error.provider,
        });
        if (!res.writableEnded) {
          res.end(framing.error(error, reply.request.id));
        }
      } catch (frameError) {
        logger.error({
          msg: 'stream failed after the first byte, and its error frame could not be written',
          trace_id: reply.request.id,
          cause: frameError instanceof Error ? frameError.message : String(frameError),
        });
        res.destroy();
      }
    };

    subscription.add(
      events$.subscribe({
        next: (event) => {
          if (finished) return;
          try {
            if (!started) start();
            if (res.writableEnded) return;
            const more = res.write(framing.event(event));
            if (!more && flow !== undefined && !flow.isHeld) {
              flow.hold();
              res.once('drain', () => flow.release());
            }
          } catch (err) {
            fail(err);
          }
        },
        error: (err: unknown) => {
          if (!finished) fail(err);
        },
        complete: () => {
          if (finished) return;
          try {
            if (!started) start();
            finished = true;
            if (!res.writableEnded) res.end(framing.end);
          } catch (err) {
            fail(err);
          }
        },
      }),
    );

    res.once('close', () => {
      subscription.unsubscribe();
      // A reader still waiting for a drain that will never come may go on, to notice the end.
      flow?.release();
    });
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
