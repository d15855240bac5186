import { toMessagesErrorEnvelope } from '../../common/errors/messages-error-envelope.js';
import type { SseFraming } from '../../common/sse/sse-stream.writer.js';

/**
 * The Messages API's SSE framing (wire-formats 3.3): each event with its `event:` line, nothing
 * after `message_stop`, and a failure after the first byte as one `error` event.
 */
export const MESSAGES_SSE_FRAMING: SseFraming<{ readonly type: string }> = {
  event: (event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`,
  end: '',
  error: (error, traceId) =>
    `event: error\ndata: ${JSON.stringify(toMessagesErrorEnvelope(error, traceId))}\n\n`,
};
