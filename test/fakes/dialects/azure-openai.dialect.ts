/**
 * Azure OpenAI, deployment style (wire-formats sections 2 and 20 item 7): the deployment in the
 * path decides the model (the body's `model` is ignored), `api-version` is required, the key is in
 * the `api-key` header. Answers carry `prompt_filter_results` and `content_filter_results`;
 * streams open with a filter-only chunk (`choices: []`, `id: ""`, `model: ""`, `object: ""`,
 * `created: 0`) and `system_fingerprint` is `null` unless the reply sets one. Errors are often
 * not OpenAI's four-key envelope: `{"error":{"code":"429","message":...}}` with `retry-after` and
 * `retry-after-ms`, `DeploymentNotFound`, and the content-filter 400 with `innererror`.
 */
import { CHAT_FIELDS, EMBEDDING_FIELDS, serverError } from '../fake-openai.requests.js';
import { openAiUsage } from '../fake-openai.payloads.js';
import type { FakeAnswer } from '../fake-openai-compatible.types.js';
import type { FakeDialect } from './fake-dialect.js';
import { openAiResponsesRoute } from './openai-responses.api.js';
import {
  alphanumeric,
  asRecord,
  hex,
  openAiEnvelope,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  unknownField,
} from './fake-dialect.helpers.js';

export const FAKE_AZURE_OPENAI_API_KEY = 'fake-azure-openai-key-0123456789abcdef';
export const AZURE_API_VERSION = '2024-10-21';

/** Azure's short envelope: `{"error":{"code","message"}}`. */
function azureError(code: string, message: string): unknown {
  return { error: { code, message } };
}

const SAFE = { filtered: false, severity: 'safe' };
const FILTER_RESULTS = { hate: SAFE, self_harm: SAFE, sexual: SAFE, violence: SAFE };
const PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: {
      ...FILTER_RESULTS,
      jailbreak: { filtered: false, detected: false },
    },
  },
];

/** The 400 Azure answers when the prompt trips its content filter. */
export function azureContentFilterError(): unknown {
  return {
    error: {
      message:
        "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
      type: null,
      param: 'prompt',
      code: 'content_filter',
      status: 400,
      innererror: {
        code: 'ResponsibleAIPolicyViolation',
        content_filter_result: {
          hate: SAFE,
          jailbreak: { filtered: false, detected: false },
          self_harm: SAFE,
          sexual: SAFE,
          violence: { filtered: true, severity: 'medium' },
        },
      },
    },
  };
}

/** The 429 body, with `retry-after` and `retry-after-ms` headers. */
export function azureRateLimit(seconds = 6): FakeAnswer {
  return {
    status: 429,
    body: azureError(
      '429',
      `Requests to the ChatCompletions_Create Operation under Azure OpenAI API version ${AZURE_API_VERSION} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} seconds. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
    ),
    headers: { 'retry-after': String(seconds), 'retry-after-ms': String(seconds * 1000) },
  };
}

const UNAUTHORIZED: FakeAnswer = {
  status: 401,
  body: azureError(
    '401',
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  ),
};

const NOT_FOUND: FakeAnswer = { status: 404, body: azureError('404', 'Resource not found') };

const MISSING_API_VERSION = {
  status: 400,
  body: azureError(
    'MissingApiVersionParameter',
    'The api-version query parameter (?api-version=) is required for all requests.',
  ),
};

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;

const unrecognized = (field: string) =>
  refusal(openAiEnvelope, 400, { message: `Unrecognized request argument supplied: ${field}` });

export const AZURE_OPENAI_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'azure-openai',
  basePath: '/openai',
  defaultApiKey: FAKE_AZURE_OPENAI_API_KEY,
  // No list: any deployment answers until `setModels` names the deployments.
  defaultModels: [],
  modelsList: undefined,
  embeddings: {
    base64: true,
    check: (body) => {
      const field = unknownField(body, EMBEDDING_FIELDS);
      return field === undefined ? undefined : unrecognized(field);
    },
  },
  authenticate: (headers, apiKey) => (headers['api-key'] === apiKey ? undefined : UNAUTHORIZED),
  route: (method, url) => {
    // The Responses API sits beside the deployments: the resource's and the v1 API's.
    if (url.pathname === '/openai/responses' || url.pathname === '/openai/v1/responses') {
      if (url.pathname === '/openai/responses' && !url.searchParams.get('api-version')) {
        return { kind: 'answer', answer: MISSING_API_VERSION };
      }
      return openAiResponsesRoute(method, '/v1/responses');
    }
    const match = DEPLOYMENT_PATH.exec(url.pathname);
    if (match === null || method !== 'POST') return { kind: 'answer', answer: NOT_FOUND };
    if (!url.searchParams.get('api-version')) {
      return { kind: 'answer', answer: MISSING_API_VERSION };
    }
    const model = decodeURIComponent(match[1]);
    const kind = match[2] === 'embeddings' ? 'embeddings' : 'chat';
    return { kind, model, strictModel: true };
  },
  notFound: () => NOT_FOUND,
  modelNotFound: () => ({
    status: 404,
    body: azureError(
      'DeploymentNotFound',
      'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
    ),
  }),
  failure: (status) => {
    if (status === 429) return azureRateLimit();
    if (status === 401) return UNAUTHORIZED;
    if (status === 404) return AZURE_OPENAI_DIALECT.modelNotFound('');
    if (status === 400) return { status, body: azureContentFilterError() };
    if (status >= 500) return { status, body: serverError() };
    return { status, body: openAiEnvelope(status, { message: 'The request failed.' }) };
  },
  streamError: serverError,
  checkChat: ({ body }) => {
    const field = unknownField(body, new Set([...CHAT_FIELDS, 'data_sources']));
    return field === undefined ? undefined : unrecognized(field);
  },
  completionId: (sequence) => `chatcmpl-${alphanumeric(sequence, 29)}`,
  toolCallId: (sequence, index) => `call_${alphanumeric(sequence * 7 + index, 24)}`,
  refusals: true,
  usageBody: openAiUsage,
  roleDelta: (hasToolCalls) => ({
    role: 'assistant',
    content: hasToolCalls ? null : '',
    refusal: null,
  }),
  answerHeaders: () => ({
    'apim-request-id': `${hex(Date.now(), 8)}-fake-azure`,
    'x-ms-region': 'East US',
    'x-ratelimit-remaining-requests': '99',
    'x-ratelimit-remaining-tokens': '99000',
  }),
  leadingChunks: () => [
    {
      choices: [],
      created: 0,
      id: '',
      model: '',
      object: '',
      prompt_filter_results: PROMPT_FILTER_RESULTS,
    },
  ],
  decorateCompletion: (body, { reply }) => {
    const choice = asRecord((body.choices as unknown[])[0]);
    if (choice) choice.content_filter_results = FILTER_RESULTS;
    body.prompt_filter_results = PROMPT_FILTER_RESULTS;
    body.system_fingerprint = reply.systemFingerprint ?? null;
  },
  decorateChunk: (chunk, stage, { reply }) => {
    chunk.system_fingerprint = reply.systemFingerprint ?? null;
    const choice = asRecord((chunk.choices as unknown[])[0]);
    if (!choice) return;
    const filtered = stage === 'content' || stage === 'reasoning';
    choice.content_filter_results = filtered ? FILTER_RESULTS : {};
  },
};
