import { Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { Agent, type Dispatcher } from 'undici';
import type { CallCancellation } from '../../common/cancellation/call-cancellation.js';
import type { CancelSignal } from '../../common/cancellation/cancel-signal.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { CallTimeouts } from '../llm-provider.js';
import { CallDeadline } from './call-deadline.js';
import { declaredLength, readAnswer, type UpstreamHeaders } from './json-answer.handler.js';
import { UpstreamHttpError } from './upstream-http.error.js';

export type { UpstreamHeaders } from './json-answer.handler.js';

export interface UpstreamRequest {
  /** Scheme, host and port, e.g. `https://api.openai.com`; one keep-alive pool per origin. */
  readonly origin: string;
  /** Path and query, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** Defaults to POST when {@link json} is set, GET otherwise. */
  readonly method?: 'GET' | 'POST';
  readonly headers?: Readonly<Record<string, string>>;
  /** The attempt's W3C Trace Context headers (`ProviderCall.traceContext`), sent as well. */
  readonly traceContext: Readonly<Record<string, string>> | undefined;
  /** Sent as the JSON request body, with `content-type: application/json`. */
  readonly json?: unknown;
  /** Cancels the call; the upstream socket is destroyed at once. */
  readonly signal?: CancelSignal;
  /** This call's limits (a provider's resilience settings); absent: `gateway.upstream`'s. */
  readonly timeouts?: CallTimeouts;
}

/**
 * A complete answer. `body` is the parsed JSON; for a non-2xx status whose body is not JSON it is
 * the (size-capped) text, for the error mapper to log.
 */
export interface UpstreamJsonResponse {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly body: unknown;
}

/**
 * A streaming answer. On a 2xx status the body is handed over unread, to be iterated once; any
 * other status has its (size-capped) error body read already, as {@link UpstreamJsonResponse} does.
 */
export type UpstreamStreamResponse =
  | {
      readonly ok: true;
      readonly status: number;
      readonly headers: UpstreamHeaders;
      readonly body: AsyncIterable<Uint8Array>;
    }
  | {
      readonly ok: false;
      readonly status: number;
      readonly headers: UpstreamHeaders;
      readonly body: unknown;
    };

/** Error bodies are only logged; a misbehaving upstream must not make us buffer megabytes. */
const MAX_ERROR_BODY_BYTES = 64 * 1024;

type Limits = GatewayConfig['upstream'];

/**
 * The one HTTP client every provider adapter uses: undici keep-alive pools (axios costs several
 * times the throughput, see docs/performance.md), bounded by the `gateway.upstream` limits.
 * Transport failures are thrown as {@link UpstreamHttpError}; HTTP statuses are returned, so each
 * adapter reads its vendor's error body.
 */
@Injectable()
export class UpstreamHttpClient implements OnApplicationShutdown {
  private readonly agent: Agent;
  private readonly limits: Limits;
  private readonly defaults: CallTimeouts;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.limits = config.upstream;
    this.defaults = {
      requestMs: this.limits.requestTimeoutMs,
      streamMs: this.limits.streamTimeoutMs,
      streamIdleMs: this.limits.streamIdleTimeoutMs,
    };
    this.agent = new Agent({
      connections: this.limits.connectionsPerHost,
      keepAliveTimeout: this.limits.keepAliveTimeoutMs,
      connect: { timeout: this.limits.connectTimeoutMs },
    });
  }

  /** One request, one JSON answer, all within `request-timeout-ms`. */
  async requestJson(request: UpstreamRequest): Promise<UpstreamJsonResponse> {
    const { requestMs } = request.timeouts ?? this.defaults;
    const deadline = new CallDeadline(request.signal, {
      totalMs: requestMs,
      totalMessage: `no complete answer within ${requestMs} ms`,
    });
    try {
      // The deadline covers headers and body together, so undici's own timers are redundant.
      const { status, headers, text } = await readAnswer(
        this.agent,
        this.dispatchOptions(request, undefined, 0),
        deadline.cancellation,
        { successBytes: this.limits.maxResponseBytes, errorBytes: MAX_ERROR_BODY_BYTES },
      );
      const ok = isSuccess(status);
      return { ok, status, headers, body: ok ? parseStrict(text) : parseLenient(text) };
    } catch (error) {
      throw this.classify(error, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Opens a streaming call. The whole stream is bounded by `stream-timeout-ms` and each silence
   * (before the headers and between chunks) by `stream-idle-timeout-ms`. Stopping the iteration
   * early, or aborting the signal, destroys the upstream request.
   */
  async openStream(request: UpstreamRequest): Promise<UpstreamStreamResponse> {
    const { streamMs, streamIdleMs: idle } = request.timeouts ?? this.defaults;
    const deadline = new CallDeadline(request.signal, {
      totalMs: streamMs,
      totalMessage: `stream not finished within ${streamMs} ms`,
    });
    let response: Dispatcher.ResponseData;
    try {
      response = await this.agent.request(
        this.dispatchOptions(request, deadline.cancellation, idle),
      );
    } catch (error) {
      deadline.dispose();
      throw this.classify(error, deadline, idle);
    }
    const { statusCode: status, headers } = response;
    if (isSuccess(status)) {
      return { ok: true, status, headers, body: this.guard(response.body, deadline, idle) };
    }
    try {
      const body = parseLenient(await readErrorBody(response, MAX_ERROR_BODY_BYTES));
      return { ok: false, status, headers, body };
    } catch (error) {
      throw this.classify(error, deadline, idle);
    } finally {
      deadline.dispose();
    }
  }

  /** After the HTTP server has drained, so streams still running at SIGTERM could finish. */
  async onApplicationShutdown(): Promise<void> {
    await this.agent.close();
  }

  /**
   * undici's options for one request; `timeoutMs` bounds the headers and each silence in the
   * body (0: none). Objects are built by assignment, not spread: V8 (Node 20) took about 0.7 µs
   * to spread these headers against 0.05 µs (bench/README.md, 2026-12-07).
   */
  private dispatchOptions(
    request: UpstreamRequest,
    signal: CallCancellation | undefined,
    timeoutMs: number,
  ): Dispatcher.RequestOptions {
    const hasBody = request.json !== undefined;
    const headers: Record<string, string> = Object.assign({}, request.headers);
    if (request.traceContext !== undefined) Object.assign(headers, request.traceContext);
    if (hasBody) headers['content-type'] = 'application/json';
    return {
      origin: request.origin,
      path: request.path,
      method: request.method ?? (hasBody ? 'POST' : 'GET'),
      headers,
      body: hasBody ? JSON.stringify(request.json) : undefined,
      signal,
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
    };
  }

  private async *guard(
    body: AsyncIterable<Uint8Array>,
    deadline: CallDeadline,
    idleMs: number,
  ): AsyncGenerator<Uint8Array, void, undefined> {
    try {
      // A consumer's early `return()` exits this loop, which destroys the body: undici then
      // aborts the request and drops the socket.
      for await (const chunk of body) yield chunk;
    } catch (error) {
      throw this.classify(error, deadline, idleMs);
    } finally {
      deadline.dispose();
    }
  }

  private classify(
    error: unknown,
    deadline: CallDeadline,
    idleMs: number = this.defaults.streamIdleMs,
  ): UpstreamHttpError {
    // undici rethrows the signal's reason (ours); should it report its own abort error instead,
    // the reason recorded on the deadline still says whether this was a timeout or the caller.
    if (error instanceof UpstreamHttpError) return error;
    const reason = deadline.reason();
    if (reason) return reason;
    const code = errorCode(error);
    const detail = code ?? (error instanceof Error ? error.name : 'unknown error');
    switch (code ?? '') {
      case 'UND_ERR_CONNECT_TIMEOUT':
        return new UpstreamHttpError(
          'timeout',
          `could not connect within ${this.limits.connectTimeoutMs} ms`,
          { cause: error },
        );
      case 'UND_ERR_HEADERS_TIMEOUT':
        return new UpstreamHttpError('timeout', `no response headers within ${idleMs} ms`, {
          cause: error,
        });
      case 'UND_ERR_BODY_TIMEOUT':
        return new UpstreamHttpError('timeout', `no data for ${idleMs} ms between two chunks`, {
          cause: error,
        });
      case 'ETIMEDOUT':
        return new UpstreamHttpError('timeout', `connection timed out (${detail})`, {
          cause: error,
        });
      case 'ECONNREFUSED':
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
      case 'EHOSTUNREACH':
      case 'ENETUNREACH':
      case 'EHOSTDOWN':
      case 'ENETDOWN':
      case 'EADDRNOTAVAIL':
        return new UpstreamHttpError('unreachable', `cannot connect (${detail})`, { cause: error });
      default:
        if (code?.startsWith('HPE_')) {
          return new UpstreamHttpError('malformed_response', `invalid HTTP answer (${detail})`, {
            cause: error,
          });
        }
        if (code?.startsWith('ERR_TLS_') || code?.includes('CERT')) {
          return new UpstreamHttpError('unreachable', `TLS handshake failed (${detail})`, {
            cause: error,
          });
        }
        return new UpstreamHttpError('connection_lost', `connection failed (${detail})`, {
          cause: error,
        });
    }
  }
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

function parseStrict(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    // Only a failed parse asks whether the body was empty: trimming copies it.
    if (text.trim() === '') {
      throw new UpstreamHttpError('malformed_response', 'empty answer body');
    }
    throw new UpstreamHttpError('malformed_response', 'answer body is not valid JSON', {
      cause: error,
    });
  }
}

function parseLenient(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * A streaming call's error body, read whole up to `maxBytes` and cut there (its start says what
 * went wrong); the rest is never read: undici drops the socket. (Complete answers are read by
 * {@link readAnswer}.)
 */
async function readErrorBody(response: Dispatcher.ResponseData, maxBytes: number): Promise<string> {
  const { body } = response;
  // A length declared under the cap needs no counting: undici frames the body by it, so no more
  // can arrive. bytes(), not text(): text() would drop a byte order mark.
  const declared = declaredLength(response.headers);
  if (declared >= 0 && declared < maxBytes) {
    const bytes = await body.bytes();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  const stream: AsyncIterable<Uint8Array> = body;
  for await (const chunk of stream) {
    chunks.push(chunk);
    size += chunk.byteLength;
    if (size < maxBytes) continue;
    body.destroy();
    break;
  }
  return Buffer.concat(chunks).subarray(0, maxBytes).toString('utf8');
}

/** Node and undici put a string `code` on network errors; happy-eyeballs wraps them in an AggregateError. */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code;
  if (error instanceof AggregateError) return errorCode(error.errors[0]);
  if ('cause' in error) return errorCode(error.cause);
  return undefined;
}
