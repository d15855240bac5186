import { Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { UpstreamHeaders } from './upstream-http.client.js';
import { UpstreamHttpError } from './upstream-http.error.js';

/**
 * Vendor-neutral translation of upstream failures into `GatewayError` (contract 4.4). Messages
 * reach callers, so they never carry the upstream's text (it may quote the prompt or our
 * credential): that text goes to the log, under the trace id the caller also receives.
 */

/** Who was called, for the message, the `provider` field and the log line. */
export interface UpstreamContext {
  readonly provider: string;
  readonly traceId: string;
  /** Masked out of any upstream text before it is logged (the provider's API key). */
  readonly secrets?: readonly string[];
}

/** An upstream's non-2xx answer. */
export interface UpstreamStatus {
  readonly status: number;
  readonly headers: UpstreamHeaders;
  readonly body: unknown;
}

/** What only the vendor's adapter can tell from the error body. */
export interface StatusHints {
  /** Overrides the status-based guess, e.g. false for an exhausted quota answered as 429. */
  readonly retryable?: boolean;
  /** Seconds to wait as the error body states them; used on a 429 whose headers give none. */
  readonly retryAfterSeconds?: number;
}

const logger = new Logger('UpstreamErrors');
const MAX_LOGGED_CHARS = 500;

/** Maps a non-2xx upstream answer. */
export function upstreamStatusError(
  context: UpstreamContext,
  answer: UpstreamStatus,
  hints: StatusHints = {},
  nowMs: number = Date.now(),
): GatewayError {
  const { provider } = context;
  const { status, headers } = answer;
  logger.warn(
    `Provider '${provider}' answered HTTP ${status} (trace ${context.traceId}): ${upstreamMessage(answer.body, context)}`,
  );
  const shouldRetry = headerValue(headers, 'x-should-retry');
  const retryHint = hints.retryable ?? (shouldRetry === 'false' ? false : undefined);

  if (status === 400 || status === 404 || status === 413 || status === 422) {
    return new GatewayError(
      ErrorCode.ProviderRejectedRequest,
      `The provider '${provider}' rejected the request (upstream status ${status}); its reason is logged under this trace id.`,
      { provider },
    );
  }
  if (status === 401 || status === 403) {
    return new GatewayError(
      ErrorCode.ProviderError,
      `The gateway's credential for provider '${provider}' was refused (upstream status ${status}); an operator must check the provider configuration.`,
      { provider },
    );
  }
  if (status === 429) {
    const retryAfter = retryAfterSeconds(headers, nowMs) ?? hints.retryAfterSeconds;
    return new GatewayError(
      ErrorCode.ProviderRateLimited,
      retryAfter === undefined
        ? `The provider '${provider}' is rate limiting the gateway; retry later.`
        : `The provider '${provider}' is rate limiting the gateway; retry after ${retryAfter} seconds.`,
      { provider, retryable: retryHint ?? true, retryAfterSeconds: retryAfter },
    );
  }
  if (status === 408 || status === 409 || status >= 500) {
    return new GatewayError(
      ErrorCode.ProviderError,
      `The provider '${provider}' failed to answer (upstream status ${status}).`,
      { provider, retryable: retryHint ?? true },
    );
  }
  return new GatewayError(
    ErrorCode.ProviderError,
    `The provider '${provider}' gave an unexpected answer (upstream status ${status}).`,
    { provider, retryable: retryHint ?? false },
  );
}

/**
 * Maps whatever a call to the upstream threw. A `GatewayError` passes through unchanged; an
 * error that is neither that nor a transport failure is a gateway bug, reported as such.
 */
export function upstreamFailureError(context: UpstreamContext, error: unknown): GatewayError {
  if (error instanceof GatewayError) return error;
  const { provider } = context;
  if (!(error instanceof UpstreamHttpError)) {
    return new GatewayError(
      ErrorCode.InternalError,
      `The gateway failed while calling provider '${provider}'.`,
      { provider, cause: error },
    );
  }
  switch (error.kind) {
    case 'timeout':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The provider '${provider}' timed out: ${error.message}.`,
        { provider, retryable: true, cause: error },
      );
    case 'unreachable':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The provider '${provider}' is unreachable: ${error.message}.`,
        { provider, retryable: true, cause: error },
      );
    case 'connection_lost':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The connection to provider '${provider}' broke before the answer was complete: ${error.message}.`,
        { provider, retryable: true, cause: error },
      );
    case 'aborted':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The request to provider '${provider}' was cancelled.`,
        { provider, cause: error },
      );
    case 'malformed_response':
      return malformedAnswerError(context, error.message, error);
  }
}

/** A 2xx answer the gateway cannot use: empty, not JSON, or missing what the format requires. */
export function malformedAnswerError(
  context: UpstreamContext,
  detail: string,
  cause?: unknown,
): GatewayError {
  return new GatewayError(
    ErrorCode.ProviderError,
    `The provider '${context.provider}' returned a malformed answer: ${detail}.`,
    { provider: context.provider, cause },
  );
}

/** An error the upstream reported inside a stream that had already started with HTTP 200. */
export function upstreamStreamError(context: UpstreamContext, payload: unknown): GatewayError {
  const { provider } = context;
  logger.warn(
    `Provider '${provider}' reported an error mid-stream (trace ${context.traceId}): ${upstreamMessage(payload, context)}`,
  );
  return new GatewayError(
    ErrorCode.ProviderError,
    `The provider '${provider}' reported an error during the stream; its reason is logged under this trace id.`,
    { provider },
  );
}

/**
 * Seconds to wait, from `retry-after-ms` (non-standard, sent by OpenAI and honoured by its SDKs)
 * or `retry-after` (delta seconds or an HTTP date, RFC 9110 10.2.3), rounded up.
 */
export function retryAfterSeconds(
  headers: UpstreamHeaders,
  nowMs: number = Date.now(),
): number | undefined {
  const millis = headerValue(headers, 'retry-after-ms');
  if (millis !== undefined && /^\d+(\.\d+)?$/.test(millis.trim())) {
    return Math.ceil(Number(millis) / 1000);
  }
  const value = headerValue(headers, 'retry-after')?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.ceil(Number(value));
  const date = Date.parse(value);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - nowMs) / 1000));
}

function headerValue(headers: UpstreamHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** The human part of an error body, whatever the vendor's envelope, masked and shortened. */
function upstreamMessage(body: unknown, context: UpstreamContext): string {
  let text: string;
  if (typeof body === 'string') {
    text = body;
  } else {
    const nested = field(field(body, 'error'), 'message');
    const flat = field(body, 'error') ?? field(body, 'message');
    text =
      typeof nested === 'string'
        ? nested
        : typeof flat === 'string'
          ? flat
          : (JSON.stringify(body) ?? '');
  }
  for (const secret of context.secrets ?? []) {
    if (secret !== '') text = text.split(secret).join('[redacted]');
  }
  if (text.trim() === '') return '(empty body)';
  return text.length > MAX_LOGGED_CHARS ? `${text.slice(0, MAX_LOGGED_CHARS)}…` : text;
}

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[key]
    : undefined;
}
