import { ERROR_SPECS, ErrorCode, ErrorType } from './error-code.js';

export interface GatewayErrorOptions {
  /** The request field at fault, rendered as `error.param`. */
  param?: string | null;
  /** Provider id involved, if any (for logs and later metrics). */
  provider?: string;
  /** Whether retrying the same call may succeed (upstream 5xx, 429, network). */
  retryable?: boolean;
  /** Seconds the caller should wait, rendered as `Retry-After`. */
  retryAfterSeconds?: number;
  /** Extra response headers, e.g. `Allow` on 405. */
  headers?: Record<string, string>;
  /**
   * Fields added to the envelope's `error` object beside the standard ones (which they never
   * replace), e.g. `rate_limit` on a 429. Shown to callers: ids and numbers, never a secret.
   */
  details?: Readonly<Record<string, unknown>>;
  /** The underlying failure, logged but never rendered. */
  cause?: unknown;
}

/**
 * The one error type of the gateway. Every layer throws this (or lets the filter turn an unknown
 * error into `internal_error`); one exception filter renders it as the OpenAI error envelope.
 * The message is shown to callers, so it must never carry a secret or an upstream's raw text.
 */
export class GatewayError extends Error {
  override readonly name = 'GatewayError';
  readonly status: number;
  readonly type: ErrorType;
  readonly param: string | null;
  readonly provider?: string;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly headers: Record<string, string>;
  readonly details?: Readonly<Record<string, unknown>>;

  constructor(
    readonly code: ErrorCode,
    message: string,
    options: GatewayErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    const spec = ERROR_SPECS[code];
    this.status = spec.status;
    this.type = spec.type;
    this.param = options.param ?? null;
    this.provider = options.provider;
    this.retryable = options.retryable ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.headers = options.headers ?? {};
    this.details = options.details;
  }
}
