/**
 * What most dialects share: OpenAI's defaults (spread {@link OPENAI_COMPATIBLE_DEFAULTS} and
 * override the quirks), bearer checks, error envelopes and request inspection. Pure.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FakeAnswer, FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect, FakeUsageCount } from './fake-dialect.js';

/** OpenAI's four-key envelope, `{"error":{message,type,param,code}}`. */
export function openAiEnvelope(_status: number, spec: FakeErrorSpec): unknown {
  return {
    error: {
      message: spec.message,
      type: spec.type === undefined ? 'invalid_request_error' : spec.type,
      param: spec.param ?? null,
      code: spec.code ?? null,
    },
  };
}

/** An answer with `status` and the dialect's envelope around `spec`. */
export function refusal(
  error: FakeDialect['error'],
  status: number,
  spec: FakeErrorSpec,
  headers?: Record<string, string>,
): FakeAnswer {
  return { status, body: error(status, spec), headers };
}

/**
 * `failNext(status)` answers in the vendor's envelope with a realistic message for the usual
 * statuses; `overrides` replace some statuses with the vendor's own wording.
 */
export function standardFailure(
  error: FakeDialect['error'],
  overrides: Partial<Record<number, FakeAnswer>> = {},
): FakeDialect['failure'] {
  return (status) => {
    const own = overrides[status];
    if (own !== undefined) return own;
    return { status, body: error(status, standardSpec(status)) };
  };
}

function standardSpec(status: number): FakeErrorSpec {
  switch (status) {
    case 401:
      return { message: 'Invalid API key provided.', code: 'invalid_api_key' };
    case 403:
      return { message: 'You are not allowed to use this model.', type: 'permission_error' };
    case 404:
      return { message: 'The model `nope` does not exist.', code: 'model_not_found' };
    case 429:
      return {
        message: 'Rate limit reached for requests. Please try again in 1s.',
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
      };
    default:
      if (status >= 500) {
        return {
          message: 'The server had an error while processing your request.',
          type: 'server_error',
        };
      }
      return {
        message: "Invalid value for 'temperature': expected a number between 0 and 2.",
        code: 'invalid_value',
        param: 'temperature',
      };
  }
}

/** Checks `Authorization: Bearer <key>`; `refuse` shapes the vendor's 401. */
export function bearerAuth(
  refuse: (presented: string | undefined) => FakeAnswer,
): FakeDialect['authenticate'] {
  return (headers: IncomingHttpHeaders, apiKey: string) => {
    const header = headers.authorization;
    return header === `Bearer ${apiKey}` ? undefined : refuse(header);
  };
}

/** The first top-level field of `body` that `allowed` lacks. */
export function unknownField(
  body: Record<string, unknown>,
  allowed: ReadonlySet<string>,
): string | undefined {
  return Object.keys(body).find((key) => !allowed.has(key));
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The messages of a chat body, each as an object (non-objects skipped). */
export function messagesOf(body: Record<string, unknown>): Record<string, unknown>[] {
  const messages = Array.isArray(body.messages) ? (body.messages as unknown[]) : [];
  return messages.map(asRecord).filter((m) => m !== undefined);
}

/** Every `image_url` part of the messages: its message index and URL. */
export function imageParts(
  body: Record<string, unknown>,
): { readonly message: number; readonly url: string }[] {
  const found: { message: number; url: string }[] = [];
  messagesOf(body).forEach((message, index) => {
    const parts = Array.isArray(message.content) ? (message.content as unknown[]) : [];
    for (const part of parts.map(asRecord)) {
      if (part?.type !== 'image_url') continue;
      const image = part.image_url;
      const url = typeof image === 'string' ? image : asRecord(image)?.url;
      found.push({ message: index, url: typeof url === 'string' ? url : '' });
    }
  });
  return found;
}

/** `response_format.type`, if any. */
export function responseFormatType(body: Record<string, unknown>): string | undefined {
  const type = asRecord(body.response_format)?.type;
  return typeof type === 'string' ? type : undefined;
}

/** Deterministic alphanumerics (`length` of them) from `seed`: stable ids across runs. */
export function alphanumeric(seed: number, length: number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let state = (seed * 2_654_435_761 + 97) >>> 0;
  let out = '';
  for (let i = 0; i < length; i++) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    out += alphabet[(state >>> 8) % alphabet.length];
  }
  return out;
}

/** Deterministic lower-case hex (`length` digits) from `seed`. */
export function hex(seed: number, length: number): string {
  let state = (seed * 2_246_822_519 + 3) >>> 0;
  let out = '';
  while (out.length < length) {
    state = (state * 1_103_515_245 + 12_345) >>> 0;
    out += (state >>> 4).toString(16).padStart(7, '0').slice(-7);
  }
  return out.slice(0, length);
}

/** `{prompt_tokens, completion_tokens, total_tokens}`, the shape most compatibles send. */
export function plainUsage(count: FakeUsageCount): Record<string, unknown> {
  const completion = count.completion + count.reasoning;
  return {
    prompt_tokens: count.prompt,
    completion_tokens: completion,
    total_tokens: count.prompt + completion,
  };
}

/** An OpenAI-compatible vendor with no quirks; each dialect spreads it and overrides. */
export const OPENAI_COMPATIBLE_DEFAULTS = {
  embeddings: { base64: true },
  modelsList: 'list',
  modelOwner: 'system',
  authenticate: bearerAuth(() => ({
    status: 401,
    body: openAiEnvelope(401, { message: 'Invalid API key provided.', code: 'invalid_api_key' }),
  })),
  error: openAiEnvelope,
  failure: standardFailure(openAiEnvelope),
  streamError: () =>
    openAiEnvelope(500, {
      message: 'The server had an error while processing your request.',
      type: 'server_error',
    }),
  modelNotFound: (model: string) =>
    refusal(openAiEnvelope, 404, {
      message: `The model \`${model}\` does not exist or you do not have access to it.`,
      code: 'model_not_found',
    }),
  notFound: (method: string, path: string) =>
    refusal(openAiEnvelope, 404, { message: `Invalid URL (${method} ${path})` }),
  completionId: (sequence: number) => `chatcmpl-fake${sequence}`,
  toolCallId: (sequence: number, index: number) => `call_fake${sequence}x${index}`,
  toolCallDeltas: 'fragments',
  toolCallIndex: 'stream',
  toolCallType: true,
  contentWithToolCalls: null,
  streamUsage: 'trailing',
  usageNullWhenAsked: true,
  sparseChunks: false,
  refusals: false,
  reasoningField: undefined,
  usageBody: plainUsage,
  roleDelta: (hasToolCalls: boolean) => ({
    role: 'assistant',
    content: hasToolCalls ? null : '',
  }),
  finishDelta: () => ({}),
  streamFormat: {},
  leadingBlankLines: 0,
  answerHeaders: () => ({}),
} satisfies Omit<FakeDialect, 'name' | 'basePath' | 'defaultApiKey' | 'defaultModels'>;
