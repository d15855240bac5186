/**
 * Groq (wire-formats section 9), after the real recordings in `vercel/ai`
 * (`packages/groq/src/__fixtures__`): base path `/openai/v1`, no embeddings. `x_groq` (`id`,
 * `seed`) on answers and on the first chunk; usage with Groq's timing fields on the finish chunk
 * (both `usage` and `x_groq.usage`) without being asked; whole tool calls in one chunk;
 * `service_tier: "on_demand"`. Refuses unknown fields, `logprobs`, `n` above 1, `logit_bias`, and
 * `json_schema` on models without structured outputs; a 429 carries `retry-after` and
 * `x-ratelimit-*` headers.
 */
import type { FakeAnswer, FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect, FakeUsageCount } from './fake-dialect.js';
import {
  alphanumeric,
  hex,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  responseFormatType,
  standardFailure,
  unknownField,
} from './fake-dialect.helpers.js';

export const FAKE_GROQ_API_KEY = 'gsk_fake_groq_key_0123456789';

/** Models with structured outputs (`json_schema`); the others refuse it. */
export const GROQ_JSON_SCHEMA_MODELS: readonly string[] = [
  'openai/gpt-oss-120b',
  'openai/gpt-oss-20b',
  'moonshotai/kimi-k2-instruct-0905',
  'meta-llama/llama-4-maverick-17b-128e-instruct',
];

const CHAT_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n', 'stop',
  'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
  'user', 'stream', 'stream_options', 'tools', 'tool_choice', 'parallel_tool_calls',
  'response_format', 'reasoning_format', 'reasoning_effort', 'include_reasoning', 'service_tier',
  'metadata', 'store', 'search_settings', 'documents', 'citation_options', 'functions',
  'function_call', 'disable_tool_validation',
]); // prettier-ignore

/** Groq's envelope: OpenAI's, without the keys it has no value for. */
function groqError(_status: number, spec: FakeErrorSpec): unknown {
  return {
    error: {
      message: spec.message,
      type: spec.type ?? 'invalid_request_error',
      ...(spec.param ? { param: spec.param } : {}),
      ...(spec.code ? { code: spec.code } : {}),
    },
  };
}

const bad = (message: string, param?: string): FakeAnswer =>
  refusal(groqError, 400, { message, param });

function groqUsage(count: FakeUsageCount): Record<string, unknown> {
  const completion = count.completion + count.reasoning;
  return {
    queue_time: 0.041520249,
    prompt_tokens: count.prompt,
    prompt_time: 0.010407901,
    completion_tokens: completion,
    completion_time: 0.046601227,
    total_tokens: count.prompt + completion,
    total_time: 0.057009128,
  };
}

const requestId = (id: string) => `req_${hex(id.length * 131 + id.charCodeAt(id.length - 1), 26)}`;

export const GROQ_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'groq',
  basePath: '/openai/v1',
  defaultApiKey: FAKE_GROQ_API_KEY,
  defaultModels: ['llama-3.3-70b-versatile', 'llama-3.1-8b-instant', 'openai/gpt-oss-120b'],
  modelOwner: 'Meta',
  embeddings: undefined,
  authenticate: (headers, apiKey) =>
    headers.authorization === `Bearer ${apiKey}`
      ? undefined
      : refusal(groqError, 401, { message: 'Invalid API Key', code: 'invalid_api_key' }),
  error: groqError,
  failure: standardFailure(groqError, {
    429: {
      status: 429,
      body: groqError(429, {
        message:
          'Rate limit reached for model `llama-3.3-70b-versatile` in organization `org_fake` service tier `on_demand` on tokens per minute (TPM): Limit 6000, Used 5900, Requested 200. Please try again in 1s.',
        type: 'tokens',
        code: 'rate_limit_exceeded',
      }),
      headers: {
        'retry-after': '1',
        'x-ratelimit-limit-requests': '14400',
        'x-ratelimit-remaining-requests': '14399',
        'x-ratelimit-limit-tokens': '6000',
        'x-ratelimit-remaining-tokens': '0',
        'x-ratelimit-reset-tokens': '1s',
      },
    },
  }),
  streamError: () =>
    groqError(500, { message: 'Internal Server Error', type: 'internal_server_error' }),
  modelNotFound: (model) =>
    refusal(groqError, 404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      code: 'model_not_found',
    }),
  notFound: () => refusal(groqError, 404, { message: 'Unknown request URL', code: 'unknown_url' }),
  checkChat: ({ body, model }) => {
    const field = unknownField(body, CHAT_FIELDS);
    if (field !== undefined) return bad(`property '${field}' is unsupported`);
    if (body.logprobs === true)
      return bad('`logprobs` is not supported with this model', 'logprobs');
    if (typeof body.n === 'number' && body.n > 1) return bad("'n' : number must be at most 1", 'n');
    if (body.logit_bias !== undefined) return bad('`logit_bias` is not supported', 'logit_bias');
    if (responseFormatType(body) === 'json_schema' && !GROQ_JSON_SCHEMA_MODELS.includes(model)) {
      return bad(
        'This model does not support response format `json_schema`. See supported models at https://console.groq.com/docs/structured-outputs#supported-models',
        'response_format',
      );
    }
    return undefined;
  },
  completionId: (sequence) =>
    `chatcmpl-${hex(sequence, 8)}-${hex(sequence + 1, 4)}-4${hex(sequence + 2, 3)}`,
  toolCallId: (sequence, index) => alphanumeric(sequence * 13 + index, 9).toLowerCase(),
  toolCallDeltas: 'whole',
  streamUsage: 'finish',
  usageNullWhenAsked: false,
  usageBody: groqUsage,
  answerHeaders: () => ({ 'x-request-id': 'req_fakegroq', 'x-groq-region': 'fake-1' }),
  decorateCompletion: (body, context) => {
    body.system_fingerprint = 'fp_fakegroq1';
    body.x_groq = { id: requestId(context.id) };
    body.service_tier = 'on_demand';
  },
  decorateChunk: (chunk, stage, context) => {
    chunk.system_fingerprint = 'fp_fakegroq1';
    if (stage === 'role') chunk.x_groq = { id: requestId(context.id), seed: 689_520_654 };
    if (stage === 'finish') chunk.x_groq = { id: requestId(context.id), usage: chunk.usage };
  },
};
