import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import type { LlmProvider } from '../providers/llm-provider.js';
import { ProviderRegistry, type ResolvedModel } from '../providers/provider-registry.service.js';
import { type CompiledRoute, RouteTable } from './route-table.js';
import type { PlanGovernance, TargetGate } from './target-gate.js';
import { TargetSelector } from './target-selector.js';

/** A governed call re-targeted this many times in a row is in a loop of ROUTE decisions. */
const MAX_REROUTES = 3;

/** A provider and model a call may be sent to. */
export interface PlannedTarget {
  readonly provider: LlmProvider;
  /** The model name the request carries to this target: the route's mapping, or the caller's. */
  readonly model: string;
  /** The model as the upstream receives it (prefix stripped where the provider says so). */
  readonly upstreamModel: string;
}

/** Where one call goes: the primary first, then the fallbacks, in order. */
export interface RoutePlan {
  /** The model the caller asked for. */
  readonly model: string;
  /** The route that matched; none: prefix dispatch. */
  readonly route?: CompiledRoute;
  readonly targets: readonly PlannedTarget[];
}

/** Whether a target can serve one particular request. */
export interface CapabilityProbe {
  /** What the target lacks to serve the request, in words (`tool calls`); empty: capable. */
  lacks(target: PlannedTarget): readonly string[];
  /** The one target of an unrouted call: throws the precise refusal when it cannot serve. */
  assert(target: PlannedTarget): void;
}

/** Why a route's target was left out of a plan. */
interface Refusal {
  readonly label: string;
  readonly lacks?: readonly string[];
  readonly inactive?: GatewayError;
  /** Governance refused the target (a policy DENY). */
  readonly denied?: GatewayError;
}

interface Candidate extends PlannedTarget {
  readonly weight: number;
}

/**
 * Decides where a call goes (contract section 6). The first route whose glob matches the model
 * chooses its primary among the targets able to serve the request, by its strategy; the route's
 * fallbacks able to serve it follow. Without a matching route the longest model prefix decides,
 * as it always did, and the one target's refusals stay precise (`unsupported_capability` naming
 * the field).
 */
