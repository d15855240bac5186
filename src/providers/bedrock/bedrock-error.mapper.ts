import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { UpstreamHeaders } from '../http/upstream-http.client.js';
import { UpstreamHttpError } from '../http/upstream-http.error.js';

/**
 * Pure classification of what the AWS SDK throws (wire-formats 5.3, 5.5). Bedrock names its
 * failures (`x-amzn-ErrorType`, or `:exception-type` inside a stream), and the name says more than
 * the status: `ModelNotReadyException` comes as 429 but is no rate limit. Caller-facing messages
 * carry the exception name, never Bedrock's text (it can quote the prompt).
 */

/** A failure Bedrock reported, over HTTP or as an exception frame inside a stream. */
export interface BedrockException {
  /** PascalCase, as the SDK names its classes (`ThrottlingException`). */
  readonly name: string;
  /** Bedrock's own text: logged, never shown. */
  readonly message: string;
  /** The HTTP status; absent for an exception frame inside a stream. */
  readonly status?: number;
  readonly headers: UpstreamHeaders;
}

type Outcome = 'rate_limited' | 'quota' | 'rejected' | 'credential' | 'unavailable' | 'model_error';

const OUTCOMES: Readonly<Record<string, Outcome>> = {
  ThrottlingException: 'rate_limited',
  ServiceQuotaExceededException: 'quota',
  ValidationException: 'rejected',
  ResourceNotFoundException: 'rejected',
  ConflictException: 'rejected',
  AccessDeniedException: 'credential',
  UnrecognizedClientException: 'credential',
  InvalidSignatureException: 'credential',
  IncompleteSignatureException: 'credential',
  MissingAuthenticationTokenException: 'credential',
  ExpiredTokenException: 'credential',
  ModelNotReadyException: 'unavailable',
  ServiceUnavailableException: 'unavailable',
  InternalServerException: 'unavailable',
  ModelTimeoutException: 'unavailable',
  ModelStreamErrorException: 'unavailable',
  ModelErrorException: 'model_error',
};

const NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EHOSTDOWN',
  'ENETDOWN',
  'EADDRNOTAVAIL',
]);

/** Codes of a connection that broke once open, or timed out. */
const LOST_CODES: readonly string[] = ['ECONNRESET', 'EPIPE', 'ETIMEDOUT'];

/**
 * The Bedrock exception in `error`, if it is one: SDK service exceptions carry `$fault`; an
 * exception frame of a type the SDK does not model still carries its name.
 */
export function asBedrockException(error: unknown): BedrockException | undefined {
  if (!(error instanceof Error)) return undefined;
  const fields = error as Error & {
    $fault?: unknown;
    $metadata?: { httpStatusCode?: unknown };
    $response?: { headers?: Record<string, string> };
  };
  const named = /exception$/i.test(error.name);
  if (fields.$fault === undefined && !named) return undefined;
  const status = fields.$metadata?.httpStatusCode;
  return {
    name: error.name.charAt(0).toUpperCase() + error.name.slice(1),
    message: error.message,
    ...(typeof status === 'number' ? { status } : {}),
    headers: lowerCased(fields.$response?.headers ?? {}),
  };
}

/**
 * The gateway error for a known Bedrock exception; `undefined` for a name this mapping does not
 * know, which the caller then maps by HTTP status.
 */
export function bedrockExceptionError(
  exception: BedrockException,
  provider: string,
  retryAfterSeconds?: number,
): GatewayError | undefined {
  const outcome = OUTCOMES[exception.name];
  if (outcome === undefined) return undefined;
  const { name } = exception;
  switch (outcome) {
    case 'rate_limited':
      return new GatewayError(
        ErrorCode.ProviderRateLimited,
        `The provider '${provider}' is throttling the gateway (${name}); retry later.`,
        { provider, retryable: true, retryAfterSeconds },
      );
    case 'quota':
      return new GatewayError(
        ErrorCode.ProviderRateLimited,
        `The provider '${provider}' refused the call: a service quota of the gateway's AWS account is exhausted (${name}).`,
        { provider, retryable: false, retryAfterSeconds },
      );
    case 'rejected':
      return new GatewayError(
        ErrorCode.ProviderRejectedRequest,
        `The provider '${provider}' rejected the request (${name}); its reason is logged under this trace id.`,
        { provider },
      );
    case 'credential':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The gateway's credential for provider '${provider}' was refused (${name}); an operator must check the provider configuration.`,
        { provider },
      );
    case 'unavailable':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The provider '${provider}' failed to answer (${name}).`,
        { provider, retryable: true },
      );
    case 'model_error':
      return new GatewayError(
        ErrorCode.ProviderError,
        `The provider '${provider}' failed to answer: the model failed on this request (${name}).`,
        { provider },
      );
  }
}

/**
 * What a failure that is not a Bedrock exception means, in the kinds the shared mapper knows:
 * the SDK's `TimeoutError`s, Node's network codes, aborts, and answers it could not parse.
 */
export function transportFailure(error: unknown): UpstreamHttpError {
  if (error instanceof UpstreamHttpError) return error;
  const code = errorCode(error);
  const name = field(error, 'name') ?? '';
  const detail = code ?? (name === '' ? 'unknown error' : name);
  if (code === 'ETIMEDOUT' || (name === 'TimeoutError' && code === undefined)) {
    return new UpstreamHttpError('timeout', `no answer in time (${detail})`, { cause: error });
  }
  if (code !== undefined && NETWORK_CODES.has(code)) {
    return new UpstreamHttpError('unreachable', `cannot connect (${detail})`, { cause: error });
  }
  if (name === 'AbortError') {
    return new UpstreamHttpError('aborted', 'the caller cancelled the request', { cause: error });
  }
  if (code !== undefined) {
    return new UpstreamHttpError('connection_lost', `connection failed (${detail})`, {
      cause: error,
    });
  }
  // No network code: the SDK could not read what Bedrock sent (bad JSON, a corrupt frame).
  return new UpstreamHttpError('malformed_response', `unreadable answer (${detail})`, {
    cause: error,
  });
}

/**
 * Node's network code (`ECONNREFUSED`), wherever it sits. Errors are read by shape, not
 * `instanceof`: Node's own errors may come from another realm (a VM context), and then the SDK's
 * retry middleware wraps them in an error that keeps the code only in its message.
 */
function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = field(error, 'code');
  if (code !== undefined) return code;
  const errors = (error as { errors?: unknown }).errors;
  if (Array.isArray(errors) && errors.length > 0) return errorCode(errors[0]);
  if ('cause' in error && error.cause !== undefined) return errorCode(error.cause);
  const message = field(error, 'message') ?? '';
  return [...NETWORK_CODES, ...LOST_CODES].find((c) => new RegExp(`\\b${c}\\b`).test(message));
}

function field(value: unknown, key: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const found = (value as Record<string, unknown>)[key];
  return typeof found === 'string' ? found : undefined;
}

function lowerCased(headers: Record<string, string>): UpstreamHeaders {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(headers)) out[key.toLowerCase()] = value;
  return out;
}
