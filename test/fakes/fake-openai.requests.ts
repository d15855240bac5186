/**
 * What OpenAI accepts in a request, and the error bodies it answers with, in OpenAI's words
 * (wire-formats sections 1.1, 1.4, 1.6): used by the `openai` and `azure-openai` dialects. Pure.
 */
import { openAiError, type OpenAiErrorBody } from './fake-openai.payloads.js';

/** Top-level fields OpenAI accepts on chat; anything else is refused, as OpenAI does. */
export const CHAT_FIELDS: ReadonlySet<string> = new Set([
  'model', 'messages', 'temperature', 'top_p', 'max_tokens', 'max_completion_tokens', 'n', 'stop',
  'seed', 'presence_penalty', 'frequency_penalty', 'logit_bias', 'logprobs', 'top_logprobs',
  'user', 'safety_identifier', 'prompt_cache_key', 'stream', 'stream_options', 'tools',
  'tool_choice', 'parallel_tool_calls', 'response_format', 'reasoning_effort', 'service_tier',
  'store', 'metadata', 'modalities', 'audio', 'prediction', 'web_search_options', 'functions',
  'function_call', 'verbosity', 'prompt_cache_retention',
]); // prettier-ignore

/** The embeddings schema has `additionalProperties: false`. */
export const EMBEDDING_FIELDS: ReadonlySet<string> = new Set([
  'model', 'input', 'encoding_format', 'dimensions', 'user',
]); // prettier-ignore

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
