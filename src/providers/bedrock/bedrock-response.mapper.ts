import type { ConverseResponse, TokenUsage } from '@aws-sdk/client-bedrock-runtime';
import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../llm-provider.types.js';

/**
 * Pure translation of a Converse answer into the gateway's shapes (wire-formats 5.2, 18.1, 18.2).
 * Converse carries no completion id, creation time or model name: the adapter supplies them. An
 * answer that cannot be read throws `UpstreamHttpError('malformed_response')`.
 */

/** What the answer itself does not say. */
export interface AnswerFrame {
  readonly id: string;
  readonly created: number;
  readonly model: string;
  /** The `json_schema` tool, when the request was rewritten: its input is the content. */
  readonly structuredTool?: string;
}

const STOP_REASONS: Readonly<Record<string, FinishReason>> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

export function toChatCompletion(response: ConverseResponse, frame: AnswerFrame): ChatCompletion {
  const message = response.output?.message;
  if (message === undefined) throw malformed('the answer has no output message');
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let structured: string | undefined;
  for (const block of message.content ?? []) {
    if (block.text !== undefined) {
      texts.push(block.text);
    } else if (block.toolUse !== undefined) {
      const { toolUseId, name, input } = block.toolUse;
      if (name === undefined || name === '') throw malformed('a tool use has no name');
      const args = JSON.stringify(input ?? {});
      if (name === frame.structuredTool) structured = args;
      else {
        toolCalls.push({
          id: toolUseId ?? '',
          type: 'function',
          function: { name, arguments: args },
        });
      }
    }
    // Reasoning, citations and guard content have no place in OpenAI's message: left out.
  }
  const completion: ChatCompletion = {
    id: frame.id,
    object: 'chat.completion',
    created: frame.created,
    model: frame.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          // The rewritten json_schema answer is the tool input alone, so it parses as JSON.
          content: structured ?? (texts.length > 0 ? texts.join('') : null),
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: toFinishReason(response.stopReason, toolCalls.length > 0),
        logprobs: null,
      },
    ],
  };
  const usage = toUsage(response.usage);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

/**
 * Bedrock's `stopReason` as OpenAI's `finish_reason` (wire-formats 18.1). A `tool_use` stop
 * without a call to one of the caller's tools is the rewritten `json_schema` answer: `stop`.
 */
export function toFinishReason(
  stopReason: string | undefined,
  callerToolCalled: boolean,
): FinishReason {
  if (stopReason === undefined) throw malformed('the answer has no stopReason');
  if (stopReason === 'tool_use' && !callerToolCalled) return 'stop';
  const mapped = STOP_REASONS[stopReason];
  // malformed_model_output / malformed_tool_use, or a reason newer than this mapping.
  if (mapped === undefined) throw malformed(`the model stopped with '${stopReason}'`);
  return mapped;
}

/**
 * Converse's camelCase usage. As with Anthropic's models, `inputTokens` leaves out the tokens
 * read from or written to the prompt cache, which OpenAI counts in `prompt_tokens`.
 */
export function toUsage(usage: TokenUsage | undefined): Usage | undefined {
  if (usage === undefined) return undefined;
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const prompt = (usage.inputTokens ?? 0) + cacheRead + cacheWrite;
  const completion = usage.outputTokens ?? 0;
  const result: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (usage.cacheReadInputTokens !== undefined) {
    result.prompt_tokens_details = { cached_tokens: usage.cacheReadInputTokens };
  }
  return result;
}

export function malformed(detail: string): UpstreamHttpError {
  return new UpstreamHttpError('malformed_response', detail);
}
