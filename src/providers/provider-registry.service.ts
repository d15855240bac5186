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
 * (contract section 6), stripping the prefix where the provider's definition says so.
 */
export class ProviderRegistry {
  private readonly byId: ReadonlyMap<string, LlmProvider>;
  /** Every known prefix, longest first, registered or not: an inactive match names its env var. */
  private readonly prefixes: readonly PrefixEntry[];
  private readonly cache = new Map<string, ResolvedModel | GatewayError>();

  constructor(catalog: readonly ProviderDefinition[], adapters: readonly LlmProvider[]) {
    this.byId = new Map(adapters.map((a) => [a.id, a]));
    this.prefixes = catalog
      .flatMap((definition) => definition.prefixes.map((prefix) => ({ prefix, definition })))
      .sort((a, b) => b.prefix.length - a.prefix.length);
  }

  /** Registered providers, in catalog order. */
  get providers(): readonly LlmProvider[] {
    return [...this.byId.values()];
  }

  get(id: string): LlmProvider | undefined {
    return this.byId.get(id);
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

  private lookup(model: string): ResolvedModel | GatewayError {
    const lower = model.toLowerCase();
    const entry = this.prefixes.find((e) => lower.startsWith(e.prefix.toLowerCase()));
    if (!entry) {
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
