import { NO_FIELDS } from '../field-map.js';
import type { FieldMap, ProviderCapabilities } from '../llm-provider.types.js';
import { type CapabilityOverrides, withOverrides } from './compatible-capabilities.js';
import { bearerHeaders, type OpenAiCompatibleProfile } from './openai-compatible.profile.js';

/** The settings every Bearer-key vendor has (`gateway.providers.<id>`). */
export interface BearerVendorSettings {
  readonly apiKey: string;
  readonly baseUrl: string;
  readonly models: readonly string[];
  /** The operator's changes to the vendor's capability row. */
  readonly capabilities?: CapabilityOverrides;
}

/** What a Bearer-key vendor declares beyond its settings: its matrix row and its quirks. */
export type BearerVendorTraits = Omit<
  OpenAiCompatibleProfile,
  'id' | 'baseUrl' | 'headers' | 'secrets' | 'capabilities' | 'listModels' | 'embeddingsBase64'
> & {
  readonly capabilities: ProviderCapabilities;
  /**
   * The vendor's parameter map per model: the optional fields of contract 4.2 it documents.
   * Absent: none (what a vendor does not document is refused, not forwarded).
   */
  readonly fields?: (model: string) => FieldMap;
  /** Where a model differs from the vendor's row (its context window, images). */
  readonly perModel?: (model: string) => Partial<Omit<ProviderCapabilities, 'fields'>>;
  /** Default false: most compatibles send embeddings as floats only. */
  readonly embeddingsBase64?: boolean;
};

/** The profile of a vendor reached with `Authorization: Bearer <key>` at its base URL. */
export function bearerProfile(
  id: string,
  settings: BearerVendorSettings,
  traits: BearerVendorTraits,
): OpenAiCompatibleProfile {
  const { embeddingsBase64, fields, perModel, ...quirks } = traits;
  const capabilities = withOverrides(traits.capabilities, settings.capabilities);
  // The operator's overrides win over the per-model rows too.
  const row = (model: string) =>
    perModel === undefined
      ? capabilities
      : withOverrides({ ...traits.capabilities, ...perModel(model) }, settings.capabilities);
  return {
    ...quirks,
    id,
    baseUrl: settings.baseUrl,
    headers: bearerHeaders(settings.apiKey),
    secrets: [settings.apiKey],
    capabilities: (model) => ({ ...row(model), fields: fields?.(model) ?? NO_FIELDS }),
    listModels: () => settings.models.map((model) => ({ id: model, ownedBy: id })),
    embeddingsBase64: embeddingsBase64 ?? false,
  };
}
