import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import type { LlmProvider } from './llm-provider.js';
import type { ProviderDefinition } from './provider-definition.js';

/** The outcome of dispatching a model name. */
export interface ResolvedModel {
  readonly provider: LlmProvider;
  /** The model name as the upstream must receive it. */
  readonly upstreamModel: string;
}

interface PrefixEntry {
  readonly prefix: string;
  readonly definition: ProviderDefinition;
}

/**
 * Dispatches a model name to the registered provider with the longest matching prefix
 * (contract section 6), stripping the prefix where the provider's definition says so. Routes
 * (`src/routing/`) use {@link resolveTarget} to reach a named provider directly.
 */
export class ProviderRegistry {
  private readonly byId: ReadonlyMap<string, LlmProvider>;
  private readonly definitions: ReadonlyMap<string, ProviderDefinition>;
  /** Every known prefix, longest first, registered or not: an inactive match names its env var. */
  private readonly prefixes: readonly PrefixEntry[];
  /** The registered provider that takes models no prefix claims, if any. */
  private readonly fallthrough: LlmProvider | undefined;
  private readonly cache = new Map<string, ResolvedModel | GatewayError>();

  /**
   * @param unclaimedModelsProviderId the registered provider serving models that match no prefix
   */
  constructor(
    catalog: readonly ProviderDefinition[],
    adapters: readonly LlmProvider[],
    unclaimedModelsProviderId?: string,
  ) {
    this.byId = new Map(adapters.map((a) => [a.id, a]));
    this.definitions = new Map(catalog.map((d) => [d.id, d]));
    this.prefixes = catalog
      .flatMap((definition) => definition.prefixes.map((prefix) => ({ prefix, definition })))
      .sort((a, b) => b.prefix.length - a.prefix.length);
    this.fallthrough =
      unclaimedModelsProviderId === undefined
        ? undefined
        : this.byId.get(unclaimedModelsProviderId);
  }

  /** Registered providers, in catalog order. */
  get providers(): readonly LlmProvider[] {
    return [...this.byId.values()];
  }

  get(id: string): LlmProvider | undefined {
    return this.byId.get(id);
  }

  /**
   * The provider's `gen_ai.provider.name` for traces: the semantic conventions' name of its
   * vendor when its definition declares one, else its id.
   */
  genAiProviderName(id: string): string {
    return this.definitions.get(id)?.genAiProviderName ?? id;
  }

  /** The definition of any known provider, registered or not. */
  definition(id: string): ProviderDefinition | undefined {
    return this.definitions.get(id);
  }

  /** Ids of every known provider (what a route may name). */
  get knownIds(): readonly string[] {
    return [...this.definitions.keys()];
  }

  /** @throws GatewayError `no_provider` when no registered provider serves the model. */
  resolve(model: string): ResolvedModel {
    let hit = this.cache.get(model);
    if (hit === undefined) {
      hit = this.lookup(model);
      // Model names come from callers: bound the memo so it cannot grow without limit.
      if (this.cache.size < 10_000) this.cache.set(model, hit);
    }
    if (hit instanceof GatewayError) throw hit;
    return hit;
  }

  /**
   * A named provider with a model for it (a route's target). The model may carry the provider's
   * prefix (`groq/llama-3.1-8b`) or not (`llama-3.1-8b`); a stripping provider gets it without.
   * @throws GatewayError `no_provider` when the provider is unknown or not activated.
   */
  resolveTarget(providerId: string, model: string): ResolvedModel {
    const definition = this.definitions.get(providerId);
    const provider = this.byId.get(providerId);
    if (definition === undefined || provider === undefined) {
      return this.throwInactive(providerId, model);
    }
    let upstreamModel = model;
    if (definition.stripPrefix) {
      const lower = model.toLowerCase();
      const prefix = definition.prefixes.find((p) => lower.startsWith(p.toLowerCase()));
      if (prefix !== undefined && model.length > prefix.length) {
        upstreamModel = model.slice(prefix.length);
      }
    }
    return { provider, upstreamModel };
  }

  private throwInactive(providerId: string, model: string): never {
    const definition = this.definitions.get(providerId);
    throw new GatewayError(
      ErrorCode.NoProvider,
      definition === undefined
        ? `Provider '${providerId}' for model '${model}' is unknown.`
        : `Provider '${providerId}' for model '${model}' is not activated; set ${definition.activationHint} to enable it.`,
      { param: 'model', provider: providerId },
    );
  }

  private lookup(model: string): ResolvedModel | GatewayError {
    const lower = model.toLowerCase();
    const entry = this.prefixes.find((e) => lower.startsWith(e.prefix.toLowerCase()));
    if (!entry) {
      if (this.fallthrough !== undefined)
        return { provider: this.fallthrough, upstreamModel: model };
      const known = [...new Set(this.prefixes.map((e) => e.prefix))].join(', ');
      return new GatewayError(
        ErrorCode.NoProvider,
        `No provider serves model '${model}'. Known model prefixes: ${known}.`,
        { param: 'model' },
      );
    }
    const provider = this.byId.get(entry.definition.id);
    if (!provider) {
      return new GatewayError(
        ErrorCode.NoProvider,
        `Provider '${entry.definition.id}' for model '${model}' is not activated; set ${entry.definition.activationHint} to enable it.`,
        { param: 'model', provider: entry.definition.id },
      );
    }
    const upstreamModel = entry.definition.stripPrefix ? model.slice(entry.prefix.length) : model;
    if (upstreamModel.length === 0) {
      return new GatewayError(
        ErrorCode.ValidationError,
        `Model '${model}' names only the provider prefix; add the model after '${entry.prefix}'.`,
        { param: 'model' },
      );
    }
    return { provider, upstreamModel };
  }
}
