import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const TRACE_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The header callers may send and the gateway always answers with (contract 4.5). */
export const TRACE_ID_HEADER = 'x-trace-id';

/**
 * Fastify's `genReqId`: the caller's `X-Trace-ID` when it is well-formed, else a fresh UUID, so
 * `request.id` is the trace id everywhere (logs, errors, audit).
 */
export function traceIdFor(raw: IncomingMessage): string {
  const header = raw.headers[TRACE_ID_HEADER];
  return typeof header === 'string' && TRACE_ID.test(header) ? header : randomUUID();
}
