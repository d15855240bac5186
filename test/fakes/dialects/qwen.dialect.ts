/**
 * Qwen on Alibaba DashScope, compatible mode (wire-formats section 11), after the real recordings
 * in `vercel/ai` (`packages/alibaba/src/__fixtures__`): base path `/compatible-mode/v1`.
 * `system_fingerprint: null` everywhere; tool calls streamed as an opener then continuations
 * carrying `"id": ""` and `type: "function"`, then a stray chunk with empty arguments and neither
 * `finish_reason` nor `logprobs`; the `choices: []` usage chunk only with `include_usage`. Errors
 * add `id` and `request_id` to OpenAI's envelope, `code` `invalid_parameter_error`. Refuses image
 * parts on models that are not vision models (`qwen-vl-*`, `qvq-*`, `*-omni-*`),
 * `enable_thinking: true` without streaming, and base64 embeddings (floats only).
 */
import type { FakeAnswer, FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect, FakeUsageCount } from './fake-dialect.js';
import {
  hex,
  imageParts,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  standardFailure,
} from './fake-dialect.helpers.js';

export const FAKE_QWEN_API_KEY = 'sk-fakedashscope0123456789abcdef';

const uuid = (seed: number) =>
  `${hex(seed, 8)}-${hex(seed + 1, 4)}-${hex(seed + 2, 4)}-${hex(seed + 3, 4)}-${hex(seed + 4, 12)}`;

let errorSequence = 0;

/** DashScope's envelope: OpenAI's, plus `id` and `request_id` beside `error`. */
function qwenError(_status: number, spec: FakeErrorSpec): unknown {
  const seed = ++errorSequence * 101;
  return {
    error: {
      message: spec.message,
      type: spec.type ?? 'invalid_request_error',
      param: spec.param ?? null,
      code: spec.code ?? 'invalid_parameter_error',
    },
    id: `chatcmpl-${uuid(seed)}`,
    request_id: uuid(seed + 50),
  };
}

function qwenUsage(count: FakeUsageCount): Record<string, unknown> {
  const completion = count.completion + count.reasoning;
  return {
    prompt_tokens: count.prompt,
    completion_tokens: completion,
    total_tokens: count.prompt + completion,
    prompt_tokens_details: { cached_tokens: 0 },
  };
}

const VISION_MODEL = /(^qwen[\d.]*-vl|^qvq|-omni)/;

const invalid = (message: string): FakeAnswer => refusal(qwenError, 400, { message });

export const QWEN_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'qwen',
  basePath: '/compatible-mode/v1',
  defaultApiKey: FAKE_QWEN_API_KEY,
  defaultModels: ['qwen-plus', 'qwen-max', 'qwen3-max', 'qwen-vl-plus', 'text-embedding-v3'],
  embeddings: { base64: false },
  authenticate: (headers, apiKey) =>
    headers.authorization === `Bearer ${apiKey}`
      ? undefined
      : refusal(qwenError, 401, {
          message: 'Incorrect API key provided. ',
          code: 'invalid_api_key',
        }),
  error: qwenError,
  failure: standardFailure(qwenError, {
    401: refusal(qwenError, 401, {
      message: 'Incorrect API key provided. ',
      code: 'invalid_api_key',
    }),
    429: refusal(qwenError, 429, {
      message: 'Requests rate limit exceeded, please try again later.',
      type: 'limit_requests',
      code: 'limit_requests',
    }),
  }),
  streamError: () =>
    qwenError(500, {
      message: 'An internal error has occured, please try again later or contact service support.',
      type: 'internal_error',
      code: 'internal_error',
    }),
  modelNotFound: (model) =>
    refusal(qwenError, 404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      code: 'model_not_found',
    }),
  checkChat: ({ body, model, stream }) => {
    if (imageParts(body).length > 0 && !VISION_MODEL.test(model)) {
      return invalid(
        '<400> InternalError.Algo.InvalidParameter: The model does not support image input; use a qwen-vl model.',
      );
    }
    if (body.enable_thinking === true && !stream) {
      return invalid(
        '<400> InternalError.Algo.InvalidParameter: parameter.enable_thinking must be set to false for non-streaming calls',
      );
    }
    return undefined;
  },
  completionId: (sequence) => `chatcmpl-${uuid(sequence)}`,
  toolCallId: (sequence, index) => `call_${hex(sequence * 7 + index, 24)}`,
  toolCallDeltas: 'continuations',
  contentWithToolCalls: '',
  reasoningField: 'reasoning_content',
  usageBody: qwenUsage,
  decorateCompletion: (body) => {
    body.system_fingerprint = null;
  },
  decorateChunk: (chunk) => {
    chunk.system_fingerprint = null;
  },
};
