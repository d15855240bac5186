import type { DynamicModule, InjectionToken, Type } from '@nestjs/common';
import type { GatewayConfig } from '../config/gateway-config.types.js';

/** What a provider's {@link ProviderDefinition.load} resolves to. */
export interface ProviderBinding {
  /** The vendor's Nest module; it must provide and export {@link adapter}. */
  readonly module: Type<unknown> | DynamicModule;
  /** The adapter's injection token: its class, or a token for adapters built from configuration. */
  readonly adapter: InjectionToken;
}

/**
 * How a vendor folder declares itself to the registry. Adding a provider is adding a folder that
 * exports one of these, and listing it in `provider-catalog.ts`. A definition file imports nothing
 * of its vendor's adapter: the catalog is loaded at start-up, the adapter only when activated.
 */
export interface ProviderDefinition {
  /** Lowercase kebab id, e.g. `azure-openai`. */
  readonly id: string;
  /**
   * The vendor's `gen_ai.provider.name` as the OpenTelemetry GenAI semantic conventions define it
   * (`GEN_AI_PROVIDER_NAME_VALUE_*` in `@opentelemetry/semantic-conventions/incubating`, e.g.
   * `aws.bedrock`), for traces. Absent for a vendor the conventions do not name: traces use
   * {@link id} then.
   */
  readonly genAiProviderName?: string;
  /** Model-name prefixes this provider serves; the longest matching prefix wins. */
  readonly prefixes: readonly string[];
  /** Whether the matched prefix is removed before the model name reaches the upstream. */
  readonly stripPrefix: boolean;
  /** What an operator sets to activate it, named in the `no_provider` error. */
  readonly activationHint: string;
  /** Reads the typed configuration; the provider registers only when this holds. */
  isActive(config: GatewayConfig): boolean;
  /**
   * Whether this provider also serves models no prefix claims (OpenAI re-pointed at another
   * OpenAI-compatible host, as the seeds describe). At most one registered provider should say so.
   */
  servesUnclaimedModels?(config: GatewayConfig): boolean;
  /**
   * False for a provider that is never wrapped by retries, the circuit breaker or timeouts
   * (the mock, contract 5.1). Defaults to true.
   */
  readonly resilient?: boolean;
  /**
   * Imports the vendor's module and adapter with a dynamic `import()`. `ProvidersModule` calls it
   * only for an active provider, so an inactive vendor's code and SDK (the AWS SDK, for Bedrock)
   * are never loaded.
   */
  load(): Promise<ProviderBinding>;
}
