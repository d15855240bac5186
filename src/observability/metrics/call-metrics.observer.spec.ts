import { Counter, Histogram, Registry } from 'prom-client';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import type { GatewayConfig } from '../../config/gateway-config.types.js';
import { nanoToUsd } from '../../governance/metering/pricing/cost.calculator.js';
import type { CallCosting } from '../../governance/metering/usage/call-costing.service.js';
import type { CallSettlement } from '../../governance/pipeline/call-settlement.service.js';
import {
  type CallOutcome,
  GovernanceContext,
} from '../../governance/pipeline/governance-context.js';
import { CallMetricsObserver } from './call-metrics.observer.js';
import { GatewayMetrics } from './gateway.metrics.js';
import { LabelLimiter } from './label-limiter.js';
import { seededRandom } from '../../../test/helpers/seeded-random.js';

/** The metrics a settled call counts through the series tree (the rest are as they were). */
const PER_CALL = [
  'gateway_requests_total',
  'gateway_request_duration_seconds',
  'gateway_time_to_first_token_seconds',
  'gateway_tokens_total',
  'gateway_cost_usd_total',
];

function gatewayMetrics(maxLabelValues: number, labelLimits = {}): GatewayMetrics {
  const config = { server: { workers: 1 }, metrics: { maxLabelValues, labelLimits } };
  return new GatewayMetrics(config as unknown as GatewayConfig);
}

/** Settlement and costing as the observer uses them: its registration, and the call's cost. */
function observerOf(metrics: GatewayMetrics): CallMetricsObserver {
  const settlement = { observe: () => undefined } as unknown as CallSettlement;
  const costing = { costOf: (c: GovernanceContext) => c.cost } as unknown as CallCosting;
  return new CallMetricsObserver(settlement, costing, metrics);
}

/**
 * The per-call counting as it was before the series tree: a bounded label object per update and
 * prom-client's `inc`/`observe` with it, on instruments configured as the gateway's are.
 */
class PreviousCounting {
  readonly registry = new Registry();
  readonly limiter: LabelLimiter;
  private readonly requests: Counter<string>;
  private readonly duration: Histogram<string>;
  private readonly ttft: Histogram<string>;
  private readonly tokens: Counter<string>;
  private readonly cost: Counter<string>;

  constructor(like: Registry, maxLabelValues: number, labelLimits = {}) {
    this.limiter = new LabelLimiter(maxLabelValues, labelLimits);
    const registers = [this.registry];
    const config = (name: string) => {
      const metric = like.getSingleMetric(name) as unknown as {
        help: string;
        labelNames: string[];
        upperBounds?: number[];
      };
      return { name, help: metric.help, labelNames: metric.labelNames, registers };
    };
    const buckets = (name: string) =>
      (like.getSingleMetric(name) as unknown as { upperBounds: number[] }).upperBounds;
    this.requests = new Counter(config('gateway_requests_total'));
    this.duration = new Histogram({
      ...config('gateway_request_duration_seconds'),
      buckets: buckets('gateway_request_duration_seconds'),
    });
    this.ttft = new Histogram({
      ...config('gateway_time_to_first_token_seconds'),
      buckets: buckets('gateway_time_to_first_token_seconds'),
    });
    this.tokens = new Counter(config('gateway_tokens_total'));
    this.cost = new Counter(config('gateway_cost_usd_total'));
  }

  callSettled(context: GovernanceContext, outcome: CallOutcome): void {
    const error = outcome.error;
    const answered = context.answeredBy;
    const tenant = context.tenant?.id ?? '';
    const target = this.limiter.bound({
      provider: answered?.provider ?? error?.provider ?? '',
      model: answered?.model ?? context.facts?.model ?? '',
    });
    this.requests.inc(
      this.limiter.bound({
        tenant,
        provider: target.provider,
        model: target.model,
        status: String(outcome.status),
        code: error?.code ?? '',
      }),
    );
    this.duration.observe(target, outcome.latencyMs / 1000);
    const ttft = context.ttftMs;
    if (ttft !== undefined) this.ttft.observe(target, ttft / 1000);
    const cost = context.cost;
    if (cost === undefined || answered === undefined) return;
    const labels = this.limiter.bound({
      tenant,
      provider: answered.provider,
      model: answered.model,
    });
    this.tokens.inc({ ...labels, direction: 'input' }, cost.usage.inputTokens);
    this.tokens.inc({ ...labels, direction: 'output' }, cost.usage.outputTokens);
    this.cost.inc(labels, nanoToUsd(cost.nano));
  }

