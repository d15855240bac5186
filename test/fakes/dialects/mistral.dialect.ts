/**
 * Mistral (wire-formats sections 7 and 20 item 9), after the real recordings in `vercel/ai`
 * (`packages/mistral/src/__fixtures__`): fields outside Mistral's request schema are refused with
 * 422 and a pydantic `detail` (so `seed`, `stream_options`, `max_completion_tokens`, `dimensions`
 * all fail: Mistral wants `random_seed`, `max_tokens`, `output_dimension`), and any tool-call id
 * in the request that is not 9 alphanumerics is refused with 400. Answers: 32-hex ids, no
 * `system_fingerprint`, `"tool_calls": null` when there are none, tool calls without `type` nor
 * `index` (streamed whole, on the finish chunk itself), 9-character tool-call ids, usage on the
 * finish chunk without being asked. Errors are flat: `{"object":"error","message",...}`.
 *
 * Embeddings accept `encoding_format` `float` and `base64`: `@mistralai/mistralai` 2.x sends
 * either (`EncodingFormat`), so the `openai` SDK's base64 default works as it does against Mistral.
 */
import type { FakeAnswer, FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect } from './fake-dialect.js';
import {
  alphanumeric,
  asRecord,
  hex,
  messagesOf,
  OPENAI_COMPATIBLE_DEFAULTS,
  standardFailure,
  unknownField,
} from './fake-dialect.helpers.js';

export const FAKE_MISTRAL_API_KEY = 'fake-mistral-key-0123456789';

/** What `ChatCompletionRequest` of `@mistralai/mistralai` 2.x can send, and the documented extras. */
const CHAT_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'temperature', 'top_p', 'max_tokens', 'stream', 'stop', 'random_seed',
  'metadata', 'response_format', 'tools', 'tool_choice', 'presence_penalty', 'frequency_penalty',
  'n', 'prediction', 'parallel_tool_calls', 'reasoning_effort', 'prompt_mode', 'guardrails',
  'prompt_cache_key', 'service_tier', 'safe_prompt', 'document_image_limit',
  'document_page_limit',
]); // prettier-ignore

const EMBEDDING_FIELDS: ReadonlySet<string> = new Set([
  'model', 'input', 'metadata', 'output_dimension', 'output_dtype', 'encoding_format',
]); // prettier-ignore

const TOOL_CALL_ID = /^[a-zA-Z0-9]{9}$/;

let embeddingSequence = 0;

/** Mistral's flat envelope. */
export function mistralError(_status: number, spec: FakeErrorSpec): unknown {
  return {
    object: 'error',
    message: spec.message,
    type: spec.type === undefined ? 'invalid_request_error' : spec.type,
    param: spec.param ?? null,
    code: spec.code ?? null,
  };
}

/** The 422 for a field outside the schema: pydantic's `detail` inside `message`. */
function extraForbidden(body: Record<string, unknown>, field: string): FakeAnswer {
  const detail = [
    {
      type: 'extra_forbidden',
      loc: ['body', field],
      msg: 'Extra inputs are not permitted',
      input: body[field],
    },
  ];
  return {
    status: 422,
    body: { ...(mistralError(422, { message: '' }) as object), message: { detail } },
  };
}

/** Every tool-call id the request carries: assistant `tool_calls[].id`, tool `tool_call_id`. */
function toolCallIds(body: Record<string, unknown>): string[] {
  const ids: string[] = [];
  for (const message of messagesOf(body)) {
    if (message.role === 'tool') ids.push(String(message.tool_call_id));
    const calls = Array.isArray(message.tool_calls) ? (message.tool_calls as unknown[]) : [];
    for (const call of calls) ids.push(String(asRecord(call)?.id));
  }
  return ids;
}

const UNAUTHORIZED: FakeAnswer = {
  status: 401,
  body: { message: 'Unauthorized', request_id: 'fake0a1b2c3d4e5f60718293a4b5c6d7e8' },
};

export const MISTRAL_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'mistral',
  basePath: '/v1',
  defaultApiKey: FAKE_MISTRAL_API_KEY,
  defaultModels: ['mistral-small-latest', 'mistral-large-latest', 'mistral-embed'],
  modelOwner: 'mistralai',
  embeddings: {
    base64: true,
    check: (body) => {
      const field = unknownField(body, EMBEDDING_FIELDS);
      return field === undefined ? undefined : extraForbidden(body, field);
    },
    decorate: (body) => {
      body.id = hex(++embeddingSequence, 32);
      body.usage = { ...(body.usage as object), completion_tokens: 0 };
    },
  },
  authenticate: (headers, apiKey) =>
    headers.authorization === `Bearer ${apiKey}` ? undefined : UNAUTHORIZED,
  error: mistralError,
  failure: standardFailure(mistralError, {
    401: UNAUTHORIZED,
    422: extraForbidden({ seed: 7 }, 'seed'),
    429: {
      status: 429,
      body: mistralError(429, {
        message: 'Requests rate limit exceeded',
        type: 'rate_limited',
        code: '1300',
      }),
    },
  }),
  streamError: () => mistralError(500, { message: 'Internal server error', type: 'api_error' }),
  modelNotFound: (model) => ({
    status: 400,
    body: mistralError(400, { message: `Invalid model: ${model}`, code: '1500' }),
  }),
  notFound: () => ({ status: 404, body: { detail: 'Not Found' } }),
  checkChat: ({ body }) => {
    const field = unknownField(body, CHAT_FIELDS);
    if (field !== undefined) return extraForbidden(body, field);
    const bad = toolCallIds(body).find((id) => !TOOL_CALL_ID.test(id));
    if (bad === undefined) return undefined;
    return {
      status: 400,
      body: mistralError(400, {
        message: `Tool call id was ${bad} but must be a-z, A-Z, 0-9, with a length of 9.`,
      }),
    };
  },
  completionId: (sequence) => hex(sequence, 32),
  toolCallId: (sequence, index) => alphanumeric(sequence * 31 + index, 9),
  toolCallDeltas: 'whole-in-finish',
  toolCallIndex: 'never',
  toolCallType: false,
  contentWithToolCalls: undefined,
  streamUsage: 'finish',
  usageNullWhenAsked: false,
  roleDelta: () => ({ role: 'assistant', content: '' }),
  finishDelta: () => ({ content: '' }),
  decorateCompletion: (body) => {
    const message = asRecord(asRecord((body.choices as unknown[])[0])?.message);
    if (message && !('tool_calls' in message)) message.tool_calls = null;
  },
};
