import { UpstreamHttpError } from '../http/upstream-http.error.js';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '../llm-provider.types.js';
import { STRUCTURED_OUTPUT_TOOL } from './anthropic-request.mapper.js';

/**
 * Pure translation of Anthropic's answers into the gateway's shapes (wire-formats 3.2, 18.1,
 * 18.2). A body that cannot be read throws `UpstreamHttpError('malformed_response')`.
 */

type Json = Record<string, unknown>;

/**
 * A Messages API answer as a chat completion. With `structuredOutput`, the `structured_output`
 * tool's input is the content (a JSON string) and text blocks are dropped, since the caller asked
 * for nothing but JSON; other tool uses are tool calls.
 */
export function toChatCompletion(
  body: unknown,
  structuredOutput: boolean,
  created: number,
): ChatCompletion {
  const raw = asRecord(body);
  if (raw === undefined || raw.type !== 'message') throw malformed('the answer is not a message');
  if (!Array.isArray(raw.content)) throw malformed('the answer has no content');
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let structured: string | undefined;
  for (const item of raw.content) {
    const block = asRecord(item);
    if (block?.type === 'text' && typeof block.text === 'string') {
      if (!structuredOutput) texts.push(block.text);
    } else if (block?.type === 'tool_use') {
      const { id, name, input } = block;
      if (typeof id !== 'string' || typeof name !== 'string') {
        throw malformed('a tool_use block has no id or name');
      }
      const args = JSON.stringify(input ?? {});
      if (structuredOutput && name === STRUCTURED_OUTPUT_TOOL) structured = args;
      else toolCalls.push({ id, type: 'function', function: { name, arguments: args } });
    }
    // thinking, redacted_thinking and server-tool blocks have no OpenAI counterpart.
  }
  const finish = toFinishReason(raw.stop_reason, toolCalls.length > 0);
  if (finish === null) throw malformed('the answer has no stop_reason');
  const content = structured ?? (texts.length > 0 ? texts.join('') : null);
  const completion: ChatCompletion = {
    id: requireString(raw, 'id'),
    object: 'chat.completion',
    created,
    model: requireString(raw, 'model'),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content,
          refusal: null,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finish,
        logprobs: null,
      },
    ],
  };
  const usage = toUsage(raw.usage);
  if (usage !== undefined) completion.usage = usage;
  return completion;
}

/**
 * `stop_reason` as an OpenAI finish reason (wire-formats 18.1); null while there is none yet.
 * `tool_use` is `tool_calls` only when a caller's tool was called: the structured-output tool
 * ends the answer. A stop reason newer than this table ends the answer normally.
 */
export function toFinishReason(stopReason: unknown, callerToolCalls: boolean): FinishReason | null {
  if (stopReason === null || stopReason === undefined) return null;
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return callerToolCalls ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn, and anything added later.
      return 'stop';
  }
}

/**
 * Anthropic's usage in OpenAI's terms: its `input_tokens` excludes the cached parts, so the
 * prompt is all three input counts; cache reads are OpenAI's `cached_tokens`. Absent usage stays
 * absent (metering estimates it).
 */
export function toUsage(value: unknown): Usage | undefined {
  const raw = asRecord(value);
  if (raw === undefined) return undefined;
  const { input_tokens: input, output_tokens: output } = raw;
  if (typeof input !== 'number' && typeof output !== 'number') return undefined;
  const cacheRead = count(raw.cache_read_input_tokens);
  const prompt = count(input) + count(raw.cache_creation_input_tokens) + cacheRead;
  const completion = count(output);
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
  };
  if (typeof raw.cache_read_input_tokens === 'number') {
    usage.prompt_tokens_details = { cached_tokens: cacheRead };
  }
  // Thinking is billed inside output_tokens; newer answers also say how much of it was thinking.
  const thinking = asRecord(raw.output_tokens_details)?.thinking_tokens;
  if (typeof thinking === 'number') {
    usage.completion_tokens_details = { reasoning_tokens: thinking };
  }
  return usage;
}

function count(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

export function asRecord(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

export function requireString(raw: Json, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string') throw malformed(`'${key}' is missing`);
  return value;
}

export function malformed(detail: string): UpstreamHttpError {
  return new UpstreamHttpError('malformed_response', detail);
}
