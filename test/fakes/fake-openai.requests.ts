/**
 * How the fake OpenAI server judges a request, and the error bodies it answers with, in OpenAI's
 * words (wire-formats sections 1.1, 1.4, 1.6). Pure.
 */
import { openAiError, type OpenAiErrorBody } from './fake-openai.payloads.js';

/** Top-level fields OpenAI accepts on chat; anything else is refused, as OpenAI does. */
const CHAT_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n', 'stop',
  'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
  'user', 'safety_identifier', 'prompt_cache_key', 'stream', 'stream_options', 'tools',
  'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'service_tier',
  'store', 'metadata', 'modalities', 'audio', 'prediction', 'web_search_options', 'functions',
  'function_call',
]); // prettier-ignore

/** The embeddings schema has `additionalProperties: false`. */
const EMBEDDING_FIELDS: ReadonlySet<string> = new Set([
  'model', 'input', 'encoding_format', 'dimensions', 'user',
]); // prettier-ignore

const UNPARSABLE = 'We could not parse the JSON body of your request.';

export type Checked<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: OpenAiErrorBody };

export interface ChatCall {
  readonly body: Record<string, unknown>;
  readonly model: string;
  readonly stream: boolean;
  readonly includeUsage: boolean;
}

export interface EmbeddingCall {
  readonly model: string;
  /** Each input as text (token arrays are embedded as their JSON). */
  readonly inputs: string[];
  readonly base64: boolean;
  readonly dimensions: number;
}

export function checkChatRequest(json: unknown): Checked<ChatCall> {
  const body = asRecord(json);
  if (body === undefined) return refuse(openAiError(UNPARSABLE));
  const error = checkFields(body, CHAT_FIELDS);
  if (error) return refuse(error);
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return refuse(
      openAiError(
        "[] is too short - 'messages'",
        'invalid_request_error',
        'empty_array',
        'messages',
      ),
    );
  }
  return {
    ok: true,
    value: {
      body,
      model: String(body.model),
      stream: body.stream === true,
      includeUsage: asRecord(body.stream_options)?.include_usage === true,
    },
  };
}

export function checkEmbeddingRequest(json: unknown): Checked<EmbeddingCall> {
  const body = asRecord(json);
  if (body === undefined) return refuse(openAiError(UNPARSABLE));
  const error = checkFields(body, EMBEDDING_FIELDS);
  if (error) return refuse(error);
  const input = body.input;
  let inputs: string[] | undefined;
  if (typeof input === 'string') inputs = [input];
  else if (Array.isArray(input) && input.length > 0) {
    inputs = input.every((i) => typeof i === 'number')
      ? [JSON.stringify(input)]
      : input.map((i) => (typeof i === 'string' ? i : JSON.stringify(i)));
  }
  if (inputs === undefined) {
    return refuse(
      openAiError("'input' is a required property", 'invalid_request_error', null, 'input'),
    );
  }
  const format = body.encoding_format ?? 'float';
  if (format !== 'float' && format !== 'base64') {
    return refuse(
      openAiError(
        "Invalid value for 'encoding_format'",
        'invalid_request_error',
        'invalid_value',
        'encoding_format',
      ),
    );
  }
  return {
    ok: true,
    value: {
      model: String(body.model),
      inputs,
      base64: format === 'base64',
      dimensions: typeof body.dimensions === 'number' ? body.dimensions : 8,
    },
  };
}

/** OpenAI's 401 for a missing or wrong key; the key is masked as OpenAI masks it. */
export function unauthorized(header: string | undefined): OpenAiErrorBody {
  if (header === undefined || !header.startsWith('Bearer ')) {
    return openAiError(
      "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
    );
  }
  const key = header.slice('Bearer '.length);
  const masked =
    key.length > 8 ? `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}` : '***';
  return openAiError(
    `Incorrect API key provided: ${masked}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    'invalid_request_error',
    'invalid_api_key',
  );
}

/** A realistic body for a scripted failure with `status`. */
export function defaultErrorBody(status: number): OpenAiErrorBody {
  if (status === 429) {
    return openAiError(
      'Rate limit reached for gpt-4o-mini in organization org-fake on requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.',
      'requests',
      'rate_limit_exceeded',
    );
  }
  if (status >= 500) return serverError();
  if (status === 401) return unauthorized('Bearer sk-wrong-key-123');
  if (status === 404) {
    return openAiError(
      'The model `gpt-nope` does not exist or you do not have access to it.',
      'invalid_request_error',
      'model_not_found',
    );
  }
  return openAiError(
    "Invalid value for 'temperature': expected a number between 0 and 2.",
    'invalid_request_error',
    'invalid_value',
    'temperature',
  );
}

/** OpenAI's generic 500 body, also sent as a mid-stream error frame. */
export function serverError(): OpenAiErrorBody {
  return openAiError(
    'The server had an error while processing your request. Sorry about that!',
    'server_error',
  );
}

function checkFields(
  body: Record<string, unknown>,
  allowed: ReadonlySet<string>,
): OpenAiErrorBody | undefined {
  const unknown = Object.keys(body).find((key) => !allowed.has(key));
  if (unknown !== undefined)
    return openAiError(`Unrecognized request argument supplied: ${unknown}`);
  if (typeof body.model !== 'string' || body.model === '') {
    return openAiError('you must provide a model parameter');
  }
  return undefined;
}

function refuse(error: OpenAiErrorBody): { ok: false; error: OpenAiErrorBody } {
  return { ok: false, error };
}

export function asRecord(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}