  text(): Promise<string> {
    return this.registry.metrics();
  }
}

/**
 * A mix of calls like the gateway settles: answered (some streamed, some with no usage or zero
 * tokens, costs that add up in floating point), refused before a tenant was known (401), refused
 * by policy or rate limit, failed upstream, failed after a stream's first byte; more tenants,
 * models (the caller's own names) and providers than the caps keep. Strings are made fresh per
 * call, as a parsed request's are.
 */
function* calls(count: number, seed: number): Generator<[GovernanceContext, CallOutcome]> {
  const next = seededRandom(seed);
  const pick = <T>(values: readonly T[]): T => values[Math.floor(next() * values.length)];
  const fresh = (s: string) => ` ${s}`.slice(1);
  for (let i = 0; i < count; i++) {
    const context = new GovernanceContext(`t${i}`, 'POST', '/v1/chat/completions', 1000);
    const tenant = `tenant-${Math.floor(next() * next() * 12)}`;
    const model = fresh(pick(['gpt-4o-mini', 'gpt-4o', 'claude-3-5-sonnet', `x-${i % 9}`, '']));
    const provider = pick(['openai', 'anthropic', 'azure-openai', 'other', 'p5']);
    const kind = next();
    let outcome: CallOutcome;
    if (kind < 0.05) {
      outcome = {
        status: 401,
        error: new GatewayError(ErrorCode.InvalidApiKey, 'no'),
        clientGone: false,
        latencyMs: next() * 3,
      };
    } else {
      context.tenant = { id: tenant, region: null, tags: {}, settings: {} };
      context.facts = { model, toolNames: [], stream: next() < 0.3 };
      if (context.facts.stream) context.firstTokenAt = 1000 + next() * 900;
      if (kind < 0.15) {
        outcome = {
          status: 403,
          error: new GatewayError(ErrorCode.PolicyDenied, 'no'),
          clientGone: false,
          latencyMs: next() * 5,
        };
      } else if (kind < 0.2) {
        outcome = {
          status: 429,
          error: new GatewayError(ErrorCode.RateLimitExceeded, 'no'),
          clientGone: false,
          latencyMs: next() * 5,
        };
      } else if (kind < 0.3) {
        const error = new GatewayError(ErrorCode.ProviderError, 'no', { provider });
        outcome = { status: 502, error, clientGone: false, latencyMs: next() * 3000 };
      } else {
        context.answeredBy = { provider: fresh(provider), model, failedOver: [] };
        const late = kind < 0.35;
        const error = late
          ? new GatewayError(ErrorCode.ProviderError, 'no', { provider })
          : undefined;
        outcome = { status: 200, error, clientGone: kind < 0.37, latencyMs: next() * 200_000 };
        const inputTokens = Math.floor(next() * 4000);
        const outputTokens = kind < 0.4 ? 0 : Math.floor(next() * 900);
        const nano = Math.floor(next() * 90_000_007);
        context.cost = {
          nano,
          priced: kind > 0.42,
          usage: { inputTokens, outputTokens, estimated: false },
        };
      }
    }
    yield [context, outcome];
  }
}

