import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { ChatCompletion, FinishReason, Usage } from '../../providers/llm-provider.types.js';
import type {
  MessagesAnswer,
  MessagesAnswerBlock,
  MessagesStopReason,
  MessagesUsage,
} from './messages.types.js';

/** A chat finish reason as the Messages API's stop reason (wire-formats 3.2, read backwards). */
export function toStopReason(finish: FinishReason): MessagesStopReason {
  switch (finish) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
  }
}

/**
 * Chat usage as Messages usage: the Messages API counts cached prompt tokens apart from
 * `input_tokens`, so the cached part moves to `cache_read_input_tokens`.
 */
export function toMessagesUsage(usage: Usage | undefined): MessagesUsage {
  if (usage === undefined) {
    return {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: null,
      cache_read_input_tokens: null,
    };
  }
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, usage.prompt_tokens - cached),
    output_tokens: usage.completion_tokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
  };
}

/**
 * A chat completion as a Messages answer: text first, then each tool call as a `tool_use` block
 * with its arguments parsed (the Messages API carries them as an object).
 * @param model the model the caller asked for, which the answer names as the Messages API does
 */
export function toMessagesAnswer(
  completion: ChatCompletion,
  id: string,
  model: string,
): MessagesAnswer {
  const choice = completion.choices[0];
  const content: MessagesAnswerBlock[] = [];
  const text = choice?.message.content ?? choice?.message.refusal;
  if (typeof text === 'string' && text !== '') content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  }
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: toStopReason(choice?.finish_reason ?? 'stop'),
    stop_sequence: null,
    usage: toMessagesUsage(completion.usage),
  };
}

function toolInput(args: string): Record<string, unknown> {
  if (args.trim() === '') return {};
  let input: unknown;
  try {
    input = JSON.parse(args);
  } catch {
    input = undefined;
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new GatewayError(
      ErrorCode.ProviderError,
      'The model called a tool with arguments that are not a JSON object.',
    );
  }
  return input as Record<string, unknown>;
}
