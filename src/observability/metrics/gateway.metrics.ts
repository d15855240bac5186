import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import cluster from 'node:cluster';
import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { MetricLabel } from '../../config/metrics.schema.js';
import { ClusterMetricsClient } from './cluster-metrics.client.js';
import {
  CallSeries,
  type CostLabel,
  type RequestLabel,
  type TargetLabel,
  type TokenLabel,
} from './call-series.js';
import { LabelLimiter } from './label-limiter.js';
import { SeriesCounter } from './series-counter.js';
import { SeriesHistogram } from './series-histogram.js';

/** Seconds: from a cache hit (or the mock) to a long generation. */
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
const TTFT_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

/**
 * The gateway's Prometheus registry (contract 14): the instruments calls and routing events feed,
 * Node's default process metrics, and the bound on label values. One registry per application,
 * never prom-client's global one, so two gateways in one process never share counters. Gauges
 * read at scrape time (circuit states, queue depth, budgets) are added by {@link StateGauges}.
 * In a cluster mode worker a scrape reports the whole process group: the primary merges every
 * worker's registry ({@link ClusterMetricsClient}). The counters and histograms every call updates are
 * counted in place and read as they are when the registry is read ({@link CallSeries}): no label
 * hashing per call.
 */
@Injectable()
export class GatewayMetrics implements OnApplicationBootstrap, OnModuleDestroy {
  readonly registry = new Registry();
  private readonly limiter: LabelLimiter;
  private readonly cluster?: ClusterMetricsClient;

  /**
   * By call: `gateway_requests_total`, `gateway_tokens_total`, `gateway_cost_usd_total`,
   * `gateway_request_duration_seconds`, `gateway_time_to_first_token_seconds`.
   */
  readonly calls: CallSeries;
  readonly providerErrors: Counter<'provider' | 'code'>;
  readonly retries: Counter<'provider'>;
  readonly fallbacks: Counter<'from' | 'to'>;
  readonly rateLimited: Counter<'scope' | 'resource'>;
  readonly policyDecisions: Counter<'decision' | 'policy' | 'rule'>;
  readonly piiFindings: Counter<'type' | 'direction' | 'action'>;
  readonly unpricedCalls: Counter;

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const settings = config.metrics;
    this.limiter = new LabelLimiter(settings.maxLabelValues, settings.labelLimits);
    if (config.server.workers > 1 && cluster.isWorker) {
      this.cluster = new ClusterMetricsClient(this.registry);
    }
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    const requests = new SeriesCounter<RequestLabel>(
      {
        name: 'gateway_requests_total',
        help: '/v1 calls by tenant, answering provider and model, HTTP status and error code (refusals included).',
        labelNames: ['tenant', 'provider', 'model', 'status', 'code'],
      },
      this.registry,
    );
    const duration = new SeriesHistogram<TargetLabel>(
      {
        name: 'gateway_request_duration_seconds',
        help: '/v1 calls from arrival to their last byte, in seconds.',
        labelNames: ['provider', 'model'],
        buckets: DURATION_BUCKETS,
      },
      this.registry,
    );
    const timeToFirstToken = new SeriesHistogram<TargetLabel>(
      {
        name: 'gateway_time_to_first_token_seconds',
        help: 'Streams from arrival to their first event sent to the caller, in seconds.',
        labelNames: ['provider', 'model'],
        buckets: TTFT_BUCKETS,
      },
      this.registry,
    );
    const tokens = new SeriesCounter<TokenLabel>(
      {
        name: 'gateway_tokens_total',
        help: 'Tokens used by answered calls (direction input or output), as metered.',
        labelNames: ['tenant', 'provider', 'model', 'direction'],
      },
      this.registry,
    );
    const cost = new SeriesCounter<CostLabel>(
      {
        name: 'gateway_cost_usd_total',
        help: 'Cost of answered calls in USD, as metered.',
        labelNames: ['tenant', 'provider', 'model'],
      },
      this.registry,
    );
    this.calls = new CallSeries(this.limiter, {
      requests,
      tokens,
      cost,
      duration,
      timeToFirstToken,
    });
    this.providerErrors = new Counter({
      name: 'gateway_provider_errors_total',
      help: 'Failed upstream attempts (retries included) and failures after a stream started, by provider and error code.',
      labelNames: ['provider', 'code'],
      registers,
    });
    this.retries = new Counter({
      name: 'gateway_retries_total',
      help: 'Upstream attempts retried, by provider.',
      labelNames: ['provider'],
      registers,
    });
    this.fallbacks = new Counter({
      name: 'gateway_fallbacks_total',
      help: "Calls handed from a failed route target to the route's next one.",
      labelNames: ['from', 'to'],
      registers,
    });
    this.rateLimited = new Counter({
      name: 'gateway_rate_limited_total',
      help: "Calls refused by the gateway's rate limits (429), by scope (key, tenant) and resource (requests, tokens).",
      labelNames: ['scope', 'resource'],
      registers,
    });
    this.policyDecisions = new Counter({
      name: 'gateway_policy_decisions_total',
      help: 'Calls a policy rule decided (DENY, WARN, ROUTE; SHADOW_ prefix: shadow rules), once per call and rule.',
      labelNames: ['decision', 'policy', 'rule'],
      registers,
    });
    this.piiFindings = new Counter({
      name: 'gateway_pii_findings_total',
      help: 'PII occurrences found, by type, direction (request, response) and the action in force.',
      labelNames: ['type', 'direction', 'action'],
      registers,
    });
    this.unpricedCalls = new Counter({
      name: 'gateway_unpriced_calls_total',
      help: 'Answered calls whose model has no price (recorded at cost 0).',
      registers,
    });
  }

  /** Label values bounded per label: past the cap, `other`. */
  labels<L extends MetricLabel>(labels: Readonly<Record<L, string>>): Record<L, string> {
    return this.limiter.bound(labels);
  }

  /** Every gauge and collector is registered by now (`onModuleInit`): the primary may read us. */
  onApplicationBootstrap(): void {
    this.cluster?.start();
  }

  onModuleDestroy(): void {
    this.cluster?.stop();
  }

  /** The exposition text of every metric: of every worker, in cluster mode. */
  scrape(): Promise<string> {
    return this.cluster?.scrape() ?? this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
