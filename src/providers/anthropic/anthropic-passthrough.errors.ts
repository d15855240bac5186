import { GatewayError } from '../../common/errors/gateway-error.js';
import { asRecord } from './anthropic-response.mapper.js';

/** The statuses whose Anthropic error speaks of the caller's request or of load, not our key. */
const RELAYED_STATUSES: ReadonlySet<number> = new Set([400, 404, 413, 422, 429, 500, 529]);

/**
 * A passthrough failure as the caller should see it (contract 15): the gateway's error (its code
 * drives retries and fallbacks), carrying Anthropic's own `error.type` and `message` for the
 * Messages envelope, which they were written for. Not for a refused credential (401, 403): that
 * is the gateway's key, and its operator's business. The installation's key is masked out.
 * @param status the upstream's HTTP status; undefined for an `error` event mid-stream
 */
export function withNativeError(
  error: GatewayError,
  body: unknown,
  status: number | undefined,
  secret: string,
): GatewayError {
  if (status !== undefined && !RELAYED_STATUSES.has(status)) return error;
  const native = asRecord(asRecord(body)?.error);
  const type = native?.type;
  const message = native?.message;
  if (typeof type !== 'string' || typeof message !== 'string') return error;
  const masked = secret === '' ? message : message.split(secret).join('[redacted]');
  return new GatewayError(error.code, error.message, {
    param: error.param,
    provider: error.provider,
    retryable: error.retryable,
    retryAfterSeconds: error.retryAfterSeconds,
    headers: error.headers,
    details: { messages_error: { type, message: masked } },
    cause: error,
  });
}
