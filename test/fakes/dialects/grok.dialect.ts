/**
 * xAI Grok (wire-formats section 14), after the real recordings in `vercel/ai`
 * (`packages/xai/src/__fixtures__`): no embeddings; vision accepted. Intermediate stream chunks
 * have neither `finish_reason` nor `logprobs` (keys absent); the `choices: []` usage chunk comes
 * only with `include_usage`; whole tool calls in one chunk; `reasoning_content` from the mini
 * reasoning models. Usage quirk: `completion_tokens` excludes the reasoning tokens and
 * `total_tokens = prompt + completion + reasoning`. Errors are xAI's gRPC-style
 * `{"code":"<status text>","error":"<message>"}`; a wrong key is a **400** `Incorrect API key
 * provided` (as public issues record it), not a 401.
 */
import type { FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect, FakeUsageCount } from './fake-dialect.js';
import { hex, OPENAI_COMPATIBLE_DEFAULTS, standardFailure } from './fake-dialect.helpers.js';

export const FAKE_GROK_API_KEY = 'xai-fakegrok0123456789abcdefghijklmnop';

/** gRPC status texts xAI puts in `code`. */
const STATUS_TEXT: Record<number, string> = {
  400: 'Client specified an invalid argument',
  401: 'The request does not have valid authentication credentials',
  403: 'The caller does not have permission to execute the specified operation',
  404: 'Some requested entity was not found',
  429: 'Some resource has been exhausted',
};

function grokError(status: number, spec: FakeErrorSpec): unknown {
  return { code: spec.code ?? STATUS_TEXT[status] ?? 'Internal error', error: spec.message };
}

function grokUsage(count: FakeUsageCount): Record<string, unknown> {
  return {
    prompt_tokens: count.prompt,
    completion_tokens: count.completion,
    total_tokens: count.prompt + count.completion + count.reasoning,
    prompt_tokens_details: {
      text_tokens: count.prompt,
      audio_tokens: 0,
      image_tokens: 0,
      cached_tokens: 0,
    },
    completion_tokens_details: {
      reasoning_tokens: count.reasoning,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
    num_sources_used: 0,
    cost_in_usd_ticks: 1_330_500,
  };
}

function wrongKey(header: string | undefined): unknown {
  const key = header?.replace(/^Bearer /, '') ?? '';
  const masked = key.length > 4 ? `${key.slice(0, 2)}***${key.slice(-2)}` : '***';
  return grokError(400, {
    message: `Incorrect API key provided: ${masked}. You can obtain an API key from https://console.x.ai.`,
  });
}

export const GROK_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'grok',
  basePath: '/v1',
  defaultApiKey: FAKE_GROK_API_KEY,
  defaultModels: ['grok-4', 'grok-3', 'grok-3-mini', 'grok-2-vision-1212'],
  modelOwner: 'xai',
  embeddings: undefined,
  authenticate: (headers, apiKey) => {
    const header = headers.authorization;
    return header === `Bearer ${apiKey}` ? undefined : { status: 400, body: wrongKey(header) };
  },
  error: grokError,
  failure: standardFailure(grokError, {
    400: { status: 400, body: wrongKey('Bearer xai-wrong-key') },
    429: {
      status: 429,
      body: grokError(429, {
        message:
          'Your team fake-team has either used all available credits or reached its monthly spending limit.',
      }),
    },
  }),
  streamError: () => grokError(500, { message: 'Internal error while streaming' }),
  modelNotFound: (model) => ({
    status: 404,
    body: grokError(404, {
      message: `The model ${model} does not exist or your team fake-team does not have access to it.`,
    }),
  }),
  notFound: (method, path) => ({
    status: 404,
    body: grokError(404, { message: `No handler found for ${method} ${path}` }),
  }),
  completionId: (sequence) =>
    `${hex(sequence, 8)}-${hex(sequence + 1, 4)}-${hex(sequence + 2, 4)}-${hex(sequence + 3, 4)}-${hex(sequence + 4, 12)}`,
  toolCallId: (sequence, index) => `call_${String(55_117_580 + sequence * 10 + index)}`,
  toolCallDeltas: 'whole',
  contentWithToolCalls: '',
  usageNullWhenAsked: false,
  sparseChunks: true,
  reasoningField: 'reasoning_content',
  defaultReasoning: (model) =>
    model.startsWith('grok-3-mini') ? 'First, the user greets me. I should greet back.' : undefined,
  usageBody: grokUsage,
  decorateCompletion: (body) => {
    body.system_fingerprint = 'fp_fakegrok1';
  },
  decorateChunk: (chunk) => {
    chunk.system_fingerprint = 'fp_fakegrok1';
  },
};
