import type { GatewayConfig } from '../../config/gateway-config.types.js';
import type { UpstreamHttpClient } from '../http/upstream-http.client.js';
import { forwarded } from '../field-map.js';
import { capabilities } from '../openai-compatible/compatible-capabilities.js';
import { OpenAiCompatibleAdapter } from '../openai-compatible/openai-compatible.adapter.js';
import type { OpenAiCompatibleProfile } from '../openai-compatible/openai-compatible.profile.js';

export type CustomProviderSettings = GatewayConfig['providers']['custom'][string];

/**
 * The credential header: `Authorization: Bearer <key>` by default; another header name (e.g.
 * `x-api-key`) or scheme (empty: the bare key) where the host wants it; none without a key.
 */
function credentialHeaders(settings: CustomProviderSettings): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(settings.headers)) headers[name.toLowerCase()] = value;
  if (settings.apiKey !== '') {
    const scheme = settings.authScheme.trim();
    headers[settings.authHeader.toLowerCase()] =
      scheme === '' ? settings.apiKey : `${scheme} ${settings.apiKey}`;
  }
  return headers;
}

/**
 * A custom OpenAI-compatible host (`gateway.providers.custom.<name>`): Fireworks, Together,
 * Perplexity, vLLM, LiteLLM, Docker Model Runner or a corporate gateway. Its capabilities are what
 * the operator declares; the shared reader already copes with the long tail's stream variants
 * (cumulative usage on every chunk, finish reasons omitted mid-stream, a `chat.completion.done`
 * last chunk).
 */
export function customProfile(
  name: string,
  settings: CustomProviderSettings,
): OpenAiCompatibleProfile {
  const declared = settings.capabilities;
  const row = capabilities({
    streaming: declared.streaming,
    vision: declared.vision,
    tools: declared.tools,
    jsonObject: declared.jsonObject ? 'native' : 'none',
    jsonSchema: declared.jsonSchema ? 'native' : 'none',
    embeddings: declared.embeddings,
    maxContextTokens: declared.maxContextTokens,
    fields: Object.fromEntries(declared.fields.map((field) => [field, forwarded()])),
  });
  const prefix = settings.stripPrefix ? settings.prefix[0] : undefined;
  return {
    id: name,
    baseUrl: settings.baseUrl,
    headers: credentialHeaders(settings),
    secrets: settings.apiKey === '' ? [] : [settings.apiKey],
    embeddingsPath: declared.embeddings ? () => '/embeddings' : undefined,
    capabilities: () => ({ ...row }),
    listModels: () =>
      settings.models.map((model) => ({
        id: prefix !== undefined && !model.startsWith(prefix) ? `${prefix}${model}` : model,
        ownedBy: name,
      })),
    streamUsage: settings.streamUsage,
    embeddingsBase64: false,
  };
}

/** Built per configured name by `custom.provider-definition.ts`, not by Nest's injector. */
export class CustomOpenAiCompatibleAdapter extends OpenAiCompatibleAdapter {
  constructor(name: string, settings: CustomProviderSettings, http: UpstreamHttpClient) {
    super(customProfile(name, settings), http);
  }
}
