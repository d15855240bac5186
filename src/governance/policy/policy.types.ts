/**
 * The policy engine's shared shapes (contract section 10): what a policy is, what a compiled rule
 * is, the facts a rule is evaluated against, and what an evaluation decides.
 */

export const POLICY_STATUSES = ['ACTIVE', 'SHADOW', 'DRAFT'] as const;
/** `ACTIVE` enforced; `SHADOW` evaluated and recorded, never enforced; `DRAFT` stored only. */
export type PolicyStatus = (typeof POLICY_STATUSES)[number];

/** Where a policy came from: configuration and the bootstrap file are read-only on the API. */
export type PolicySource = 'config' | 'bootstrap' | 'api';

export const POLICY_ACTIONS = ['DENY', 'WARN_AGENT', 'ROUTE'] as const;
export type PolicyAction = (typeof POLICY_ACTIONS)[number];

/** A policy as written: DVARA's `{id, workspace|tenant, status, dsl}`. */
export interface PolicyEntry {
  readonly id: string;
  /** The tenant it governs; null: every tenant (global). */
  readonly tenant: string | null;
  readonly status: PolicyStatus;
  /** The DSL's YAML text. */
  readonly dsl: string;
}

/** A policy as kept by the gateway, with its origin. */
export interface StoredPolicy extends PolicyEntry {
  readonly source: PolicySource;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}

/** Where a ROUTE rule sends the call. */
export interface RouteTo {
  readonly provider: string;
  /** Absent: the caller's model. */
  readonly model?: string;
}

/** The call as the policy engine sees it: everything a condition may read except the target. */
export interface CallFacts {
  readonly tenantId: string;
  /** The tenant's data-residency region (`eu`); null when unset. */
  readonly tenantRegion: string | null;
  readonly tenantTags: Readonly<Record<string, string>>;
  /** The model the caller asked for. */
  readonly model: string;
  /** The larger of `max_tokens` and `max_completion_tokens`; undefined when neither is set. */
  readonly maxTokens?: number;
  /** Tools offered (`tools[].function.name`) and tool calls replayed in assistant messages. */
  readonly toolNames: readonly string[];
  /** PII types the PII stage found in the request (empty until that stage reports). */
  readonly piiTypes: ReadonlySet<string>;
  /** Utilisation of the tightest budget applying to the call, in percent (0 without budgets). */
  readonly budgetUtilizationPct: number;
  /** Epoch milliseconds the call is evaluated at (for `time_of_day`). */
  readonly now: number;
}

/** A target the router would send the call to. */
export interface TargetFacts {
  /** Provider id, e.g. `openai`. */
  readonly provider: string;
  /** The model name the target would receive (after a route mapping). */
  readonly model: string;
}

/** One rule of one policy, compiled: its conditions are closures, evaluation reads nothing. */
export interface CompiledRule {
  readonly policyId: string;
  /** The policy's tenant; null: global. */
  readonly tenant: string | null;
  readonly status: PolicyStatus;
  readonly ruleId: string;
  /** Position of the rule in its policy (ties in priority keep rule order). */
  readonly ruleIndex: number;
  /** Lower runs first; default 100. */
  readonly priority: number;
  readonly action: PolicyAction;
  readonly routeTo?: RouteTo;
  readonly denyMessage?: string;
  readonly warnMessage?: string;
  /** Whether a DENY is a data-residency refusal (the rule has a `data_residency` condition). */
  readonly residency: boolean;
  /**
   * Whether any condition reads the target (`provider`, `data_residency`): such a rule cannot
   * match before the router names a target.
   */
  readonly concernsTarget: boolean;
  /**
   * Every condition present matches (AND). Without a target, a rule that concerns the target does
   * not match; `model` is checked against the caller's model and, with a target, the target's too.
   */
  matches(facts: CallFacts, target?: TargetFacts): boolean;
}

/** A compiled policy: its entry and its rules in written order. */
export interface CompiledPolicy {
  readonly entry: PolicyEntry;
  readonly rules: readonly CompiledRule[];
}

/** A rule that matched, as the dry-run and the audit report it. */
export interface MatchedRule {
  readonly policyId: string;
  readonly ruleId: string;
  readonly action: PolicyAction;
}

export type Decision = 'ALLOW' | 'DENY' | 'WARN' | 'ROUTE';

/** What one evaluation over an ordered rule list decided. */
export interface PolicyVerdict {
  readonly decision: Decision;
  /** Every matching rule, in evaluation order, up to and including the deciding one. */
  readonly matched: readonly MatchedRule[];
  /** The DENY or ROUTE rule that decided; undefined for ALLOW and WARN. */
  readonly decidedBy?: CompiledRule;
  /** DENY: the refusal message (`deny_message`, else `Request blocked by policy rule: <id>`). */
  readonly message?: string;
  /** The warning messages of every matching WARN_AGENT rule, in evaluation order. */
  readonly warnings: readonly string[];
  /** The rules behind `warnings`, same order. */
  readonly warnedBy: readonly CompiledRule[];
  /** ROUTE: where the call goes instead. */
  readonly routeTo?: RouteTo;
}

/** What the compiler needs to know about providers. */
export interface ProviderCatalog {
  /** Every provider id the installation knows (built-in and custom), activated or not. */
  readonly known: ReadonlySet<string>;
  /** Providers registered in this process (activated): the only valid `route_to` targets. */
  readonly active: ReadonlySet<string>;
}

/** Why a policy does not compile, with where: `param` is `<rule id>.<key path>` or the key. */
export class PolicyCompileError extends Error {
  override readonly name = 'PolicyCompileError';

  constructor(
    /** e.g. `no-preview-models.conditions.model.denylist`, or `dsl` for the document itself. */
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}
