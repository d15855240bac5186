/**
 * DeepSeek (wire-formats section 10), after the real recordings in `vercel/ai`
 * (`packages/deepseek/src/chat/__fixtures__`): no embeddings; `: keep-alive` comments in streams
 * and blank lines before a JSON answer (as while a request is queued); usage with
 * `prompt_cache_hit_tokens` / `prompt_cache_miss_tokens` on the finish chunk without being asked;
 * `reasoning_content` from `deepseek-reasoner`; tool-call ids like `call_00_…` with `index` also
 * in JSON answers; `content: ""` beside tool calls. Refuses `json_schema` and image parts (400),
 * and a test can script its 402 "Insufficient Balance" with `failNext(402)`.
 *
 * A wrong key gets DeepSeek's JSON 401 (`Authentication Fails, Your api key: ****abcd is invalid`,
 * as recorded in many public issues); `deepseekDialect({ plainTextAuthErrors: true })` answers
 * the plain text `Authentication Fails` instead, the variant wire-formats section 10 mentions.
 */
import type { FakeAnswer, FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect, FakeUsageCount } from './fake-dialect.js';
import {
  alphanumeric,
  asRecord,
  hex,
  imageParts,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  responseFormatType,
  standardFailure,
} from './fake-dialect.helpers.js';

export const FAKE_DEEPSEEK_API_KEY = 'sk-fakedeepseek0123456789abcdef';

export interface DeepSeekDialectOptions {
  /** Blank lines before each JSON answer; default 2. */
  readonly leadingBlankLines?: number;
  /** `: keep-alive` before every stream frame; default true. */
  readonly keepAliveComments?: boolean;
  /** Answer a wrong key with the plain text `Authentication Fails`; default false (JSON). */
  readonly plainTextAuthErrors?: boolean;
}

/** DeepSeek's envelope: OpenAI's four keys, `code` usually `invalid_request_error`. */
function deepseekError(_status: number, spec: FakeErrorSpec): unknown {
  return {
    error: {
      message: spec.message,
      type: spec.type ?? 'invalid_request_error',
      param: spec.param ?? null,
      code: spec.code ?? 'invalid_request_error',
    },
  };
}

function deepseekUsage(count: FakeUsageCount): Record<string, unknown> {
  const completion = count.completion + count.reasoning;
  return {
    prompt_tokens: count.prompt,
    completion_tokens: completion,
    total_tokens: count.prompt + completion,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: count.reasoning },
    prompt_cache_hit_tokens: 0,
    prompt_cache_miss_tokens: count.prompt,
  };
}

function unauthorized(header: string | undefined, plainText: boolean): FakeAnswer {
  if (plainText) return { status: 401, body: 'Authentication Fails' };
  const message =
    header === undefined || !header.startsWith('Bearer ')
      ? 'Authentication Fails (auth header format should be Bearer sk-...)'
      : `Authentication Fails, Your api key: ****${header.slice(-4)} is invalid`;
  return refusal(deepseekError, 401, { message, type: 'authentication_error' });
}

export const DEEPSEEK_INSUFFICIENT_BALANCE: FakeAnswer = {
  status: 402,
  body: deepseekError(402, { message: 'Insufficient Balance', type: 'unknown_error' }),
};

export function deepseekDialect(options: DeepSeekDialectOptions = {}): FakeDialect {
  const plainText = options.plainTextAuthErrors === true;
  return {
    ...OPENAI_COMPATIBLE_DEFAULTS,
    name: 'deepseek',
    basePath: '/v1',
    defaultApiKey: FAKE_DEEPSEEK_API_KEY,
    defaultModels: ['deepseek-chat', 'deepseek-reasoner'],
    modelOwner: 'deepseek',
    embeddings: undefined,
    authenticate: (headers, apiKey) => {
      const header = headers.authorization;
      return header === `Bearer ${apiKey}` ? undefined : unauthorized(header, plainText);
    },
    error: deepseekError,
    failure: standardFailure(deepseekError, {
      401: unauthorized('Bearer sk-wrong-key-1234', plainText),
      402: DEEPSEEK_INSUFFICIENT_BALANCE,
      422: refusal(deepseekError, 422, { message: 'Invalid Parameters' }),
      429: refusal(deepseekError, 429, { message: 'Rate Limit Reached', type: 'rate_limit_error' }),
      503: refusal(deepseekError, 503, {
        message: 'Server overloaded, please try again later.',
        type: 'service_unavailable_error',
      }),
    }),
    streamError: () => deepseekError(500, { message: 'Internal Server Error', type: 'api_error' }),
    modelNotFound: () => refusal(deepseekError, 400, { message: 'Model Not Exist' }),
    notFound: () => ({
      status: 404,
      body: { error_msg: 'Not Found. Please check the configuration.' },
    }),
    checkChat: ({ body }) => {
      if (responseFormatType(body) === 'json_schema') {
        return refusal(deepseekError, 400, {
          message: 'This response_format type is unavailable now',
        });
      }
      const image = imageParts(body)[0];
      if (image === undefined) return undefined;
      return refusal(deepseekError, 400, {
        message: `Failed to deserialize the JSON body into the target type: messages[${image.message}]: unknown variant \`image_url\`, expected \`text\` at line 1 column 120`,
      });
    },
    completionId: (sequence) =>
      `${hex(sequence, 8)}-${hex(sequence + 1, 4)}-4${hex(sequence + 2, 3)}-8${hex(sequence + 3, 3)}-${hex(sequence + 4, 12)}`,
    toolCallId: (sequence, index) => `call_0${index}_${alphanumeric(sequence * 17 + index, 24)}`,
    toolCallIndex: 'always',
    contentWithToolCalls: '',
    streamUsage: 'finish',
    reasoningField: 'reasoning_content',
    defaultReasoning: (model) =>
      model === 'deepseek-reasoner'
        ? 'The user greets me; a short, friendly answer will do.'
        : undefined,
    usageBody: deepseekUsage,
    roleDelta: () => ({ role: 'assistant', content: '' }),
    finishDelta: () => ({ content: '' }),
    streamFormat: { keepAliveComments: options.keepAliveComments ?? true },
    leadingBlankLines: options.leadingBlankLines ?? 2,
    decorateCompletion: (body) => {
      body.system_fingerprint = 'fp_fakedeepseek';
    },
    decorateChunk: (chunk, stage) => {
      chunk.system_fingerprint = 'fp_fakedeepseek';
      const delta = asRecord(asRecord((chunk.choices as unknown[])[0])?.delta);
      if (stage === 'reasoning' && delta) delta.content = null;
    },
  };
}

/** DeepSeek as it usually answers: keep-alive comments, two blank lines before JSON. */
export const DEEPSEEK_DIALECT: FakeDialect = deepseekDialect();
