import { randomBytes } from 'node:crypto';
import type { ChatCompletion, FinishReason, Usage } from '../../providers/llm-provider.types.js';
import type { ResponsesRequest } from './dto/responses-request.schema.js';
import type {
  ResponseObject,
  ResponseOutputContent,
  ResponseOutputItem,
  ResponseStatus,
  ResponseUsage,
} from './responses.types.js';

/** An id in the Responses API's style: `resp_...`, `msg_...`, `fc_...`. */
export function responsesId(prefix: 'resp' | 'msg' | 'fc'): string {
  return `${prefix}_${randomBytes(16).toString('hex')}`;
}

/** Chat usage as Responses usage (cached and reasoning tokens are inside the totals in both). */
export function toResponseUsage(usage: Usage | undefined): ResponseUsage | null {
  if (usage === undefined) return null;
  return {
    input_tokens: usage.prompt_tokens,
    input_tokens_details: { cached_tokens: usage.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage.completion_tokens,
    output_tokens_details: {
      reasoning_tokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
    },
    total_tokens: usage.total_tokens,
  };
}

/** Where a chat finish reason leaves a response: finished, or cut short and why. */
export function toStatus(finish: FinishReason): {
  status: Extract<ResponseStatus, 'completed' | 'incomplete'>;
  incomplete_details: ResponseObject['incomplete_details'];
} {
  switch (finish) {
    case 'length':
      return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
    case 'content_filter':
      return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
    case 'stop':
    case 'tool_calls':
    case 'function_call':
      return { status: 'completed', incomplete_details: null };
  }
}

/** What the response object echoes of its request, and who answers it. */
export interface ResponseFrame {
  readonly id: string;
  /** Unix seconds. */
  readonly createdAt: number;
  readonly request: ResponsesRequest;
}

/**
 * A response object in a given state: the request's settings echoed as the Responses API echoes
 * them (defaults filled in), the model named as the caller asked for it.
 */
export function responseObject(
  frame: ResponseFrame,
  status: ResponseStatus,
  output: ResponseOutputItem[],
  usage: ResponseUsage | null,
  incomplete: ResponseObject['incomplete_details'] = null,
): ResponseObject {
  const { request } = frame;
  const response: ResponseObject = {
    id: frame.id,
    object: 'response',
    created_at: frame.createdAt,
    status,
    background: false,
    error: null,
    incomplete_details: incomplete,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: null },
    store: false,
    temperature: request.temperature ?? 1,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) =>
      tool.type === 'function' ? { strict: true, ...tool } : tool,
    ),
    top_p: request.top_p ?? 1,
    truncation: 'disabled',
    usage,
    metadata: { ...(request.metadata ?? {}) },
  };
  const user = request.user;
  if (typeof user === 'string') response.user = user;
  return response;
}

/**
 * A chat completion as a response: the text (or refusal) as one message item, then each tool
 * call as a `function_call` item with its call id and arguments as the model wrote them.
 */
export function toResponse(completion: ChatCompletion, frame: ResponseFrame): ResponseObject {
  const choice = completion.choices[0];
  const output: ResponseOutputItem[] = [];
  const content: ResponseOutputContent[] = [];
  const text = choice?.message.content;
  if (typeof text === 'string' && text !== '') {
    content.push({ type: 'output_text', text, annotations: [], logprobs: [] });
  }
  const refusal = choice?.message.refusal;
  if (typeof refusal === 'string' && refusal !== '') content.push({ type: 'refusal', refusal });
  if (content.length > 0) {
    output.push({
      id: responsesId('msg'),
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content,
    });
  }
  for (const call of choice?.message.tool_calls ?? []) {
    output.push({
      id: responsesId('fc'),
      type: 'function_call',
      status: 'completed',
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
    });
  }
  const { status, incomplete_details } = toStatus(choice?.finish_reason ?? 'stop');
  return responseObject(
    frame,
    status,
    output,
    toResponseUsage(completion.usage),
    incomplete_details,
  );
}
