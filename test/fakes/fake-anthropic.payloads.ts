/**
 * The bodies and stream events the fake Anthropic server answers with, composed per wire-formats
 * section 3 (the fields, nulls and event order the real Messages API sends, `ping` and a
 * thinking block included). Pure; shared by the fake and by tests that need its exact values.
 */

export type FakeStopReason =
  'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'pause_turn' | 'refusal';

export interface FakeToolUse {
  readonly id: string;
  readonly name: string;
  /** Streamed as `input_json_delta` fragments of its JSON. */
  readonly input: Record<string, unknown>;
}

export interface FakeAnthropicUsage {
  readonly input_tokens?: number;
  readonly output_tokens?: number;
  readonly cache_creation_input_tokens?: number;
  readonly cache_read_input_tokens?: number;
}

/** What the fake's assistant says. */
export interface FakeAnthropicReply {
  /** Assistant text; defaults to {@link DEFAULT_REPLY_TEXT} when there are no tool uses. */
  readonly text?: string;
  /** A thinking block first (it shifts every later block's index). */
  readonly thinking?: string;
  /** Tool uses, after the text. */
  readonly toolUses?: readonly FakeToolUse[];
  /** Defaults to `tool_use` with tool uses, `end_turn` otherwise. */
  readonly stopReason?: FakeStopReason;
  /** Defaults to an estimate from the request and answer sizes, without cache counts. */
  readonly usage?: FakeAnthropicUsage;
  /** Model named in the answer; defaults to the requested one. */
  readonly model?: string;
}

/** Contains multi-byte characters on purpose, so split writes can cut through one. */
export const DEFAULT_REPLY_TEXT = 'Hello from the fake Claude! Grüße, 世界 🌍.';

/** Code points per streamed text delta, and characters per tool-input fragment. */
const PIECE = 5;

export interface AnthropicErrorBody {
  type: 'error';
  error: { type: string; message: string };
  request_id: string;
}

export function anthropicError(type: string, message: string): AnthropicErrorBody {
  return { type: 'error', error: { type, message }, request_id: requestId() };
}

/** The `error.type` Anthropic sends with each status (wire-formats 3.4). */
export function defaultErrorBody(status: number): AnthropicErrorBody {
  switch (status) {
    case 400:
      return anthropicError('invalid_request_error', 'max_tokens: Field required');
    case 401:
      return anthropicError('authentication_error', 'invalid x-api-key');
    case 402:
      return anthropicError('billing_error', 'Your credit balance is too low.');
    case 403:
      return anthropicError('permission_error', 'Your API key does not have permission.');
    case 404:
      return anthropicError('not_found_error', 'model: claude-nope');
    case 413:
      return anthropicError('request_too_large', 'Request exceeds the maximum allowed size.');
    case 429:
      return anthropicError(
        'rate_limit_error',
        'This request would exceed the rate limit for your organization of 50 requests per minute.',
      );
    case 504:
      return anthropicError('timeout_error', 'Request timed out.');
    case 529:
      return anthropicError('overloaded_error', 'Overloaded');
    default:
      return status >= 500
        ? anthropicError('api_error', 'Internal server error')
        : anthropicError('invalid_request_error', `Request failed with status ${status}`);
  }
}

export interface UsageBody {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
  service_tier: 'standard';
}

export function usageBody(reply: FakeAnthropicReply, requestBody: unknown): UsageBody {
  return {
    input_tokens: reply.usage?.input_tokens ?? Math.ceil(JSON.stringify(requestBody).length / 4),
    cache_creation_input_tokens: reply.usage?.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: reply.usage?.cache_read_input_tokens ?? 0,
    output_tokens:
      reply.usage?.output_tokens ?? Math.max(1, Math.ceil(answerText(reply).length / PIECE)),
    service_tier: 'standard',
  };
}

type Json = Record<string, unknown>;

export function messageBody(
  reply: FakeAnthropicReply,
  id: string,
  model: string,
  usage: UsageBody,
): Json {
  return {
    id,
    type: 'message',
    role: 'assistant',
    model: reply.model ?? model,
    content: blocks(reply).map((b) => b.final),
    stop_reason: stopReason(reply),
    stop_sequence: null,
    usage,
  };
}

