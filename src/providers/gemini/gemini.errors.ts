import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  type StatusHints,
  type UpstreamContext,
  type UpstreamStatus,
  upstreamStatusError,
} from '../http/upstream-errors.js';

/**
 * Gemini's failures in the gateway's terms (wire-formats 4.6): the `{error: {code, message,
 * status, details}}` envelope is read for what only it says (the retry delay, a refused key), and
 * answers that are not errors over HTTP (a blocked prompt, a malformed function call) get a clear
 * message of their own. No upstream text reaches a message.
 */

export const GEMINI_PROVIDER_ID = 'gemini';

const RETRY_INFO = 'type.googleapis.com/google.rpc.RetryInfo';
const ERROR_INFO = 'type.googleapis.com/google.rpc.ErrorInfo';

/** Maps a non-2xx Gemini answer (the shared mapping logs the upstream message). */
export function geminiStatusError(context: UpstreamContext, answer: UpstreamStatus): GatewayError {
  const error = upstreamStatusError(context, answer, geminiStatusHints(answer.body));
  // Google answers a wrong API key with 400 INVALID_ARGUMENT, which would otherwise read as the
  // caller's request being at fault.
  if (errorInfoReasons(answer.body).includes('API_KEY_INVALID')) {
    return new GatewayError(
      ErrorCode.ProviderError,
      `The gateway's credential for provider '${context.provider}' was refused (upstream status ${answer.status}); an operator must check the provider configuration.`,
      { provider: context.provider },
    );
  }
  return error;
}

/** The retry delay Google puts in `RetryInfo` (it sends no `Retry-After` header). */
export function geminiStatusHints(body: unknown): StatusHints {
  for (const detail of details(body)) {
    if (detail['@type'] !== RETRY_INFO || typeof detail.retryDelay !== 'string') continue;
    // A protobuf Duration in JSON: decimal seconds with an `s` suffix, e.g. "34.4s".
    const match = /^(\d+(?:\.\d+)?)s$/.exec(detail.retryDelay.trim());
    if (match) return { retryAfterSeconds: Math.ceil(Number(match[1])) };
  }
  return {};
}

/** Gemini refused to answer the prompt at all (`promptFeedback.blockReason`, no candidates). */
export function promptBlockedError(context: UpstreamContext, blockReason: string): GatewayError {
  return new GatewayError(
    ErrorCode.ProviderRejectedRequest,
    `The provider '${context.provider}' blocked the prompt for safety reasons (block reason ${safeToken(blockReason)}); rephrase the request.`,
    { provider: context.provider },
  );
}

/** The model stopped on a function call it could not form (MALFORMED_FUNCTION_CALL, ...). */
export function unusableAnswerError(context: UpstreamContext, finishReason: string): GatewayError {
  return new GatewayError(
    ErrorCode.ProviderError,
    `The provider '${context.provider}' ended the answer with an unusable function call (finish reason ${safeToken(finishReason)}); retrying may succeed.`,
    { provider: context.provider, retryable: true },
  );
}

function errorInfoReasons(body: unknown): string[] {
  return details(body)
    .filter((d) => d['@type'] === ERROR_INFO && typeof d.reason === 'string')
    .map((d) => d.reason as string);
}

function details(body: unknown): Record<string, unknown>[] {
  // A streaming call answered without `alt=sse` wraps the envelope in an array.
  const envelope = Array.isArray(body) ? (body[0] as unknown) : body;
  const error = record(record(envelope)?.error);
  const list = error?.details;
  if (!Array.isArray(list)) return [];
  return list.map(record).filter((d): d is Record<string, unknown> => d !== undefined);
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** Enum names only: anything else from the upstream is not repeated to the caller. */
function safeToken(value: string): string {
  return /^[A-Z_]{1,64}$/.test(value) ? value : 'unknown';
}
