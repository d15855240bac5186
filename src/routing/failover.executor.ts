import { Inject, Injectable, Logger } from '@nestjs/common';
import { Observable } from 'rxjs';
import { CallCancellation } from '../common/cancellation/call-cancellation.js';
import type { CancelSignal } from '../common/cancellation/cancel-signal.js';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import type { ProviderCall } from '../providers/llm-provider.js';
import { type RoutedCall, tracedAttempts, tracedStreams } from './attempt-trace.js';
import type { AttemptScope } from './provider-guard.js';
import { ProviderResilience } from './provider-resilience.service.js';
import { resolveFallbackSettings, type FallbackSettings } from './resilience-settings.js';
import type { PlannedTarget, RoutePlan } from './route-planner.service.js';
import { RoutingEvents } from './routing-events.js';
import { type OpenedStream, openStream } from './stream-opening.js';

/** Who answered a routed call: what the `X-Gateway-*` headers report. */
export interface RoutedAnswer {
  readonly provider: string;
  /** The model as sent upstream. */
  readonly model: string;
  /** Providers that failed before this one answered, in order; empty: the primary answered. */
  readonly failedOver: readonly string[];
}

export interface Routed<T> {
  readonly value: T;
  readonly answer: RoutedAnswer;
}

/** A routed stream: `answer()` is known once the first chunk has arrived. */
export interface RoutedStream<T> {
  readonly events$: Observable<T>;
  readonly answer: () => RoutedAnswer | undefined;
}

/** Calls one target: the request (mapped to the target's model) with this attempt's facts. */
export type TargetCall<T> = (target: PlannedTarget, call: ProviderCall) => T;

/** The errors a fallback may answer: the provider failed, is open, or is rate limiting us. */
const FAILOVER_CODES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.ProviderError,
  ErrorCode.ProviderCircuitOpen,
  ErrorCode.ProviderRateLimited,
]);

function fallsOver(error: unknown): error is GatewayError {
  return error instanceof GatewayError && FAILOVER_CODES.has(error.code);
}

/**
 * Runs a {@link RoutePlan} (contract section 6): the primary through its provider's guard
 * (retries, breaker, timeouts), then, should it fail with `provider_error`,
 * `provider_circuit_open` or `provider_rate_limited`, each fallback in turn, with its own model
 * and its own provider's credentials. Never for an error the caller caused, never once the
 * caller left, at most `fallback.max-attempts` targets, and none that would start after
 * `fallback.deadline-ms`. When every target failed the primary's error is returned, except that
 * when every target tried was open the answer says all were.
 */
