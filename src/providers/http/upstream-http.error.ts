/**
 * Why an upstream call produced no usable HTTP answer. Callers map each kind to a different
 * message ("timed out" is an operator's capacity question, "unreachable" a network one).
 *
 * - `timeout`: the whole call, the connect phase, or the silence between two stream chunks
 *   exceeded its configured limit.
 * - `unreachable`: no connection could be opened (refused, unknown host, no route).
 * - `connection_lost`: the connection broke after it was opened (reset, closed mid-answer).
 * - `aborted`: the caller's signal fired (client disconnect, shutdown).
 * - `malformed_response`: a success status whose body is empty or not the JSON it should be.
 */
export type UpstreamFailureKind =
  'timeout' | 'unreachable' | 'connection_lost' | 'aborted' | 'malformed_response';

/**
 * A transport-level failure of {@link UpstreamHttpClient}. Its message is safe to log: it holds
 * no URL credentials, headers or body text.
 */
export class UpstreamHttpError extends Error {
  override readonly name = 'UpstreamHttpError';

  constructor(
    readonly kind: UpstreamFailureKind,
    message: string,
    options: { cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
  }
}
