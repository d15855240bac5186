import type { GatewayError } from './gateway-error.js';

/** OpenAI's ErrorResponse, plus the trace id (contract 4.4). */
export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: string;
    param: string | null;
    trace_id: string;
  };
}

export function toErrorEnvelope(error: GatewayError, traceId: string): ErrorEnvelope {
  return {
    error: {
      message: error.message,
      type: error.type,
      code: error.code,
      param: error.param,
      trace_id: traceId,
    },
  };
}
