import { Module } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { StubLlmProvider } from '../../test/helpers/stub-llm-provider.js';
import type { ProviderDefinition } from './provider-definition.js';
import { ProviderRegistry } from './provider-registry.service.js';

const FakeAdapter = StubLlmProvider;

@Module({})
class UnusedModule {}

const definition = (
  id: string,
  prefixes: string[],
  stripPrefix: boolean,
  activationHint: string,
): ProviderDefinition => ({
  id,
  prefixes,
  stripPrefix,
  activationHint,
  isActive: () => true,
  load: () => Promise.resolve({ module: UnusedModule, adapter: FakeAdapter }),
});

describe(ProviderRegistry.name, () => {
  const catalog = [
    definition('openai', ['gpt', 'o1', 'text-embedding'], false, 'OPENAI_API_KEY'),
    definition('gpt-special', ['gpt-special/'], true, 'SPECIAL_KEY'),
    definition('groq', ['groq/'], true, 'GROQ_API_KEY'),
    definition('mock', ['mock/'], false, 'MOCK_PROVIDER_ENABLED=true'),
  ];
  const registry = new ProviderRegistry(catalog, [
    new FakeAdapter('openai'),
    new FakeAdapter('gpt-special'),
    new FakeAdapter('mock'),
  ]);

  const refusal = (model: string): GatewayError => {
    try {
      registry.resolve(model);
    } catch (err) {
      expect(err).toBeInstanceOf(GatewayError);
      return err as GatewayError;
    }
    throw new Error(`expected ${model} to be refused`);
  };

  it('dispatches by prefix and keeps the model name when the provider does not strip', () => {
    const { provider, upstreamModel } = registry.resolve('gpt-4o-mini');
    expect(provider.id).toBe('openai');
    expect(upstreamModel).toBe('gpt-4o-mini');
    expect(registry.resolve('mock/fast').upstreamModel).toBe('mock/fast');
  });

  it('lets the longest prefix win, and strips it where the provider says so', () => {
    const { provider, upstreamModel } = registry.resolve('gpt-special/llama-3');
    expect(provider.id).toBe('gpt-special');
    expect(upstreamModel).toBe('llama-3');
  });

  it('matches prefixes case-insensitively', () => {
    expect(registry.resolve('GPT-4o').provider.id).toBe('openai');
  });

  it('names the env var that would activate a known but unregistered provider', () => {
    const error = refusal('groq/llama3-70b');
    expect(error.code).toBe(ErrorCode.NoProvider);
    expect(error.status).toBe(400);
    expect(error.param).toBe('model');
    expect(error.message).toContain('GROQ_API_KEY');
    expect(error.message).toContain("'groq'");
  });

  it('lists the known prefixes when no provider serves a model', () => {
    const error = refusal('llama-3');
    expect(error.code).toBe(ErrorCode.NoProvider);
    expect(error.message).toContain("'llama-3'");
    expect(error.message).toContain('mock/');
  });

  it('refuses a model that is only a stripped prefix', () => {
    const error = refusal('gpt-special/');
    expect(error.code).toBe(ErrorCode.ValidationError);
    expect(error.param).toBe('model');
  });

  it('answers the same way on repeated lookups', () => {
    expect(refusal('groq/x').code).toBe(ErrorCode.NoProvider);
    expect(refusal('groq/x').code).toBe(ErrorCode.NoProvider);
    expect(registry.resolve('o1-mini').provider.id).toBe('openai');
    expect(registry.resolve('o1-mini').provider.id).toBe('openai');
  });

  it('exposes registered providers in catalog order', () => {
    expect(registry.providers.map((p) => p.id)).toEqual(['openai', 'gpt-special', 'mock']);
    expect(registry.get('groq')).toBeUndefined();
  });

  it('reaches a named provider for a route target, stripping its prefix only when present', () => {
    const special = registry.resolveTarget('gpt-special', 'gpt-special/llama');
    expect(special.provider.id).toBe('gpt-special');
    expect(special.upstreamModel).toBe('llama');
    expect(registry.resolveTarget('gpt-special', 'llama').upstreamModel).toBe('llama');
    // A provider that keeps its prefix gets the model as written.
    expect(registry.resolveTarget('openai', 'gpt-4o').upstreamModel).toBe('gpt-4o');
  });

  it('refuses a route target whose provider is not activated or unknown, naming the setting', () => {
    const inactive = (() => {
      try {
        registry.resolveTarget('groq', 'groq/llama');
      } catch (err) {
        return err as GatewayError;
      }
      throw new Error('expected a refusal');
    })();
    expect(inactive.code).toBe(ErrorCode.NoProvider);
    expect(inactive.message).toContain('GROQ_API_KEY');
    expect(() => registry.resolveTarget('nope', 'x')).toThrow(GatewayError);
  });

  it('lists every known provider id and definition, registered or not', () => {
    expect(registry.knownIds).toEqual(['openai', 'gpt-special', 'groq', 'mock']);
    expect(registry.definition('groq')?.activationHint).toBe('GROQ_API_KEY');
  });
});

describe(`${ProviderRegistry.name} with a provider for unclaimed models`, () => {
  const catalog = [
    definition('openai', ['gpt'], false, 'OPENAI_API_KEY'),
    definition('anthropic', ['claude'], false, 'ANTHROPIC_API_KEY'),
  ];
  const registry = new ProviderRegistry(catalog, [new FakeAdapter('openai')], 'openai');

  it('sends a model no prefix claims to that provider, unchanged', () => {
    const hit = registry.resolve('accounts/fireworks/models/llama-v3-70b');
    expect(hit.provider.id).toBe('openai');
    expect(hit.upstreamModel).toBe('accounts/fireworks/models/llama-v3-70b');
  });

  it('still refuses a model whose prefix belongs to a provider that is not activated', () => {
    expect(() => registry.resolve('claude-3-haiku')).toThrow(/ANTHROPIC_API_KEY/);
  });
});
