import { ErrorCode } from '../../common/errors/error-code.js';
import type { GatewayError } from '../../common/errors/gateway-error.js';
import type { SseFraming } from '../../common/sse/sse-stream.writer.js';

type Json = Record<string, unknown>;

/** One Responses stream event, translated or relayed: what the framing reads of it. */
export interface ResponsesFramedEvent {
  readonly type: string;
  readonly sequence_number?: number;
  readonly response?: unknown;
}

/**
 * The Responses API's SSE framing for one stream (contract 16): each event with its `event:` line,
 * nothing after the last, and a failure after the first byte as a `response.failed` event that
 * continues the stream's `sequence_number`s and carries the response as it was started, with the
 * error. The framing remembers what it wrote for that, so it is made per stream.
 */
export function responsesSseFraming(): SseFraming<ResponsesFramedEvent> {
  let sequence = -1;
  let response: Json | undefined;
  return {
    event: (event) => {
      if (typeof event.sequence_number === 'number') sequence = event.sequence_number;
      if (isJson(event.response)) response = event.response;
      return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    },
    end: '',
    error: (error, traceId) => {
      const failure = { code: failureCode(error), message: `${error.message} (trace ${traceId})` };
      sequence += 1;
      if (response === undefined) {
        const event = { type: 'error', sequence_number: sequence, param: error.param, ...failure };
        return `event: error\ndata: ${JSON.stringify(event)}\n\n`;
      }
      const failed = {
        type: 'response.failed',
        sequence_number: sequence,
        response: { ...response, status: 'failed', error: failure },
      };
      return `event: response.failed\ndata: ${JSON.stringify(failed)}\n\n`;
    },
  };
}

/** The Responses API's error codes are its own; a rate limit is the one the gateway's map onto. */
function failureCode(error: GatewayError): 'rate_limit_exceeded' | 'server_error' {
  return error.code === ErrorCode.ProviderRateLimited || error.code === ErrorCode.RateLimitExceeded
    ? 'rate_limit_exceeded'
    : 'server_error';
}

function isJson(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