/** One SSE event: its `event:` name is always its payload's `type`, as Anthropic sends it. */
export interface FakeEvent {
  readonly type: string;
  readonly data: Json;
}

/** The stream in order; the two parts let the fake cut the end off. */
export interface StreamEvents {
  /** `message_start`, then every content block with its deltas (and one `ping`). */
  readonly body: FakeEvent[];
  /** `message_delta` (stop reason, cumulative output tokens) and `message_stop`. */
  readonly finish: FakeEvent[];
}

export function streamEvents(
  reply: FakeAnthropicReply,
  id: string,
  model: string,
  usage: UsageBody,
): StreamEvents {
  const event = (data: Json): FakeEvent => ({ type: String(data.type), data });
  const body: FakeEvent[] = [
    event({
      type: 'message_start',
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: reply.model ?? model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ];
  blocks(reply).forEach((block, index) => {
    body.push(event({ type: 'content_block_start', index, content_block: block.start }));
    if (index === 0) body.push(event({ type: 'ping' }));
    for (const delta of block.deltas)
      body.push(event({ type: 'content_block_delta', index, delta }));
    body.push(event({ type: 'content_block_stop', index }));
  });
  return {
    body,
    finish: [
      event({
        type: 'message_delta',
        delta: { stop_reason: stopReason(reply), stop_sequence: null },
        usage: { output_tokens: usage.output_tokens },
      }),
      event({ type: 'message_stop' }),
    ],
  };
}

interface BlockPlan {
  readonly final: Json;
  readonly start: Json;
  readonly deltas: Json[];
}

function blocks(reply: FakeAnthropicReply): BlockPlan[] {
  const out: BlockPlan[] = [];
  if (reply.thinking !== undefined) {
    const signature = 'EqQBCgIYAhIMfAkEsIgNaTuRe';
    out.push({
      final: { type: 'thinking', thinking: reply.thinking, signature },
      start: { type: 'thinking', thinking: '', signature: '' },
      deltas: [
        ...pieces(reply.thinking).map((thinking) => ({ type: 'thinking_delta', thinking })),
        { type: 'signature_delta', signature },
      ],
    });
  }
  const tools = reply.toolUses ?? [];
  const text = reply.text ?? (tools.length > 0 ? undefined : DEFAULT_REPLY_TEXT);
  if (text !== undefined) {
    out.push({
      final: { type: 'text', text },
      start: { type: 'text', text: '' },
      deltas: pieces(text).map((t) => ({ type: 'text_delta', text: t })),
    });
  }
  for (const tool of tools) {
    const json = JSON.stringify(tool.input);
    const fragments: string[] = [];
    for (let i = 0; i < json.length; i += PIECE) fragments.push(json.slice(i, i + PIECE));
    out.push({
      final: { type: 'tool_use', id: tool.id, name: tool.name, input: tool.input },
      start: { type: 'tool_use', id: tool.id, name: tool.name, input: {} },
      // Anthropic opens every tool input with an empty fragment.
      deltas: ['', ...fragments].map((partial_json) => ({
        type: 'input_json_delta',
        partial_json,
      })),
    });
  }
  return out;
}

function stopReason(reply: FakeAnthropicReply): FakeStopReason {
  return reply.stopReason ?? (reply.toolUses?.length ? 'tool_use' : 'end_turn');
}

function answerText(reply: FakeAnthropicReply): string {
  const tools = (reply.toolUses ?? []).map((t) => JSON.stringify(t.input)).join('');
  return `${reply.text ?? (tools === '' ? DEFAULT_REPLY_TEXT : '')}${tools}`;
}

export function modelsBody(ids: readonly string[]): Json {
  const data = ids.map((id) => ({
    type: 'model',
    id,
    display_name: id,
    created_at: '2025-09-29T00:00:00Z',
  }));
  return {
    data,
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids[ids.length - 1] ?? null,
  };
}

/** Splits by code points, never inside a surrogate pair. */
function pieces(text: string): string[] {
  const points = Array.from(text);
  const out: string[] = [];
  for (let i = 0; i < points.length; i += PIECE) out.push(points.slice(i, i + PIECE).join(''));
  return out;
}

export function requestId(): string {
  return `req_fake${Math.random().toString(16).slice(2, 14)}`;
}
