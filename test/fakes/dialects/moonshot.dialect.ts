/**
 * Moonshot / Kimi (wire-formats section 12), after the real recordings in `vercel/ai`
 * (`packages/moonshotai/src/__fixtures__`): no embeddings. The finish chunk carries usage
 * **inside** `choices[0].usage`, always, with no top-level usage and no `choices: []` chunk, even
 * when `include_usage` was asked. Tool-call ids look like `functions.get_weather:0`. Errors are
 * `{"error":{"message","type"}}`. Refuses a temperature other than 1 on `kimi-k2*` models (400
 * `invalid temperature: only 1 is allowed for this model`) and image parts on models that are not
 * vision models (`*-vision-*`).
 */
import type { FakeErrorSpec } from '../fake-openai-compatible.types.js';
import type { FakeDialect } from './fake-dialect.js';
import {
  hex,
  imageParts,
  OPENAI_COMPATIBLE_DEFAULTS,
  refusal,
  standardFailure,
} from './fake-dialect.helpers.js';

export const FAKE_MOONSHOT_API_KEY = 'sk-fakemoonshot0123456789abcdef';

/** Moonshot's envelope: `message` and `type` only. */
function moonshotError(_status: number, spec: FakeErrorSpec): unknown {
  return { error: { message: spec.message, type: spec.type ?? 'invalid_request_error' } };
}

export const MOONSHOT_DIALECT: FakeDialect = {
  ...OPENAI_COMPATIBLE_DEFAULTS,
  name: 'moonshot',
  basePath: '/v1',
  defaultApiKey: FAKE_MOONSHOT_API_KEY,
  defaultModels: ['kimi-k2-0905-preview', 'moonshot-v1-8k', 'moonshot-v1-8k-vision-preview'],
  modelOwner: 'moonshot',
  embeddings: undefined,
  authenticate: (headers, apiKey) =>
    headers.authorization === `Bearer ${apiKey}`
      ? undefined
      : refusal(moonshotError, 401, {
          message: 'Invalid Authentication',
          type: 'invalid_authentication_error',
        }),
  error: moonshotError,
  failure: standardFailure(moonshotError, {
    429: refusal(moonshotError, 429, {
      message:
        'Your account org-fake request reached organization max RPM: 3, please try again after 1 seconds',
      type: 'rate_limit_reached_error',
    }),
  }),
  streamError: () => moonshotError(500, { message: 'internal error', type: 'server_error' }),
  modelNotFound: (model) =>
    refusal(moonshotError, 404, {
      message: `Not found the model ${model} or Permission denied`,
      type: 'resource_not_found_error',
    }),
  notFound: () => refusal(moonshotError, 404, { message: 'url not found', type: 'not_found' }),
  checkChat: ({ body, model }) => {
    const temperature = body.temperature;
    if (model.startsWith('kimi-k2') && temperature !== undefined && temperature !== 1) {
      return refusal(moonshotError, 400, {
        message: 'invalid temperature: only 1 is allowed for this model',
      });
    }
    if (imageParts(body).length > 0 && !model.includes('vision')) {
      return refusal(moonshotError, 400, {
        message: `Invalid request: the model ${model} does not support image input`,
      });
    }
    return undefined;
  },
  completionId: (sequence) => `chatcmpl-${hex(sequence, 24)}`,
  toolCallId: (_sequence, index, name) => `functions.${name}:${index}`,
  contentWithToolCalls: '',
  streamUsage: 'choice',
  usageNullWhenAsked: false,
  reasoningField: 'reasoning_content',
  decorateCompletion: (body) => {
    body.system_fingerprint = 'fpv0_fakekimi';
  },
  decorateChunk: (chunk) => {
    chunk.system_fingerprint = 'fpv0_fakekimi';
  },
};
