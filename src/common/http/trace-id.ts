import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The header callers may send and the gateway always answers with (contract 4.5). */
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * Fastify's `genReqId`: the caller's `X-Trace-ID` when it is well-formed, else a fresh
 * {@link timeOrderedUuid}, so `request.id` is the trace id everywhere (logs, errors, audit).
 */
export function traceIdFor(raw: IncomingMessage): string {
  const header = raw.headers[TRACE_ID_HEADER];
  return typeof header === 'string' && TRACE_ID.test(header) ? header : timeOrderedUuid();
}

let prefixMs = -1;
let prefix = '';

/**
 * A UUID version 7 (RFC 9562 section 5.7): the Unix time in milliseconds in the first 48 bits, then
 * the version, 74 random bits and the variant. Trace ids are indexed where they are stored (the
 * audit trail's `trace_id`), and an index of time-ordered keys grows at its end: a batch of calls
 * lands on one or two pages, where random v4 ids landed on a page each, which SQLite wrote to its
 * WAL and read back for every row (half of an audit row's insert CPU: bench/README.md, history).
 * Built on `randomUUID()`, whose random bits come from a cached pool: a v4 UUID already carries
 * the variant in the right place, and its text from the version digit on is replaced by a `7` and
 * the same random digits. The `uuid` package's `v7()` cost about 2 µs a call here, this 0.3.
 */
export function timeOrderedUuid(now: number = Date.now()): string {
  if (now !== prefixMs) {
    prefixMs = now;
    const ms = now.toString(16).padStart(12, '0');
    prefix = `${ms.slice(0, 8)}-${ms.slice(8)}-7`;
  }
  return prefix + randomUUID().slice(15);
}
