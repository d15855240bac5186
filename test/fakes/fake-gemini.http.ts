/**
 * The fake Gemini server's vocabulary (what it records, the plans a test can queue) and its HTTP
 * plumbing: JSON answers with Google's headers, request bodies read whole.
 */
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import type { GoogleErrorBody } from './fake-gemini.payloads.js';

export interface RecordedGeminiRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1beta/models/gemini-2.0-flash:streamGenerateContent?alt=sse`. */
  readonly path: string;
  /** The model of the URL, when the path names one. */
  readonly model: string | undefined;
  /** The method after the colon (`generateContent`, ...), when the path names one. */
  readonly rpc: string | undefined;
  /** Lower-cased names, as Node reports them. */
  readonly headers: IncomingHttpHeaders;
  /** The parsed JSON body, the raw text when it is not JSON, `undefined` when empty. */
  readonly body: any;
  readonly remotePort: number | undefined;
}

export type FakeGeminiPlan =
  | {
      readonly kind: 'fail';
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
    }
  /** Never send headers. */
  | { readonly kind: 'hang' }
  /** Wait before the headers, then answer normally. */
  | { readonly kind: 'delay'; readonly ms: number }
  /** Stream: send the first `afterChunks` events, then fall silent. */
  | { readonly kind: 'stall'; readonly afterChunks: number }
  /** Stream: after `afterChunks` events send a `data: {"error": ...}` event and end. */
  | {
      readonly kind: 'stream-error';
      readonly afterChunks: number;
      readonly error?: GoogleErrorBody;
    }
  /** Stream: after `afterChunks` events destroy the connection. */
  | { readonly kind: 'cut'; readonly afterChunks: number }
  /** Stream: every event, none with a finishReason; the body just ends. */
  | { readonly kind: 'no-finish' };

export interface FakeGeminiOptions {
  readonly apiKey?: string;
  readonly recordRequests?: boolean;
}

export interface ClientDisconnect {
  readonly path: string;
  /** SSE events written before the client went away. */
  readonly chunksSent: number;
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type':
      typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=UTF-8',
    'content-length': String(Buffer.byteLength(text)),
    server: 'scaffolding on HTTPServer2',
    ...headers,
  });
  res.end(text);
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function parseBody(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
