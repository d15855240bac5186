import { type CustomProviderSettings, customProfile } from './custom.adapter.js';

const base: CustomProviderSettings = {
  enabled: true,
  baseUrl: 'https://api.fireworks.ai/inference/v1',
  prefix: ['fireworks/'],
  stripPrefix: true,
  apiKey: 'fw-key',
  authHeader: 'Authorization',
  authScheme: 'Bearer',
  headers: {},
  streamUsage: true,
  models: ['accounts/fireworks/models/llama-v3-70b', 'fireworks/qwen3'],
  capabilities: {
    streaming: true,
    vision: false,
    tools: true,
    jsonObject: true,
    jsonSchema: false,
    embeddings: false,
    maxContextTokens: 128_000,
    fields: [],
  },
  resilience: undefined,
};

describe('custom provider profile', () => {
  it('sends the key as a Bearer token by default', () => {
    expect(customProfile('fireworks', base).headers).toEqual({ authorization: 'Bearer fw-key' });
  });

  it('sends the key under another header, bare when the scheme is empty, plus static headers', () => {
    const profile = customProfile('corp', {
      ...base,
      authHeader: 'X-Api-Key',
      authScheme: '',
      headers: { 'X-Tenant': 'blue' },
    });
    expect(profile.headers).toEqual({ 'x-api-key': 'fw-key', 'x-tenant': 'blue' });
    expect(profile.secrets).toEqual(['fw-key']);
  });

  it('sends no credential without a key (Docker Model Runner, local vLLM)', () => {
    const profile = customProfile('dmr', { ...base, apiKey: '' });
    expect(profile.headers).toEqual({});
    expect(profile.secrets).toEqual([]);
  });

  it('declares the capabilities the operator set, embeddings only when declared', () => {
    const profile = customProfile('fireworks', base);
    expect(profile.capabilities('x')).toMatchObject({
      vision: false,
      tools: true,
      jsonObject: 'native',
      jsonSchema: 'none',
      embeddings: false,
    });
    expect(profile.embeddingsPath).toBeUndefined();
    const embedding = customProfile('fireworks', {
      ...base,
      capabilities: { ...base.capabilities, embeddings: true },
    });
    expect(embedding.embeddingsPath?.('m')).toBe('/embeddings');
  });

  it('forwards only the optional OpenAI fields the operator declared', () => {
    expect(customProfile('fireworks', base).capabilities('x').fields).toEqual({});
    const vllm = customProfile('vllm', {
      ...base,
      capabilities: { ...base.capabilities, fields: ['n', 'logprobs', 'top_logprobs'] },
    });
    expect(vllm.capabilities('x').fields).toEqual({
      n: { how: 'forward' },
      logprobs: { how: 'forward' },
      top_logprobs: { how: 'forward' },
    });
  });

  it('lists its models under its prefix', () => {
    expect(
      customProfile('fireworks', base)
        .listModels()
        .map((m) => m.id),
    ).toEqual(['fireworks/accounts/fireworks/models/llama-v3-70b', 'fireworks/qwen3']);
  });
});
