import type { CounterBatch } from './counter-batch.js';
import type { GatewayError } from '../../common/errors/gateway-error.js';
import type { CallTrace } from '../../routing/attempt-trace.js';
import type { RoutedAnswer } from '../../routing/failover.executor.js';
import type { ApiKeyScope } from '../../storage/api-key.types.js';
import type { PiiAction, RateLimitSettings, TenantSettings } from '../../storage/tenant.types.js';
import type { PiiCall } from '../pii/pii-call.js';
import type {
  CallFacts,
  CompiledRule,
  MatchedRule,
  PolicyVerdict,
} from '../policy/policy.types.js';

/** The kinds of governed call: one per ingress (contract 8). */
export type CallKind = 'chat' | 'embeddings' | 'models' | 'other';

/** The tenant a call runs as, as authentication found it (from the key cache: no extra read). */
export interface TenantFacts {
  readonly id: string;
  readonly region: string | null;
  readonly tags: Readonly<Record<string, string>>;
  readonly settings: TenantSettings;
}

/**
 * What the governance stages need to know of a validated body, taken once by the ingress that
 * declared it (`@Governed`); no stage looks into the body again for these.
 */
export interface RequestFacts {
  readonly model: string;
  /** The larger of `max_tokens` and `max_completion_tokens`. */
  readonly maxTokens?: number;
  /** Tools offered and tool calls replayed. */
  readonly toolNames: readonly string[];
  readonly stream: boolean;
  /** `metadata.tags` of a chat request (`team=search,feature=autocomplete`), unparsed. */
  readonly metadataTags?: string;
}

/**
 * Something reserved before dispatch (rate-limit tokens, budget money) and settled when the call
 * ends: on its real usage, or released when the call was refused, failed or cancelled (contract
 * 8: stages 3, 5 and 11 are one mechanism).
 */
export interface Reservation {
  settle(outcome: CallOutcome, context: GovernanceContext): void | Promise<void>;
}

/** One resource's tightest applicable limit per minute and what is left of it. */
export interface RateLimitLevel {
  readonly limit: number;
  readonly remaining: number;
}

/** What the `x-ratelimit-*` headers say: the resources under a limit, each its tightest scope. */
export interface RateLimitStanding {
  readonly requests?: RateLimitLevel;
  readonly tokens?: RateLimitLevel;
}

/** PII types found, with occurrence counts, e.g. `{EMAIL: 2}`. */
export type PiiCounts = Readonly<Record<string, number>>;

/** One policy decision of a call, as the audit and metrics stages record it. */
export interface PolicyRecord {
  /** `enforce`: ACTIVE rules; `shadow`: SHADOW rules, recorded as they would have decided. */
  readonly mode: 'enforce' | 'shadow';
  /** Where it was taken: before routing, or for a target the router considered. */
  readonly at: 'request' | { readonly provider: string; readonly model: string };
  readonly verdict: PolicyVerdict;
}

/** Token usage of the call as the upstream reported it (or estimated, flagged). */
export interface CallUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
  readonly cachedInputTokens?: number;
  readonly cacheWriteTokens?: number;
  readonly reasoningTokens?: number;
  readonly estimated: boolean;
}

/** What a call cost, computed once at its end (contract 11.1). */
export interface CallCost {
  /** Integer nano-USD; 0 for an unpriced model. */
  readonly nano: number;
  readonly priced: boolean;
  /** The usage it was computed from: the upstream's, or estimated (flagged). */
  readonly usage: CallUsage;
}

/**
 * Where the call stands against the tightest budget that applies to it, as admitted (stage 5):
 * for `X-Gateway-Budget-Remaining-Usd` and `X-Budget-Warning`.
 */
export interface BudgetStanding {
  readonly limitNano: number;
  /** Spent and reserved in the period when the call was admitted, its own reservation included. */
  readonly committedNano: number;
  /** This call's own reservation. */
  readonly reservedNano: number;
  /** Past the soft limit of any budget that applies. */
  readonly warning: boolean;
}

/** How a call ended, as settlement sees it. */
export interface CallOutcome {
  /** The HTTP status sent (200 for a stream that started, whatever happened after). */
  readonly status: number;
  /** The error the call was answered with, before or after the first byte. */
  readonly error?: GatewayError;
  /** The caller went away before the answer was complete. */
  readonly clientGone: boolean;
  /** Milliseconds from the call's arrival to its end. */
  readonly latencyMs: number;
}

