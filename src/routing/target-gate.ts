import type { GatewayError } from '../common/errors/gateway-error.js';

/** A target the router is about to try: the provider id and the model it would receive. */
export interface GateTarget {
  readonly provider: string;
  readonly model: string;
}

/** The answer to "may this call go to this target?". */
export type TargetVerdict =
  | { readonly kind: 'allow' }
  /** Not this target: the refusal the caller gets should no other target be allowed. */
  | { readonly kind: 'deny'; readonly error: GatewayError }
  /** Not this target, that one instead (which is asked about in turn). */
  | { readonly kind: 'reroute'; readonly provider: string; readonly model?: string };

/**
 * The one question routing asks of governance, per target it considers (contract 8 stage 9). It
 * knows nothing of why: policies, data residency, or whatever else answers it.
 */
export type TargetGate = (target: GateTarget) => TargetVerdict;

export const ALLOW: TargetVerdict = { kind: 'allow' };

/** What governance tells the planner about one call. */
export interface PlanGovernance {
  /** Asked for every target considered; absent: every target may be used. */
  readonly gate?: TargetGate;
  /** The call goes to this target instead of where its model would (a ROUTE decision). */
  readonly pinned?: { readonly provider: string; readonly model?: string };
}
