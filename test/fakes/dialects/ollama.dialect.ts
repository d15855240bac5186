/**
 * Ollama (wire-formats sections 6 and 20 item 8). The gateway is configured with the bare origin
 * and appends `/v1`; the fake serves both the OpenAI-compatible `/v1` and the native API
 * (`ollama-native.api.ts`). No credentials checked (any or no Bearer). On `/v1`:
 * `system_fingerprint: "fp_ollama"`, ids `chatcmpl-<n>`, every delta repeats `role` and
 * `content`, tool calls whole in one delta, the finish reason on its own chunk, usage only with
 * `include_usage`, reasoning in `reasoning`. Image URLs that are not data URLs are refused;
 * `tool_choice` is ignored (Ollama has none); embeddings ignore `encoding_format` and always send
 * floats (ollama/ollama#6934), and token-array inputs are refused. Errors use OpenAI's envelope on
 * `/v1` and `{"error":"..."}` on the native API.
 */
import type { FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect } from './fake-dialect.js';
import {
  alphanumeric,
  asRecord,
  imageParts,
  openAiEnvelope,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
} from './fake-dialect.helpers.js';
import { ollamaNativeFailure, ollamaNativeRoute } from './ollama-native.api.js';

/** Ollama checks no key; the gateway may send any. */
export const FAKE_OLLAMA_API_KEY = 'ollama';

/** Ollama's `/v1` envelope: `param` and `code` always null. */
function ollamaError(status: number, spec: FakeErrorSpec): unknown {
  const type =
    spec.type ??
    (status === 404 ? 'not_found_error' : status >= 500 ? 'api_error' : 'invalid_request_error');
  return openAiEnvelope(status, { message: spec.message, type });
}

export const OLLAMA_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'ollama',
  basePath: '/v1',
  baseUrl: (origin) => origin,
  defaultApiKey: FAKE_OLLAMA_API_KEY,
  defaultModels: ['llama3.2', 'qwen3', 'nomic-embed-text'],
  modelOwner: 'library',
  embeddings: {
    base64: 'ignored',
    check: (body) => {
      const input = body.input;
      const tokens = Array.isArray(input) && input.some((i) => typeof i !== 'string');
      return tokens ? refusal(ollamaError, 400, { message: 'invalid input type' }) : undefined;
    },
  },
  authenticate: () => undefined,
  route: (method, url) => ollamaNativeRoute(method, url.pathname),
  error: ollamaError,
  failure: (status, path) => {
    if (path.startsWith('/api/')) return ollamaNativeFailure(status);
    const message =
      status === 404
        ? 'model "nope" not found, try pulling it first'
        : ollamaNativeFailure(status).body;
    return refusal(ollamaError, status, {
      message: typeof message === 'string' ? message : String(asRecord(message)?.error),
    });
  },
  streamError: () =>
    ollamaError(500, { message: 'an error was encountered while running the model' }),
  modelNotFound: (model) =>
    refusal(ollamaError, 404, { message: `model "${model}" not found, try pulling it first` }),
  notFound: () => ({ status: 404, body: '404 page not found' }),
  checkChat: ({ body }) => {
    const remote = imageParts(body).find((image) => !image.url.startsWith('data:'));
    return remote ? refusal(ollamaError, 400, { message: 'invalid image input' }) : undefined;
  },
  completionId: (sequence) => `chatcmpl-${100 + sequence}`,
  toolCallId: (sequence, index) => `call_${alphanumeric(sequence * 5 + index, 8).toLowerCase()}`,
  toolCallDeltas: 'whole',
  contentWithToolCalls: '',
  usageNullWhenAsked: false,
  reasoningField: 'reasoning',
  roleDelta: () => ({ role: 'assistant', content: '' }),
  finishDelta: () => ({ role: 'assistant', content: '' }),
  decorateCompletion: (body) => {
    body.system_fingerprint = 'fp_ollama';
  },
  decorateChunk: (chunk) => {
    chunk.system_fingerprint = 'fp_ollama';
    const choice = asRecord((chunk.choices as unknown[])[0]);
    const delta = asRecord(choice?.delta);
    if (choice && delta) {
      choice.delta = { role: 'assistant', content: '', ...delta };
      delete choice.logprobs;
    }
  },
};