describe(CallMetricsObserver.name, () => {
  const made: GatewayMetrics[] = [];
  const make = (maxLabelValues: number, labelLimits = {}) => {
    const metrics = gatewayMetrics(maxLabelValues, labelLimits);
    made.push(metrics);
    return metrics;
  };
  afterAll(() => made.forEach((m) => m.onModuleDestroy()));

  /** The exposition of the per-call metrics alone, HELP and TYPE lines included. */
  async function perCall(text: Promise<string>): Promise<string> {
    const blocks = (await text).split(/\n(?=# HELP )/);
    return blocks
      .filter((b) => PER_CALL.some((name) => b.startsWith(`# HELP ${name} `)))
      .join('\n');
  }

  it.each([
    ['caps wide enough for every value', 200, {}],
    ['small caps: tenants, models and providers folded into other', 3, { model: 4 }],
  ])(
    'reports exactly what counting every call with prom-client did (%s)',
    async (_, cap, limits) => {
      const metrics = make(cap, limits);
      const observer = observerOf(metrics);
      const previous = new PreviousCounting(metrics.registry, cap, limits);
      let n = 0;
      for (const [context, outcome] of calls(5000, 7)) {
        observer.callSettled(context, outcome);
        previous.callSettled(context, outcome);
        // Other metrics bound labels too (routing events): the limiter is shared across metrics.
        if (++n % 97 === 0) {
          metrics.labels({ provider: `routed-${n}` });
          previous.limiter.bound({ provider: `routed-${n}` });
        }
        // Scrapes between calls: counting on after a read changes nothing.
        if (n % 1000 === 0)
          expect(await perCall(metrics.registry.metrics())).toBe(await perCall(previous.text()));
      }
      const now = await perCall(metrics.registry.metrics());
      expect(now).toBe(await perCall(previous.text()));
      expect(now).toContain('gateway_requests_total{tenant="');
      if (cap === 3) expect(now).toContain('model="other"');
      // What a cluster worker reports to the primary is the same.
      const json = await metrics.registry.getMetricsAsJSON();
      const previousJson = await previous.registry.getMetricsAsJSON();
      const pick = (all: typeof json) => all.filter((m) => PER_CALL.includes(m.name));
      expect(pick(json)).toEqual(pick(previousJson));
    },
  );

  it('prints the per-call series of a known mix, values past the cap as other', async () => {
    const metrics = make(2);
    const observer = observerOf(metrics);
    const settle = (tenant: string, model: string, status: number, nano?: number) => {
      const context = new GovernanceContext('t', 'POST', '/v1/chat/completions', 0);
      context.tenant = { id: tenant, region: null, tags: {}, settings: {} };
      context.facts = { model, toolNames: [], stream: false };
      if (nano !== undefined) {
        context.answeredBy = { provider: 'openai', model, failedOver: [] };
        context.cost = {
          nano,
          priced: true,
          usage: { inputTokens: 10, outputTokens: 2, estimated: false },
        };
      }
      const error = status === 200 ? undefined : new GatewayError(ErrorCode.PolicyDenied, 'no');
      observer.callSettled(context, { status, error, clientGone: false, latencyMs: 20 });
    };
    settle('a', 'm1', 200, 100_000_000);
    settle('b', 'm2', 200, 200_000_000);
    settle('c', 'm3', 200, 300_000_000);
    settle('a', 'm1', 403);
    settle('d', 'm1', 200, 1);
    const text = await metrics.registry.metrics();
    const lines = (name: string) => text.split('\n').filter((l) => l.startsWith(`${name}{`));
    expect(lines('gateway_requests_total')).toEqual([
      'gateway_requests_total{tenant="a",provider="openai",model="m1",status="200",code=""} 1',
      'gateway_requests_total{tenant="b",provider="openai",model="m2",status="200",code=""} 1',
      'gateway_requests_total{tenant="other",provider="openai",model="other",status="200",code=""} 1',
      // A refusal names the model asked for, and no provider: '' (the second of two providers).
      'gateway_requests_total{tenant="a",provider="",model="m1",status="403",code="policy_denied"} 1',
      'gateway_requests_total{tenant="other",provider="openai",model="m1",status="200",code=""} 1',
    ]);
    expect(lines('gateway_tokens_total')).toEqual([
      'gateway_tokens_total{tenant="a",provider="openai",model="m1",direction="input"} 10',
      'gateway_tokens_total{tenant="a",provider="openai",model="m1",direction="output"} 2',
      'gateway_tokens_total{tenant="b",provider="openai",model="m2",direction="input"} 10',
      'gateway_tokens_total{tenant="b",provider="openai",model="m2",direction="output"} 2',
      'gateway_tokens_total{tenant="other",provider="openai",model="other",direction="input"} 10',
      'gateway_tokens_total{tenant="other",provider="openai",model="other",direction="output"} 2',
      'gateway_tokens_total{tenant="other",provider="openai",model="m1",direction="input"} 10',
      'gateway_tokens_total{tenant="other",provider="openai",model="m1",direction="output"} 2',
    ]);
    expect(lines('gateway_cost_usd_total')).toEqual([
      'gateway_cost_usd_total{tenant="a",provider="openai",model="m1"} 0.1',
      'gateway_cost_usd_total{tenant="b",provider="openai",model="m2"} 0.2',
      'gateway_cost_usd_total{tenant="other",provider="openai",model="other"} 0.3',
      'gateway_cost_usd_total{tenant="other",provider="openai",model="m1"} 1e-9',
    ]);
    expect(lines('gateway_request_duration_seconds_count')).toEqual([
      'gateway_request_duration_seconds_count{provider="openai",model="m1"} 2',
      'gateway_request_duration_seconds_count{provider="openai",model="m2"} 1',
      'gateway_request_duration_seconds_count{provider="openai",model="other"} 1',
      'gateway_request_duration_seconds_count{provider="",model="m1"} 1',
    ]);
  });
});
