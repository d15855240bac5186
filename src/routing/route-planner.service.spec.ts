import { jest } from '@jest/globals';
import { Logger, Module } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { StubLlmProvider } from '../../test/helpers/stub-llm-provider.js';
import type { ProviderDefinition } from '../providers/provider-definition.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { type CapabilityProbe, type PlannedTarget, RoutePlanner } from './route-planner.service.js';
import { TargetSelector } from './target-selector.js';

/** A provider with a capability row that differs only in tool support. */
class StubAdapter extends StubLlmProvider {
  constructor(id: string, tools: boolean) {
    super(id, { tools, maxContextTokens: 1000 });
  }
}

@Module({})
class UnusedModule {}

const definition = (id: string, prefixes: string[], stripPrefix = false): ProviderDefinition => ({
  id,
  prefixes,
  stripPrefix,
  activationHint: `${id.toUpperCase()}_API_KEY`,
  isActive: () => true,
  load: () => Promise.resolve({ module: UnusedModule, adapter: StubAdapter }),
});

type Routes = GatewayConfig['routes'];

describe(RoutePlanner.name, () => {
  const registry = new ProviderRegistry(
    [
      definition('openai', ['gpt']),
      definition('anthropic', ['claude']),
      definition('groq', ['groq/'], true),
      definition('mock', ['mock/']),
      definition('gemini', ['gemini']),
    ],
    [
      new StubAdapter('openai', true),
      new StubAdapter('anthropic', true),
      new StubAdapter('groq', false),
      new StubAdapter('mock', false),
    ],
  );
  const planner = (routes: Routes, selector?: TargetSelector) =>
    new RoutePlanner({ routes } as unknown as GatewayConfig, registry, selector);
  const route = (
    model: string,
    providers: { provider: string; model?: string; weight?: number }[],
    fallbacks: { provider: string; model?: string }[] = [],
    strategy: 'prefix' | 'round-robin' | 'weighted' = 'prefix',
  ): Routes[number] => ({
    model,
    strategy,
    providers: providers.map((p) => ({ weight: 1, ...p })),
    fallbacks,
  });
  /** Needs tool calls, as a request with `tools` does; `asserted` records the unrouted check. */
  const needsTools = (asserted: string[] = []): CapabilityProbe => ({
    lacks: (t) => (t.provider.capabilities(t.upstreamModel).tools ? [] : ['tool calls']),
    assert: (t) => void asserted.push(t.provider.id),
  });
  const anything: CapabilityProbe = { lacks: () => [], assert: () => undefined };
  const names = (targets: readonly PlannedTarget[]) =>
    targets.map((t) => `${t.provider.id}:${t.upstreamModel}`);
  let warnings: string[];
  beforeEach(() => {
    warnings = [];
    jest
      .spyOn(Logger.prototype, 'warn')
      .mockImplementation((message: unknown) => void warnings.push(String(message)));
  });
  afterEach(() => jest.restoreAllMocks());

  const refusal = (fn: () => unknown): GatewayError => {
    try {
      fn();
    } catch (error) {
      expect(error).toBeInstanceOf(GatewayError);
      return error as GatewayError;
    }
    throw new Error('expected a refusal');
  };

  it('dispatches by prefix without a matching route, checking the one target precisely', () => {
    const asserted: string[] = [];
    const plan = planner([route('claude-*', [{ provider: 'anthropic' }])]).plan(
      'gpt-4o',
      needsTools(asserted),
    );
    expect(names(plan.targets)).toEqual(['openai:gpt-4o']);
    expect(plan.route).toBeUndefined();
    expect(asserted).toEqual(['openai']);
  });

  it("sends a route's targets their mapped model, or the caller's, and follows with the fallbacks", () => {
    const plan = planner([
      route(
        'gpt-4o*',
        [{ provider: 'openai' }],
        [{ provider: 'anthropic', model: 'claude-sonnet-4-5' }, { provider: 'groq' }],
      ),
    ]).plan('gpt-4o-mini', anything);
    expect(names(plan.targets)).toEqual([
      'openai:gpt-4o-mini',
      'anthropic:claude-sonnet-4-5',
      'groq:gpt-4o-mini',
    ]);
    expect(plan.targets[1].model).toBe('claude-sonnet-4-5');
  });

  it("strips a stripping provider's prefix from a mapped model", () => {
    const plan = planner([route('fast', [{ provider: 'groq', model: 'groq/llama-3.1-8b' }])]).plan(
      'fast',
      anything,
    );
    expect(plan.targets[0]).toMatchObject({
      model: 'groq/llama-3.1-8b',
      upstreamModel: 'llama-3.1-8b',
    });
  });

  it('skips targets and fallbacks that cannot serve the request', () => {
    const plan = planner([
      route(
        'smart',
        [
          { provider: 'mock', model: 'mock/a' },
          { provider: 'openai', model: 'gpt-4o' },
        ],
        [
          { provider: 'groq', model: 'groq/x' },
          { provider: 'anthropic', model: 'claude-3-haiku' },
        ],
      ),
    ]).plan('smart', needsTools());
    expect(names(plan.targets)).toEqual(['openai:gpt-4o', 'anthropic:claude-3-haiku']);
  });

  it('lets a capable fallback answer when no route target can', () => {
    const plan = planner([
      route(
        'smart',
        [{ provider: 'mock', model: 'mock/a' }],
        [{ provider: 'openai', model: 'gpt-4o' }],
      ),
    ]).plan('smart', needsTools());
    expect(names(plan.targets)).toEqual(['openai:gpt-4o']);
  });

  it('refuses with no_capable_provider naming what was needed and which targets lacked it', () => {
    const error = refusal(() =>
      planner([
        route(
          'cheap-*',
          [{ provider: 'mock', model: 'mock/a' }, { provider: 'groq' }],
          [{ provider: 'gemini', model: 'gemini-2.0-flash' }],
        ),
      ]).plan('cheap-one', needsTools()),
    );
    expect(error.code).toBe(ErrorCode.NoCapableProvider);
    expect(error.status).toBe(400);
    expect(error.message).toContain("'cheap-*'");
    expect(error.message).toContain('needs tool calls');
    expect(error.message).toContain('mock (mock/a) lacks tool calls');
    expect(error.message).toContain('groq (cheap-one) lacks tool calls');
    expect(error.message).toContain('gemini (gemini-2.0-flash) is not activated');
  });

  it('answers no_provider, naming the env var, when every target of the route is inactive', () => {
    const error = refusal(() =>
      planner([route('g', [{ provider: 'gemini', model: 'gemini-2.0-flash' }])]).plan(
        'g',
        anything,
      ),
    );
    expect(error.code).toBe(ErrorCode.NoProvider);
    expect(error.message).toContain('GEMINI_API_KEY');
  });

  it('warns once at boot about a route naming a provider that is not activated', () => {
    planner([
      route('g', [{ provider: 'gemini' }, { provider: 'openai' }], [{ provider: 'gemini' }]),
    ]);
    expect(warnings).toEqual([
      "Route 'g' names provider 'gemini', which is not activated (set GEMINI_API_KEY); the route skips it.",
    ]);
  });

  it('skips an inactive target when an active one can serve', () => {
    const plan = planner([route('g', [{ provider: 'gemini' }, { provider: 'openai' }])]).plan(
      'g',
      anything,
    );
    expect(names(plan.targets)).toEqual(['openai:g']);
  });

  it('does not repeat the primary as its own fallback', () => {
    const plan = planner([
      route(
        'gpt-4o',
        [{ provider: 'openai' }],
        [
          { provider: 'openai', model: 'gpt-4o' },
          { provider: 'openai', model: 'gpt-4o-mini' },
        ],
      ),
    ]).plan('gpt-4o', anything);
    expect(names(plan.targets)).toEqual(['openai:gpt-4o', 'openai:gpt-4o-mini']);
  });

  it("picks the primary by the route's strategy; only the fallbacks follow it", () => {
    const rr = planner([
      route(
        'pool',
        [
          { provider: 'openai', model: 'gpt-a' },
          { provider: 'anthropic', model: 'claude-b' },
        ],
        [{ provider: 'mock', model: 'mock/c' }],
        'round-robin',
      ),
    ]);
    const picks = [1, 2, 3].map(() => names(rr.plan('pool', anything).targets));
    expect(picks).toEqual([
      ['openai:gpt-a', 'mock:mock/c'],
      ['anthropic:claude-b', 'mock:mock/c'],
      ['openai:gpt-a', 'mock:mock/c'],
    ]);
  });
  describe('the targets it plans', () => {
    const target = (provider: string, model: string, upstreamModel = model) => ({
      provider: registry.providers.find((p) => p.id === provider),
      model,
      upstreamModel,
    });

    it('carries the provider, the model the request names and the upstream model, nothing else', () => {
      expect(planner([]).plan('groq/llama', anything).targets).toStrictEqual([
        target('groq', 'groq/llama', 'llama'),
      ]);
    });

    it('plans a pinned target under its own model', () => {
      const plan = planner([]).plan('gpt-4o', anything, {
        pinned: { provider: 'anthropic', model: 'claude-x' },
      });
      expect(plan.targets).toStrictEqual([target('anthropic', 'claude-x')]);
    });

    it('plans the target a gate re-routes to, asked about in turn', () => {
      const asked: string[] = [];
      const plan = planner([]).plan('gpt-4o', anything, {
        gate: (t) => {
          asked.push(`${t.provider}:${t.model}`);
          return t.provider === 'openai'
            ? { kind: 'reroute', provider: 'groq', model: 'groq/llama' }
            : { kind: 'allow' };
        },
      });
      expect(plan.targets).toStrictEqual([target('groq', 'groq/llama', 'llama')]);
      expect(asked).toEqual(['openai:gpt-4o', 'groq:groq/llama']);
    });

    it("plans a route's targets and fallbacks without their weights", () => {
      const plan = planner([
        route(
          'team-model',
          [{ provider: 'openai', model: 'gpt-a', weight: 3 }],
          [{ provider: 'anthropic', model: 'claude-b' }],
        ),
      ]).plan('team-model', anything);
      expect(plan.targets).toStrictEqual([
        target('openai', 'gpt-a'),
        target('anthropic', 'claude-b'),
      ]);
    });
  });
});
