import { Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import {
  type UpstreamContext,
  type UpstreamStatus,
  upstreamStatusError,
} from '../http/upstream-errors.js';
import { asRecord } from './cohere-response.mapper.js';

/**
 * Cohere's failures in the contract's terms (4.4). Its error body is `{"message": "..."}` and it
 * uses two non-standard statuses (wire-formats section 8): 498 "invalid token", its 401 by another
 * number, and 499 "client closed request", which the shared mapping already treats as a
 * non-retryable provider error.
 */

const logger = new Logger('CohereErrors');
const MAX_LOGGED_CHARS = 500;

/** Maps a non-2xx answer from Cohere. */
export function cohereStatusError(context: UpstreamContext, answer: UpstreamStatus): GatewayError {
  if (answer.status === 498) {
    logger.warn(
      `Provider '${context.provider}' answered HTTP 498 (trace ${context.traceId}): ${loggable(answer.body, context)}`,
    );
    return new GatewayError(
      ErrorCode.ProviderError,
      `The gateway's credential for provider '${context.provider}' was refused (upstream status 498); an operator must check the provider configuration.`,
      { provider: context.provider },
    );
  }
  // A trial key's monthly allowance is answered with 429 too, but no retry helps before next month.
  const monthly = answer.status === 429 && /month/i.test(loggable(answer.body, context));
  return upstreamStatusError(context, answer, monthly ? { retryable: false } : {});
}

/**
 * A generation Cohere ended with `finish_reason` ERROR or TIMEOUT, answered as 200 or reported in
 * `message-end` mid-stream: the caller gets a provider error, never a truncated "success".
 * @param payload The answer or the `message-end` delta; its `error` text is logged, not shown.
 */
export function cohereGenerationError(
  context: UpstreamContext,
  reason: string,
  payload: unknown,
): GatewayError {
  logger.warn(
    `Provider '${context.provider}' ended a generation with ${reason} (trace ${context.traceId}): ${loggable(payload, context)}`,
  );
  return new GatewayError(
    ErrorCode.ProviderError,
    `The provider '${context.provider}' could not finish the answer (${reason}); its reason is logged under this trace id.`,
    { provider: context.provider, retryable: reason === 'TIMEOUT' },
  );
}

/** The human part of a Cohere payload (`message` or `error`), masked and shortened. */
function loggable(body: unknown, context: UpstreamContext): string {
  const raw = asRecord(body);
  const text =
    typeof body === 'string'
      ? body
      : typeof raw?.message === 'string'
        ? raw.message
        : typeof raw?.error === 'string'
          ? raw.error
          : (JSON.stringify(body) ?? '');
  let masked = text;
  for (const secret of context.secrets ?? []) {
    if (secret !== '') masked = masked.split(secret).join('[redacted]');
  }
  if (masked.trim() === '') return '(empty body)';
  return masked.length > MAX_LOGGED_CHARS ? `${masked.slice(0, MAX_LOGGED_CHARS)}…` : masked;
}
