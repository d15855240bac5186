import type { GatewayError } from './gateway-error.js';

/** OpenAI's ErrorResponse, plus the trace id (contract 4.4) and any details of the error. */
export interface ErrorEnvelope {
  error: {
    message: string;
    type: string;
    code: string;
    param: string | null;
    trace_id: string;
    /** An error's {@link GatewayError.details}, e.g. `rate_limit` on a 429. */
    [detail: string]: unknown;
  };
}

export function toErrorEnvelope(error: GatewayError, traceId: string): ErrorEnvelope {
  const envelope: ErrorEnvelope = {
    error: {
      message: error.message,
      type: error.type,
      code: error.code,
      param: error.param,
      trace_id: traceId,
    },
  };
  if (error.details !== undefined) {
    for (const [name, value] of Object.entries(error.details)) {
      // The standard fields are a contract: a detail never replaces one.
      if (!(name in envelope.error)) envelope.error[name] = value;
    }
  }
  return envelope;
}
