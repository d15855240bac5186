import type { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { GovernanceContext, type CallOutcome } from '../pipeline/governance-context.js';
import type { GovernanceEvent } from '../pipeline/governance-events.js';
import { MemoryRateLimitStore } from './memory-rate-limit.store.js';
import { RateLimitStage } from './rate-limit.stage.js';
import { RateLimiter } from './rate-limiter.service.js';

interface Limits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

const NONE: Limits = { requestsPerMinute: 0, tokensPerMinute: 0 };
const OK: CallOutcome = { status: 200, clientGone: false, latencyMs: 1 };

/** The stage's arithmetic: which buckets, how many tokens reserved, what settlement does. */
describe(RateLimitStage.name, () => {
  let now: number;
  let store: MemoryRateLimitStore;
  let events: GovernanceEvent[];

  function stage(perKey: Partial<Limits> = {}, perTenant: Partial<Limits> = {}, output = 1024) {
    now = Date.parse('2026-12-07T00:00:00Z');
    store = new MemoryRateLimitStore(() => now);
    events = [];
    const config = {
      rateLimits: { perKey: { ...NONE, ...perKey }, perTenant: { ...NONE, ...perTenant } },
      metering: { defaultOutputReservation: output },
    } as unknown as GatewayConfig;
    const sink = { emit: (event: GovernanceEvent) => void events.push(event) };
    return new RateLimitStage(config, new RateLimiter(store, undefined, () => now), sink);
  }

  function call(
    options: {
      key?: string;
      tenant?: string;
      tenantLimits?: Partial<Limits>;
      keyLimits?: Partial<Limits> | null;
      kind?: 'chat' | 'embeddings';
    } = {},
  ): GovernanceContext {
    const context = new GovernanceContext('trace', 'POST', '/v1/chat/completions', 0);
    context.kind = options.kind ?? 'chat';
    context.keyId = options.key ?? 'key_a';
    context.keyRateLimits = options.keyLimits ?? null;
    context.tenant = {
      id: options.tenant ?? 'acme',
      region: null,
      tags: {},
      settings: options.tenantLimits ? { rateLimits: options.tenantLimits } : {},
    };
    return context;
  }

  /** `content` of 40 characters: 10 tokens, plus 4 for the message. */
  const chat = (extra: Record<string, unknown> = {}) => ({
    model: 'm',
    messages: [{ role: 'user', content: 'x'.repeat(40) }],
    ...extra,
  });

  /** The stage on the in-memory store decides synchronously. */
  function admit(s: RateLimitStage, context: GovernanceContext, body?: unknown): void {
    if (s.admit(context, body) instanceof Promise) throw new Error('expected a synchronous answer');
  }

  function refusal(work: () => unknown): GatewayError {
    try {
      work();
    } catch (err) {
      return err as GatewayError;
    }
    throw new Error('expected a refusal');
  }

  it('costs nothing and reserves nothing when no limit applies anywhere', () => {
    const s = stage();
    const context = call();
    admit(s, context, chat());
    expect(context.rateLimit).toBeUndefined();
    expect(context.reservations).toEqual([]);
    expect(context.estimatedPromptTokens).toBeUndefined();
    expect(store.size).toBe(0);
  });

  it('reserves the estimated prompt plus max_tokens, and records the estimate for later stages', () => {
    const s = stage({ tokensPerMinute: 1_000 });
    const context = call();
    admit(s, context, chat({ max_tokens: 100 }));
    expect(context.estimatedPromptTokens).toBe(14);
    expect(context.rateLimit).toEqual({ tokens: { limit: 1_000, remaining: 886 } });
  });

  it('takes the larger of max_tokens and max_completion_tokens, else the default reservation', () => {
    const s = stage({ tokensPerMinute: 10_000 }, {}, 500);
    const both = call();
    admit(s, both, chat({ max_tokens: 10, max_completion_tokens: 300 }));
    expect(both.rateLimit?.tokens?.remaining).toBe(10_000 - 314);
    const neither = call();
    admit(s, neither, chat());
    expect(neither.rateLimit?.tokens?.remaining).toBe(10_000 - 314 - 514);
  });

  it('reserves no output for embeddings', () => {
    const s = stage({ tokensPerMinute: 1_000 });
    const context = call({ kind: 'embeddings' });
    admit(s, context, { model: 'e', input: ['x'.repeat(40), 'y'.repeat(8)] });
    expect(context.rateLimit?.tokens?.remaining).toBe(1_000 - 12);
  });

  it('counts a malformed body as no prompt and the default cap (validation refuses it next)', () => {
    const s = stage({ tokensPerMinute: 2_000 });
    for (const body of [undefined, 'text', [], { messages: 'no' }, { messages: [null] }]) {
      const context = call();
      expect(() => admit(s, context, body)).not.toThrow();
      expect(context.estimatedPromptTokens).toBeUndefined();
      void context.reservations[0].settle({ ...OK, status: 400 }, context);
    }
    const context = call();
    admit(s, context, chat({ max_tokens: -5 }));
    expect(context.rateLimit?.tokens?.remaining).toBe(2_000 - 14 - 1024);
  });

  it('settles on the real usage, and gives the whole reservation back without one', () => {
    const s = stage({ tokensPerMinute: 1_000 });
    const answered = call();
    admit(s, answered, chat({ max_tokens: 100 }));
    answered.usage = { inputTokens: 14, outputTokens: 6, estimated: false };
    answered.reservations.forEach((r) => void r.settle(OK, answered));
    const refused = call();
    admit(s, refused, chat({ max_tokens: 500 }));
    refused.reservations.forEach((r) => void r.settle({ ...OK, status: 403 }, refused));
    const probe = call();
    admit(s, probe, chat({ max_tokens: 0 }));
    // 1000 - 20 used - 14 of the probe itself.
    expect(probe.rateLimit?.tokens?.remaining).toBe(966);
  });

  it('never takes a request permit for a refused token reservation', () => {
    const s = stage({ requestsPerMinute: 5, tokensPerMinute: 100 });
    admit(s, call(), chat({ max_tokens: 80 }));
    const error = refusal(() => admit(s, call(), chat({ max_tokens: 80 })));
    expect(error.details).toMatchObject({
      rate_limit: { limited_resource: 'tokens', scope: 'key', limit: 100 },
    });
    // One permit taken, by the first call.
    const permits = store.admit([{ key: 'rl:key:key_a:requests', limit: 5, cost: 0 }]);
    expect(permits.buckets[0].remaining).toBe(4);
  });

  it('refuses with 429, Retry-After and the rate_limit object, and emits RATE_LIMITED', () => {
    const s = stage({ requestsPerMinute: 2 });
    admit(s, call(), chat());
    admit(s, call(), chat());
    now += 10_000;
    const context = call();
    const error = refusal(() => admit(s, context, chat()));
    expect(error).toMatchObject({
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'rate_limit_error',
      retryAfterSeconds: 20,
    });
    expect(error.details).toEqual({
      rate_limit: {
        limited_resource: 'requests',
        limit_type: 'requests_per_minute',
        scope: 'key',
        limit: 2,
        remaining: 0,
        retry_after_seconds: 20,
        reset_at: new Date(now + 50_000).toISOString(),
      },
    });
    expect(context.rateLimit).toEqual({ requests: { limit: 2, remaining: 0 } });
    expect(events).toEqual([
      expect.objectContaining({ type: 'RATE_LIMITED', tenantId: 'acme', keyId: 'key_a' }),
    ]);
  });

  it('gives Retry-After at least 1 second', () => {
    const s = stage({ requestsPerMinute: 60_000 });
    for (let i = 0; i < 60_000; i++) admit(s, call(), undefined);
    const error = refusal(() => admit(s, call(), undefined));
    expect(error.retryAfterSeconds).toBe(1);
  });

  it('applies key and tenant limits together: the tightest decides and is reported', () => {
    const s = stage({ requestsPerMinute: 10 }, { requestsPerMinute: 3 });
    const first = call({ key: 'key_a' });
    admit(s, first, chat());
    expect(first.rateLimit?.requests).toEqual({ limit: 3, remaining: 2 });
    admit(s, call({ key: 'key_b' }), chat());
    admit(s, call({ key: 'key_c' }), chat());
    const error = refusal(() => admit(s, call({ key: 'key_d' }), chat()));
    expect(error.details).toMatchObject({ rate_limit: { scope: 'tenant', limit: 3 } });
    // Another tenant is not affected.
    expect(() => admit(s, call({ key: 'key_e', tenant: 'other' }), chat())).not.toThrow();
  });

  it("lets a tenant's settings and a key's own limits override the configured defaults", () => {
    const s = stage({ requestsPerMinute: 100 }, { requestsPerMinute: 100 });
    const tenant = call({ tenantLimits: { requestsPerMinute: 1 } });
    admit(s, tenant, chat());
    expect(tenant.rateLimit?.requests).toEqual({ limit: 1, remaining: 0 });
    const key = call({ key: 'key_z', tenant: 't2', keyLimits: { requestsPerMinute: 7 } });
    admit(s, key, chat());
    expect(key.rateLimit?.requests).toEqual({ limit: 7, remaining: 6 });
    // An override applies even where no default does.
    const bare = stage();
    const own = call({ keyLimits: { tokensPerMinute: 50 } });
    admit(bare, own, chat({ max_tokens: 1 }));
    expect(own.rateLimit).toEqual({ tokens: { limit: 50, remaining: 35 } });
  });

  it('treats a stored limit outside 1..1e9 (a hand-edited row) as no limit', () => {
    const s = stage();
    for (const requestsPerMinute of [-5, Number.NaN, Number.POSITIVE_INFINITY, 1e12]) {
      const context = call({ keyLimits: { requestsPerMinute } });
      admit(s, context, chat());
      expect(context.rateLimit).toBeUndefined();
    }
    expect(store.size).toBe(0);
  });

  it('reports both resources, each at its tightest scope', () => {
    const s = stage(
      { requestsPerMinute: 10, tokensPerMinute: 100 },
      { requestsPerMinute: 5, tokensPerMinute: 1_000 },
    );
    const context = call();
    admit(s, context, chat({ max_tokens: 6 }));
    expect(context.rateLimit).toEqual({
      requests: { limit: 5, remaining: 4 },
      tokens: { limit: 100, remaining: 80 },
    });
  });
});
