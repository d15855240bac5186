/**
 * OpenAI itself (wire-formats section 1): Bearer key, unknown request fields refused with 400,
 * `refusal`, `annotations`, `service_tier`, `system_fingerprint` and `obfuscation` on answers and
 * chunks, usage chunk only with `include_usage` (and `usage: null` on the others), base64
 * embeddings; and the Responses API (`openai-responses.api.ts`). `FakeOpenAiServer` is this
 * dialect.
 */
import {
  CHAT_FIELDS,
  defaultErrorBody,
  EMBEDDING_FIELDS,
  serverError,
  unauthorized,
} from '../fake-openai.requests.js';
import { openAiUsage } from '../fake-openai.payloads.js';
import type { FakeDialect } from './fake-dialect.js';
import { openAiResponsesRoute } from './openai-responses.api.js';
import {
  asRecord,
  openAiEnvelope,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  unknownField,
} from './fake-dialect.helpers.js';

export const FAKE_OPENAI_API_KEY = 'sk-fake-openai-test-key';

const unrecognized = (field: string) =>
  refusal(openAiEnvelope, 400, { message: `Unrecognized request argument supplied: ${field}` });

export const OPENAI_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'openai',
  basePath: '/v1',
  defaultApiKey: FAKE_OPENAI_API_KEY,
  defaultModels: ['gpt-4o', 'gpt-4o-mini', 'text-embedding-3-small'],
  embeddings: {
    base64: true,
    check: (body) => {
      const field = unknownField(body, EMBEDDING_FIELDS);
      return field === undefined ? undefined : unrecognized(field);
    },
  },
  authenticate: (headers, apiKey) => {
    const header = headers.authorization;
    if (header === `Bearer ${apiKey}`) return undefined;
    return { status: 401, body: unauthorized(header) };
  },
  failure: (status) => ({ status, body: defaultErrorBody(status) }),
  streamError: serverError,
  checkChat: ({ body }) => {
    const field = unknownField(body, CHAT_FIELDS);
    return field === undefined ? undefined : unrecognized(field);
  },
  refusals: true,
  route: (method, url) => openAiResponsesRoute(method, url.pathname),
  usageBody: openAiUsage,
  roleDelta: (hasToolCalls) => ({
    role: 'assistant',
    content: hasToolCalls ? null : '',
    refusal: null,
  }),
  answerHeaders: () => ({
    'x-request-id': `req_fake${Math.random().toString(16).slice(2, 10)}`,
    'openai-processing-ms': '1',
    'openai-version': '2020-10-01',
  }),
  decorateCompletion: (body, { reply }) => {
    const message = asRecord((body.choices as unknown[])[0])?.message;
    Object.assign(asRecord(message) ?? {}, { annotations: [] });
    body.service_tier = 'default';
    body.system_fingerprint = fingerprint(reply.systemFingerprint);
  },
  decorateChunk: (chunk, _stage, { reply }) => {
    chunk.service_tier = 'default';
    chunk.system_fingerprint = fingerprint(reply.systemFingerprint);
    chunk.obfuscation = 'fAk3';
  },
};

function fingerprint(value: string | null | undefined): string | null {
  return value === undefined ? 'fp_fake0001' : value;
}
