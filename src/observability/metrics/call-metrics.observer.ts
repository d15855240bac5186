import { Injectable, type OnModuleInit } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { CallCosting } from '../../governance/metering/usage/call-costing.service.js';
import { nanoToUsd } from '../../governance/metering/pricing/cost.calculator.js';
import {
  CallSettlement,
  type CallObserver,
} from '../../governance/pipeline/call-settlement.service.js';
import type {
  CallOutcome,
  GovernanceContext,
  PiiCounts,
  PolicyRecord,
} from '../../governance/pipeline/governance-context.js';
import type { RateLimitRefusal } from '../../governance/rate-limits/rate-limit.errors.js';
import type { TenantSeries } from './call-series.js';
import { GatewayMetrics } from './gateway.metrics.js';

/**
 * Counts every settled /v1 call (contract 14) from what the stages left on its governance context:
 * answered or refused at any stage, 401 included, each exactly once, with no second look at the
 * body and no read of storage. Labels carry ids, codes and types, never a key or any text of the
 * call; a value not known for the call (the tenant of a 401, the provider of a refusal) is empty.
 */
@Injectable()
export class CallMetricsObserver implements CallObserver, OnModuleInit {
  constructor(
    private readonly settlement: CallSettlement,
    private readonly costing: CallCosting,
    private readonly metrics: GatewayMetrics,
  ) {}

  onModuleInit(): void {
    this.settlement.observe(this);
  }

  callSettled(context: GovernanceContext, outcome: CallOutcome): void {
    const m = this.metrics;
    const error = outcome.error;
    const answered = context.answeredBy;
    // The model that answered when one did (as metered), else the one the caller asked for.
    const target = m.calls.target(
      answered?.provider ?? error?.provider ?? '',
      answered?.model ?? context.facts?.model ?? '',
    );
    const tenant = target.tenant(context.tenant?.id ?? '');
    tenant.request(outcome.status, error?.code ?? '').inc();
    target.duration.observe(outcome.latencyMs / 1000);
    const ttft = context.ttftMs;
    if (ttft !== undefined) target.timeToFirstToken.observe(ttft / 1000);
    // A failure after a stream's first byte: no attempt reported it (the attempt had succeeded).
    if (error?.provider !== undefined && outcome.status < 400) {
      m.providerErrors.inc(m.labels({ provider: error.provider, code: error.code }));
    }
    if (error?.code === ErrorCode.RateLimitExceeded) this.rateLimited(error.details);
    this.metered(context, tenant);
    if (context.policies.length > 0) this.policies(context.policies);
    const action = context.piiAction;
    if (action !== undefined) {
      this.pii(context.piiRequest, 'request', action);
      this.pii(context.piiResponse, 'response', action);
    }
  }

  /** Answered calls: under their answering target, which is the call's target then. */
  private metered(context: GovernanceContext, tenant: TenantSeries): void {
    const cost = this.costing.costOf(context);
    if (cost === undefined || context.answeredBy === undefined) return;
    tenant.metered(cost.usage.inputTokens, cost.usage.outputTokens, nanoToUsd(cost.nano));
    if (!cost.priced) this.metrics.unpricedCalls.inc();
  }

  private rateLimited(details: Readonly<Record<string, unknown>> | undefined): void {
    const refusal = details?.rate_limit as RateLimitRefusal | undefined;
    if (refusal === undefined) return;
    this.metrics.rateLimited.inc({ scope: refusal.scope, resource: refusal.limited_resource });
  }

  /**
   * One count per call for each rule that decided (as the `POLICY_*` audit events name it), however
   * many times the call was evaluated (before routing and for each target tried).
   */
  private policies(records: readonly PolicyRecord[]): void {
    const m = this.metrics;
    let counted: Set<string> | undefined;
    for (const record of records) {
      const verdict = record.verdict;
      if (
        verdict.decision === 'ALLOW' &&
        (record.mode === 'enforce' || verdict.matched.length === 0)
      )
        continue;
      const rule = verdict.decidedBy ?? verdict.matched[verdict.matched.length - 1];
      const labels = m.labels({
        decision: record.mode === 'shadow' ? `SHADOW_${verdict.decision}` : verdict.decision,
        policy: rule?.policyId ?? '',
        rule: rule?.ruleId ?? '',
      });
      const key = `${labels.decision}\n${labels.policy}\n${labels.rule}`;
      if (counted?.has(key) === true) continue;
      (counted ??= new Set()).add(key);
      m.policyDecisions.inc(labels);
    }
  }

  /** Occurrences per type, with the action in force (as the `PII_*` audit events report them). */
  private pii(counts: PiiCounts | undefined, direction: 'request' | 'response', action: string) {
    if (counts === undefined) return;
    for (const [type, occurrences] of Object.entries(counts)) {
      this.metrics.piiFindings.inc({ type, direction, action }, occurrences);
    }
  }
}
