import type { GatewayError } from './gateway-error.js';

/**
 * The Messages API's error types (`error.type`), as its SDKs and Claude Code read them to decide
 * what to show and whether to retry.
 */
export type MessagesErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'billing_error'
  | 'permission_error'
  | 'not_found_error'
  | 'request_too_large'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error'
  | 'overloaded_error';

/** The Messages API's error body (contract 15): the trace id is its `request_id`. */
export interface MessagesErrorEnvelope {
  type: 'error';
  error: { type: MessagesErrorType; message: string };
  request_id: string;
}

/**
 * A gateway error in the envelope `POST /v1/messages` answers with (contract 15). The status is the
 * gateway's own (4.4); the type is the Messages API's for that status, so an SDK client treats a
 * policy denial as the permission error it is and retries what it would retry. An error a native
 * Messages upstream stated (passthrough, detail `messages_error`) is rendered as it stated it.
 */
export function toMessagesErrorEnvelope(
  error: GatewayError,
  traceId: string,
): MessagesErrorEnvelope {
  const native = error.details?.messages_error as { type?: unknown; message?: unknown } | undefined;
  if (typeof native?.type === 'string' && typeof native.message === 'string') {
    return {
      type: 'error',
      error: { type: native.type as MessagesErrorType, message: native.message },
      request_id: traceId,
    };
  }
  return {
    type: 'error',
    error: { type: messagesErrorType(error.status), message: error.message },
    request_id: traceId,
  };
}

export function messagesErrorType(status: number): MessagesErrorType {
  switch (status) {
    case 401:
      return 'authentication_error';
    case 402:
      return 'billing_error';
    case 403:
      return 'permission_error';
    case 404:
      return 'not_found_error';
    case 413:
      return 'request_too_large';
    case 429:
      return 'rate_limit_error';
    case 503:
    case 529:
      return 'overloaded_error';
    case 504:
      return 'timeout_error';
    default:
      return status >= 500 ? 'api_error' : 'invalid_request_error';
  }
}
