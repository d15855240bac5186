import { nanoToUsd } from '../../governance/metering/pricing/cost.calculator.js';
import type {
  CallOutcome,
  GovernanceContext,
} from '../../governance/pipeline/governance-context.js';

/**
 * One access log line (contract 14): who called, what answered, how it ended and what it used.
 * Ids, names and numbers only: never a key, a prompt or an answer. Every field is present on
 * every line (null when the call never got that far), so log pipelines see one schema.
 */
export interface AccessLine {
  readonly msg: string;
  readonly trace_id: string;
  readonly tenant: string | null;
  readonly key_id: string | null;
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly code: string | null;
  readonly provider: string | null;
  readonly model: string | null;
  readonly upstream_model: string | null;
  readonly stream: boolean;
  readonly attempts: number | null;
  readonly client_gone: boolean;
  readonly latency_ms: number;
  readonly ttft_ms: number | null;
  readonly input_tokens: number | null;
  readonly output_tokens: number | null;
  readonly cost_usd: number | null;
}

/** The access line of a settled call, from what the stages left on its context. */
export function accessLine(context: GovernanceContext, outcome: CallOutcome): AccessLine {
  const answer = context.answeredBy;
  const usage = context.cost?.usage ?? context.usage;
  const ttft = context.ttftMs;
  return {
    msg: `${context.method} ${context.path} ${outcome.status}`,
    trace_id: context.traceId,
    tenant: context.tenant?.id ?? null,
    key_id: context.keyId ?? null,
    method: context.method,
    path: context.path,
    status: outcome.status,
    code: outcome.error?.code ?? null,
    provider: answer?.provider ?? null,
    model: context.facts?.model ?? null,
    upstream_model: answer?.model ?? null,
    stream: context.facts?.stream ?? false,
    attempts: answer === undefined ? null : answer.failedOver.length + 1,
    client_gone: outcome.clientGone,
    latency_ms: Math.round(outcome.latencyMs),
    ttft_ms: ttft === undefined ? null : Math.round(ttft),
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    cost_usd: context.cost === undefined ? null : nanoToUsd(context.cost.nano),
  };
}
