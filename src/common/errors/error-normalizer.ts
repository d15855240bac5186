import { HttpException } from '@nestjs/common';
import { ErrorCode } from './error-code.js';
import { GatewayError } from './gateway-error.js';

/** What the filter knows about the request when it translates an error. */
export interface FailedRequest {
  readonly method: string;
  readonly path: string;
  /** Methods other routes accept at this path; non-empty turns a 404 into a 405. */
  readonly allowedMethods: readonly string[];
}

/**
 * Turns anything thrown anywhere (our own errors, Nest's, Fastify's body parser's, the router's)
 * into a {@link GatewayError}. Unknown errors become `internal_error` with a generic message: the
 * original is logged by the filter, never rendered.
 */
export function normalizeError(exception: unknown, request: FailedRequest): GatewayError {
  if (exception instanceof GatewayError) return exception;
  if (exception instanceof HttpException) return fromHttpException(exception, request);
  const framework = frameworkError(exception);
  if (framework) return framework;
  return new GatewayError(ErrorCode.InternalError, 'The gateway failed to handle the request.', {
    cause: exception,
  });
}

function fromHttpException(exception: HttpException, request: FailedRequest): GatewayError {
  const fromCause = frameworkError(exception.cause);
  if (fromCause) return fromCause;
  const status = exception.getStatus();
  switch (status) {
    case 404:
      return notFound(request);
    case 405:
      return methodNotAllowed(request);
    case 413:
      return tooLarge();
    case 415:
      return unsupportedMediaType();
    default:
      if (status >= 400 && status < 500) {
        return new GatewayError(ErrorCode.InvalidRequest, safeMessage(exception), {
          cause: exception,
        });
      }
      return new GatewayError(
        ErrorCode.InternalError,
        'The gateway failed to handle the request.',
        {
          cause: exception,
        },
      );
  }
}

/** Fastify's own errors carry a `FST_ERR_*` code (body parsing, router, content type). */
function frameworkError(error: unknown): GatewayError | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (error instanceof SyntaxError && statusCode === 400) {
    return new GatewayError(ErrorCode.InvalidJson, 'The request body is not valid JSON.', {
      cause: error,
    });
  }
  switch (code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new GatewayError(
        ErrorCode.InvalidJson,
        code === 'FST_ERR_CTP_EMPTY_JSON_BODY'
          ? 'The request body is empty; a JSON object was expected.'
          : 'The request body is not valid JSON.',
        { cause: error },
      );
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return tooLarge();
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_TYPE':
      return unsupportedMediaType();
    case 'FST_ERR_BAD_URL':
      return new GatewayError(ErrorCode.InvalidPath, 'The request path is not a valid URL path.', {
        cause: error,
      });
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return new GatewayError(
        ErrorCode.InvalidRequest,
        'The request body does not match its Content-Length.',
        { cause: error },
      );
    default:
      return undefined;
  }
}

function notFound(request: FailedRequest): GatewayError {
  if (request.allowedMethods.length > 0) return methodNotAllowed(request);
  const underApi = request.path === '/v1' || request.path.startsWith('/v1/');
  return underApi
    ? new GatewayError(
        ErrorCode.ResourceNotFound,
        `Unknown API path: ${request.method} ${request.path}`,
      )
    : new GatewayError(ErrorCode.NotFound, `Not found: ${request.method} ${request.path}`);
}

function methodNotAllowed(request: FailedRequest): GatewayError {
  const allow = request.allowedMethods.join(', ');
  return new GatewayError(
    ErrorCode.MethodNotAllowed,
    `Method ${request.method} is not allowed on ${request.path}; allowed: ${allow}.`,
    { headers: { allow } },
  );
}

function tooLarge(): GatewayError {
  return new GatewayError(
    ErrorCode.RequestTooLarge,
    'The request body is larger than the gateway accepts (gateway.server.max-body-bytes).',
  );
}

function unsupportedMediaType(): GatewayError {
  return new GatewayError(
    ErrorCode.UnsupportedMediaType,
    "Unsupported Content-Type; send 'application/json'.",
  );
}

function safeMessage(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message) && typeof message[0] === 'string') return message[0];
  return exception.message;
}
