/**
 * A generic OpenAI-compatible host, for the gateway's custom providers (wire-formats sections 15
 * and 16), with the long tail's quirks as options: Perplexity's cumulative usage on every chunk,
 * its `"object":"chat.completion.done"` last chunk and intermediate chunks without
 * `finish_reason`, its base path without `/v1`; Together's bare-array `/models`; vLLM's flat
 * error envelope; llama.cpp's (Docker Model Runner's) numeric error `code`; any credential header.
 *
 * @example
 * new FakeOpenAiCompatibleServer(longTailDialect(PERPLEXITY_STYLE)); // baseUrl http://127.0.0.1:P
 * new FakeOpenAiCompatibleServer(longTailDialect({ authHeader: 'x-api-key' }));
 */
import type { FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect } from './fake-dialect.js';
import {
  openAiEnvelope,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  standardFailure,
} from './fake-dialect.helpers.js';

export const FAKE_LONG_TAIL_API_KEY = 'fake-long-tail-key-0123456789';

export interface LongTailOptions {
  /** The provider id; default `long-tail`. */
  readonly name?: string;
  /** Where the routes live; default `/v1` (Perplexity: `''`, Docker Model Runner: `/engines/v1`). */
  readonly basePath?: string;
  /** The credential header; default `authorization`. `false`: no credential checked. */
  readonly authHeader?: string | false;
  /** The scheme before the key; default `Bearer` for `authorization`, none for other headers. */
  readonly authScheme?: string;
  /** Perplexity: cumulative usage on every chunk, last chunk `object: "chat.completion.done"`. */
  readonly cumulativeUsage?: boolean;
  /** Intermediate chunks have no `finish_reason` (nor `logprobs`) key. */
  readonly omitFinishReasonKey?: boolean;
  /** Together: `GET /models` answers a bare JSON array. */
  readonly bareArrayModels?: boolean;
  /** vLLM before mid-2025: `{"object":"error","message","type":"BadRequestError","param","code":400}`. */
  readonly flatErrors?: boolean;
  /** llama.cpp / Docker Model Runner: `{"error":{"code":400,"message","type"}}`. */
  readonly numericErrorCode?: boolean;
  /** Serves `/embeddings`; default true. */
  readonly embeddings?: boolean;
  /** Serves `/models`; default true. */
  readonly models?: boolean;
  readonly defaultModels?: readonly string[];
}

/** Perplexity: no `/v1`, cumulative usage, `chat.completion.done`, no embeddings nor models. */
export const PERPLEXITY_STYLE: LongTailOptions = {
  name: 'perplexity',
  basePath: '',
  cumulativeUsage: true,
  omitFinishReasonKey: true,
  embeddings: false,
  models: false,
  defaultModels: ['sonar', 'sonar-pro'],
};

/** Together: a bare array from `/models`. */
export const TOGETHER_STYLE: LongTailOptions = { name: 'together', bareArrayModels: true };

/** vLLM: the flat error envelope. */
export const VLLM_STYLE: LongTailOptions = { name: 'vllm', flatErrors: true };

/** Docker Model Runner: llama.cpp errors, `/engines/v1`, no key. */
export const DOCKER_MODEL_RUNNER_STYLE: LongTailOptions = {
  name: 'docker-model-runner',
  basePath: '/engines/v1',
  authHeader: false,
  numericErrorCode: true,
  defaultModels: ['ai/smollm2', 'ai/llama3.2:1B-Q8_0'],
};

const STATUS_TYPE: Record<number, string> = {
  400: 'BadRequestError',
  401: 'UnauthorizedError',
  404: 'NotFoundError',
  429: 'RateLimitError',
};

function errorShape(options: LongTailOptions): FakeDialect['error'] {
  if (options.flatErrors) {
    return (status: number, spec: FakeErrorSpec) => ({
      object: 'error',
      message: spec.message,
      type: STATUS_TYPE[status] ?? 'InternalServerError',
      param: spec.param ?? null,
      code: status,
    });
  }
  if (options.numericErrorCode) {
    return (status: number, spec: FakeErrorSpec) => ({
      error: {
        code: status,
        message: spec.message,
        type: status >= 500 ? 'server_error' : (spec.type ?? 'invalid_request_error'),
      },
    });
  }
  return openAiEnvelope;
}

export function longTailDialect(options: LongTailOptions = {}): FakeDialect {
  const error = errorShape(options);
  const header = options.authHeader ?? 'authorization';
  const scheme = options.authScheme ?? (header === 'authorization' ? 'Bearer' : '');
  return {
    ...OPENAI_COMPATIBLE_DEFAULTS,
    name: options.name ?? 'long-tail',
    basePath: options.basePath ?? '/v1',
    defaultApiKey: FAKE_LONG_TAIL_API_KEY,
    defaultModels: options.defaultModels ?? ['llama-3.1-8b-instruct', 'bge-small-en'],
    embeddings: options.embeddings === false ? undefined : { base64: true },
    modelsList:
      options.models === false ? undefined : options.bareArrayModels ? 'bare-array' : 'list',
    authenticate: (headers, apiKey) => {
      if (header === false) return undefined;
      const expected = scheme ? `${scheme} ${apiKey}` : apiKey;
      if (headers[header.toLowerCase()] === expected) return undefined;
      return refusal(error, 401, { message: 'Invalid API key', code: 'invalid_api_key' });
    },
    error,
    failure: standardFailure(error),
    streamError: () => error(500, { message: 'Internal server error', type: 'server_error' }),
    modelNotFound: (model) =>
      refusal(error, 404, {
        message: `The model \`${model}\` does not exist.`,
        code: 'model_not_found',
      }),
    notFound: (method, path) => refusal(error, 404, { message: `Not Found: ${method} ${path}` }),
    streamUsage: options.cumulativeUsage ? 'every' : 'trailing',
    sparseChunks: options.omitFinishReasonKey === true,
    decorateChunk: options.cumulativeUsage
      ? (chunk, stage) => {
          if (stage === 'finish') chunk.object = 'chat.completion.done';
        }
      : undefined,
  };
}

/** A plain OpenAI-compatible host at `/v1` with a Bearer key and no quirks. */
export const LONG_TAIL_DIALECT: FakeDialect = longTailDialect();
