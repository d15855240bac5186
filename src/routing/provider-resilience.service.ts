import { Inject, Injectable } from '@nestjs/common';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../config/gateway-config.types.js';
import { ProviderRegistry } from '../providers/provider-registry.service.js';
import { type Attempt, type AttemptScope, ProviderGuard } from './provider-guard.js';
import { resolveResilienceSettings } from './resilience-settings.js';
import { RoutingEvents } from './routing-events.js';

/**
 * The resilience of every registered provider: one {@link ProviderGuard} (retries, circuit
 * breaker, timeouts) per provider id, built at boot from the merged settings and shared by all
 * calls. A provider whose definition says `resilient: false` (the mock) is never wrapped: its
 * attempts run once, as they are.
 */
@Injectable()
export class ProviderResilience {
  private readonly guards = new Map<string, ProviderGuard>();

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    registry: ProviderRegistry,
    private readonly events: RoutingEvents,
  ) {
    for (const provider of registry.providers) {
      if (registry.definition(provider.id)?.resilient === false) continue;
      const settings = resolveResilienceSettings(config, provider.id);
      this.guards.set(provider.id, new ProviderGuard(provider.id, settings, events));
    }
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