@Injectable()
export class RoutePlanner {
  private readonly table: RouteTable;
  private readonly selector: TargetSelector;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly registry: ProviderRegistry,
    @Optional() selector?: TargetSelector,
  ) {
    this.table = new RouteTable(config.routes);
    this.selector = selector ?? new TargetSelector();
    this.warnAboutInactiveTargets();
  }

  /**
   * @param governance the call's governance: every target considered is put to its gate (a denied
   *   one is skipped; when none is allowed, the first denial is the answer; a re-targeted one is
   *   replaced and asked about in turn), and a pinned target replaces the model's own.
   */
  plan(model: string, probe: CapabilityProbe, governance: PlanGovernance = {}): RoutePlan {
    const { gate, pinned } = governance;
    const route = pinned === undefined ? this.table.match(model) : undefined;
    if (route === undefined) {
      const resolved =
        pinned === undefined
          ? this.registry.resolve(model)
          : this.registry.resolveTarget(pinned.provider, pinned.model ?? model);
      let target = targetOf(resolved, pinned?.model ?? model);
      if (gate !== undefined) {
        const admitted = this.admit(target, gate);
        if (admitted instanceof GatewayError) throw admitted;
        target = admitted;
      }
      probe.assert(target);
      return { model, targets: [target] };
    }

    const refusals: Refusal[] = [];
    const capable = (entries: readonly { provider: string; model?: string; weight?: number }[]) =>
      entries.flatMap((entry): Candidate[] => {
        const targetModel = entry.model ?? model;
        const label = `${entry.provider} (${targetModel})`;
        let resolved;
        try {
          resolved = this.registry.resolveTarget(entry.provider, targetModel);
        } catch (error) {
          if (!(error instanceof GatewayError)) throw error;
          refusals.push({ label, inactive: error });
          return [];
        }
        let target = targetOf(resolved, targetModel);
        if (gate !== undefined) {
          const admitted = this.admit(target, gate);
          if (admitted instanceof GatewayError) {
            refusals.push({ label, denied: admitted });
            return [];
          }
          target = admitted;
        }
        const candidate = {
          provider: target.provider,
          model: target.model,
          upstreamModel: target.upstreamModel,
          weight: entry.weight ?? 1,
        };
        const lacks = probe.lacks(candidate);
        if (lacks.length > 0) {
          refusals.push({ label, lacks });
          return [];
        }
        return [candidate];
      });

    const primary = this.selector.pick(route, capable(route.targets));
    const targets: PlannedTarget[] = primary === undefined ? [] : [primary];
    for (const fallback of capable(route.fallbacks)) {
      // Calling the very same target again is a retry, and retries are the guard's business.
      const same = targets.some(
        (t) => t.provider.id === fallback.provider.id && t.upstreamModel === fallback.upstreamModel,
      );
      if (!same) targets.push(fallback);
    }
    if (targets.length === 0) throw this.refuse(model, route, refusals);
    return { model, route, targets: targets.map(withoutWeight) };
  }

  /**
   * Every provider and upstream model a call for `model` could reach without governance stepping
   * in (a route's targets and fallbacks, or the prefix's provider), for what is reserved before
   * routing decides (budgets price the dearest). Nothing is selected, so no strategy advances;
   * an unknown model has none.
   */
  candidates(model: string): { provider: string; upstreamModel: string }[] {
    const resolved = (provider: string, target: string) => {
      try {
        const found = this.registry.resolveTarget(provider, target);
        return [{ provider: found.provider.id, upstreamModel: found.upstreamModel }];
      } catch {
        return [];
      }
    };
    const route = this.table.match(model);
    if (route === undefined) {
      try {
        const found = this.registry.resolve(model);
        return [{ provider: found.provider.id, upstreamModel: found.upstreamModel }];
      } catch {
        return [];
      }
    }
    return [...route.targets, ...route.fallbacks].flatMap((t) =>
      resolved(t.provider, t.model ?? model),
    );
  }

  /**
   * Puts a target to the gate: the target (or the one it was re-targeted to, itself admitted), or
   * the refusal. A re-target naming a provider that is not activated is that provider's refusal.
   */
  private admit(target: PlannedTarget, gate: TargetGate): PlannedTarget | GatewayError {
    let current = target;
    for (let hop = 0; ; hop++) {
      const verdict = gate({ provider: current.provider.id, model: current.model });
      if (verdict.kind === 'allow') return current;
      if (verdict.kind === 'deny') return verdict.error;
      if (hop >= MAX_REROUTES) {
        return new GatewayError(
          ErrorCode.PolicyDenied,
          `Request blocked by policy: ROUTE rules re-targeted the call more than ${MAX_REROUTES} times.`,
        );
      }
      const model = verdict.model ?? current.model;
      try {
        current = targetOf(this.registry.resolveTarget(verdict.provider, model), model);
      } catch (error) {
        if (error instanceof GatewayError) return error;
        throw error;
      }
    }
  }

  private refuse(model: string, route: CompiledRoute, refusals: readonly Refusal[]): GatewayError {
    // Governance refused a target the call could otherwise use: its denial is the answer.
    const denied = refusals.find((r) => r.denied !== undefined);
    if (denied !== undefined) return denied.denied!;
    if (refusals.every((r) => r.inactive !== undefined) && refusals.length > 0) {
      return refusals[0].inactive!;
    }
    const needs = [...new Set(refusals.flatMap((r) => r.lacks ?? []))];
    const details = refusals.map((r) =>
      r.inactive !== undefined
        ? `${r.label} is not activated`
        : `${r.label} lacks ${r.lacks!.join(', ')}`,
    );
    return new GatewayError(
      ErrorCode.NoCapableProvider,
      `No provider of the route '${route.pattern}' can serve this request for model '${model}': it needs ${needs.join(', ')}; ${details.join('; ')}.`,
      { param: 'model' },
    );
  }

  /** A route naming a provider that is not activated works, minus that target: say so once. */
  private warnAboutInactiveTargets(): void {
    const logger = new Logger(RoutePlanner.name);
    for (const route of this.table.routes) {
      const ids = new Set([...route.targets, ...route.fallbacks].map((t) => t.provider));
      for (const id of ids) {
        if (this.registry.get(id) !== undefined) continue;
        const hint = this.registry.definition(id)?.activationHint;
        logger.warn(
          `Route '${route.pattern}' names provider '${id}', which is not activated${hint ? ` (set ${hint})` : ''}; the route skips it.`,
        );
      }
    }
  }
}

/**
 * A resolved provider and upstream model under the model name the request carries to it. Written
 * out: V8 (Node 20.20) took 0.6 µs to spread `resolved` into it, against 0.03 µs (bench/README.md,
 * 2026-12-07), and every call plans at least one target.
 */
function targetOf(resolved: ResolvedModel, model: string): PlannedTarget {
  return { provider: resolved.provider, model, upstreamModel: resolved.upstreamModel };
}

function withoutWeight({ provider, model, upstreamModel }: PlannedTarget): PlannedTarget {
  return { provider, model, upstreamModel };
}
