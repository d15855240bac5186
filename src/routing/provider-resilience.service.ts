import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { BreakerStateBus } from './breaker-state.bus.js';
import { type Attempt, type AttemptScope, ProviderGuard } from './provider-guard.js';
import { resolveResilienceSettings } from './resilience-settings.js';
import { RoutingEvents } from './routing-events.js';

/**
 * The resilience of every registered provider: one {@link ProviderGuard} (retries, circuit
 * breaker, timeouts) per provider id, built at boot from the merged settings and shared by all
 * calls. A provider whose definition says `resilient: false` (the mock) is never wrapped: its
 * attempts run once, as they are. With Redis, breakers are shared by the replicas through the
 * {@link BreakerStateBus}: one that opens here is held open on the others, and the other way round.
 */
@Injectable()
export class ProviderResilience implements OnApplicationBootstrap {
  private readonly guards = new Map<string, ProviderGuard>();

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    registry: ProviderRegistry,
    private readonly events: RoutingEvents,
    private readonly bus: BreakerStateBus,
  ) {
    for (const provider of registry.providers) {
      if (registry.definition(provider.id)?.resilient === false) continue;
      const settings = resolveResilienceSettings(config, provider.id);
      const guard = new ProviderGuard(provider.id, settings, events);
      guard.onShareableChange((change) => bus.publish(change));
      this.guards.set(provider.id, guard);
    }
    bus.subscribe((change) => this.guards.get(change.provider)?.applyShared(change));
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.bus.start([...this.guards.keys()]);
  }

  /** The provider's guard, if it is wrapped. */
  guard(providerId: string): ProviderGuard | undefined {
    return this.guards.get(providerId);
  }

  /** Runs one target's attempt(s) through its provider's guard; each failed attempt is announced. */
  execute<T>(
    providerId: string,
    model: string,
    scope: AttemptScope,
    attempt: Attempt<T>,
  ): Promise<T> {
    const announced: Attempt<T> = (timeouts) =>
      attempt(timeouts).catch((error: unknown) => {
        if (!scope.signal.aborted) {
          this.events.emit({
            type: 'attempt-failed',
            traceId: scope.traceId,
            provider: providerId,
            model,
            code: error instanceof GatewayError ? error.code : ErrorCode.InternalError,
          });
        }
        throw error;
      });
    const guard = this.guards.get(providerId);
    if (guard !== undefined) return guard.execute(model, scope, announced);
    if (scope.signal.aborted) {
      return Promise.reject(
        new GatewayError(
          ErrorCode.ProviderError,
          `The request to provider '${providerId}' was cancelled.`,
          { provider: providerId },
        ),
      );
    }
    return announced(undefined);
  }
}