/**
 * The per-call governance context (contract 8): created once when a /v1 call arrives, filled by
 * each stage in order, read by the later ones, and handed to settlement when the call ends. Stages
 * never re-parse the body or re-read the database for what is here.
 */
export class GovernanceContext {
  /** `performance.now()` at arrival. */
  readonly startedAt: number;
  kind: CallKind = 'other';
  /** The call's trace (its server span) when tracing is on; upstream attempts are its children. */
  trace?: CallTrace;

  // Stage 2: authentication.
  tenant?: TenantFacts;
  keyId?: string;
  scopes?: readonly ApiKeyScope[];
  /** The key's own rate limits (null or absent: the configured per-key defaults). */
  keyRateLimits?: RateLimitSettings | null;

  // Stage 4: the validated body and what the stages read of it.
  body?: unknown;
  facts?: RequestFacts;
  /** Estimated prompt tokens, computed once by whichever stage needs it first. */
  estimatedPromptTokens?: number;

  // Stages 3 and 5: what was reserved, settled at stage 11.
  readonly reservations: Reservation[] = [];
  /** With Redis: the counter steps of stages 3 and 5, sent in one round trip after stage 5. */
  counters?: CounterBatch;
  /** The tightest rate limits applying to the call and what is left of them (stage 3). */
  rateLimit?: RateLimitStanding;
  /** Utilisation of the tightest budget applying to the call, in percent (stage 5). */
  budgetUtilizationPct?: number;
  /** The tightest budget's standing (stage 5), when budgets apply. */
  budget?: BudgetStanding;
  /** Cost tags, `name=value`, from `X-Dvara-Tags` and `metadata.tags` (stage 4). */
  tags?: readonly string[];

  // Stage 6: PII findings in the request; stages 8 and 10: what was done about them.
  piiRequest?: PiiCounts;
  /** PII the model produced, found in the answer (stage 10; only with `scan-responses`). */
  piiResponse?: PiiCounts;
  /** The PII action in force for this call, once the PII stage has run. */
  piiAction?: PiiAction;
  /** The PII stage's own state for this call (findings, tokens issued): never logged. */
  pii?: PiiCall;

  // Stages 7 and 9: policy decisions.
  /** The facts the rules were evaluated against, built once by the policy stage. */
  policyFacts?: CallFacts;
  readonly policies: PolicyRecord[] = [];
  /** Warnings to send (`X-Gateway-Policy-Warning`), deduplicated by rule, in evaluation order. */
  readonly warnings: string[] = [];
  /** Built on the first warning: most calls have none. */
  private warnedRules?: Set<CompiledRule>;
  /** Where a ROUTE rule sent the call before routing (stage 7). */
  routedTo?: { readonly provider: string; readonly model?: string; readonly rule: MatchedRule };

  // Stages 10 and 11: what answered and what it used.
  answeredBy?: RoutedAnswer;
  usage?: CallUsage;
  /** Text of the answer as it reached the caller, kept to estimate usage the upstream omitted. */
  delivered?: string[];
  /** The call's cost, computed once when first asked (headers or settlement). */
  cost?: CallCost;
  /** `performance.now()` when a stream's first event went to the caller (time to first token). */
  firstTokenAt?: number;

  constructor(
    readonly traceId: string,
    readonly method: string,
    readonly path: string,
    now: number,
  ) {
    this.startedAt = now;
  }

  get tenantId(): string | undefined {
    return this.tenant?.id;
  }

  /** Milliseconds from arrival to a stream's first event; undefined for JSON answers. */
  get ttftMs(): number | undefined {
    return this.firstTokenAt === undefined ? undefined : this.firstTokenAt - this.startedAt;
  }

  /** Adds the warnings of a verdict, each rule once. */
  warn(verdict: PolicyVerdict): void {
    const warned = (this.warnedRules ??= new Set());
    verdict.warnedBy.forEach((rule, i) => {
      if (warned.has(rule)) return;
      warned.add(rule);
      this.warnings.push(verdict.warnings[i]);
    });
  }
}