@Injectable()
export class FailoverExecutor {
  private readonly logger = new Logger('Routing');
  private readonly settings: FallbackSettings;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly resilience: ProviderResilience,
    private readonly events: RoutingEvents,
  ) {
    this.settings = resolveFallbackSettings(config);
  }

  /**
   * A promise-returning call (chat completion, embeddings). When `routed` is traced, every
   * upstream attempt (retries included) is a child span of its trace.
   */
  run<T>(
    plan: RoutePlan,
    routed: RoutedCall,
    signal: CancelSignal,
    call: TargetCall<Promise<T>>,
  ): Promise<Routed<T>> {
    const attempt = routed.trace === undefined ? call : tracedAttempts(routed.trace, call);
    return this.chain(plan, this.scope(routed.traceId, signal), attempt);
  }

  /**
   * A streaming call: cold, like the adapters' streams. A target counts as answering at its first
   * chunk; until then its failures may be retried and fall over, after it they end the stream.
   * Unsubscribing aborts the attempt in flight and starts no other.
   */
  stream<T>(plan: RoutePlan, routed: RoutedCall, open: TargetCall<Observable<T>>): RoutedStream<T> {
    const attempt = routed.trace === undefined ? open : tracedStreams(routed.trace, open);
    let answer: RoutedAnswer | undefined;
    const events$ = new Observable<T>((subscriber) => {
      const cancellation = new CallCancellation();
      const scope = this.scope(routed.traceId, cancellation);
      let opened: OpenedStream<T> | undefined;
      void this.chain(plan, scope, (target, call) =>
        openStream(attempt(target, call), cancellation, () => cancelled(target)),
      ).then(
        (routed) => {
          if (cancellation.aborted) return routed.value.cancel();
          answer = routed.answer;
          opened = routed.value;
          opened.forward(subscriber);
        },
        (error: unknown) => subscriber.error(error),
      );
      return () => {
        cancellation.abort();
        opened?.cancel();
      };
    });
    return { events$, answer: () => answer };
  }

  private scope(traceId: string, signal: CancelSignal): AttemptScope {
    return { traceId, signal, deadlineAt: Date.now() + this.settings.deadlineMs };
  }

  private async chain<T>(
    plan: RoutePlan,
    scope: AttemptScope,
    call: TargetCall<Promise<T>>,
  ): Promise<Routed<T>> {
    const failed: string[] = [];
    const failures: GatewayError[] = [];
    let primaryError: unknown;
    const limit = Math.min(plan.targets.length, this.settings.maxAttempts);
    for (let i = 0; i < limit; i++) {
      const target = plan.targets[i];
      if (i > 0 && !this.mayFallBack(plan, scope, i, failures[i - 1])) break;
      try {
        const value = await this.resilience.execute(
          target.provider.id,
          target.upstreamModel,
          scope,
          (timeouts) =>
            call(target, {
              model: target.upstreamModel,
              traceId: scope.traceId,
              signal: scope.signal,
              timeouts,
            }),
        );
        return {
          value,
          answer: { provider: target.provider.id, model: target.upstreamModel, failedOver: failed },
        };
      } catch (error) {
        if (i === 0) primaryError = error;
        if (scope.signal.aborted || !fallsOver(error)) break;
        failed.push(target.provider.id);
        failures.push(error);
      }
    }
    const allOpen =
      failures.length > 1 && failures.every((e) => e.code === ErrorCode.ProviderCircuitOpen);
    throw allOpen ? everyCircuitOpen(plan, failures) : primaryError;
  }

  /** Whether target `i` may be tried after the previous one failed with `error`. */
  private mayFallBack(plan: RoutePlan, scope: AttemptScope, i: number, error: GatewayError) {
    if (scope.signal.aborted) return false;
    const from = plan.targets[i - 1];
    const to = plan.targets[i];
    if (Date.now() >= scope.deadlineAt) {
      this.logger.warn({
        msg: `not falling back to provider '${to.provider.id}': the ${this.settings.deadlineMs} ms fallback deadline has passed`,
        trace_id: scope.traceId,
        provider: to.provider.id,
      });
      return false;
    }
    this.events.emit({
      type: 'fallback',
      traceId: scope.traceId,
      from: { provider: from.provider.id, model: from.upstreamModel },
      to: { provider: to.provider.id, model: to.upstreamModel },
      code: error.code,
    });
    return true;
  }
}

function everyCircuitOpen(plan: RoutePlan, failures: readonly GatewayError[]): GatewayError {
  const providers = failures.map((e) => e.provider).filter((p) => p !== undefined);
  const waits = failures.map((e) => e.retryAfterSeconds).filter((s) => s !== undefined);
  return new GatewayError(
    ErrorCode.ProviderCircuitOpen,
    `Every provider for model '${plan.model}' is unavailable: the circuit breakers of ${providers.join(', ')} are open after repeated failures.`,
    { retryable: false, retryAfterSeconds: waits.length > 0 ? Math.min(...waits) : undefined },
  );
}

function cancelled(target: PlannedTarget): GatewayError {
  return new GatewayError(
    ErrorCode.ProviderError,
    `The request to provider '${target.provider.id}' was cancelled.`,
    { provider: target.provider.id },
  );
}
