import type { ProviderCapabilities } from '../llm-provider.types.js';

/**
 * A row of the contract's capability matrix (section 5). Streaming is assumed; every other
 * capability is spelled out by the vendor, so nothing is granted by omission.
 */
export function capabilities(
  row: Omit<ProviderCapabilities, 'streaming'> & { streaming?: boolean },
): ProviderCapabilities {
  return { streaming: true, ...row };
}

/** `gateway.providers.<id>.capabilities`: what the operator changed in the vendor's row. */
export interface CapabilityOverrides {
  readonly streaming?: boolean;
  readonly vision?: boolean;
  readonly tools?: boolean;
  readonly jsonObject?: boolean;
  readonly jsonSchema?: boolean;
  readonly maxContextTokens?: number;
}

/** The vendor's row with the operator's overrides applied (a `true` json mode means native). */
export function withOverrides(
  row: ProviderCapabilities,
  overrides: CapabilityOverrides | undefined,
): ProviderCapabilities {
  if (overrides === undefined) return row;
  const json = (value: boolean | undefined, current: ProviderCapabilities['jsonSchema']) =>
    value === undefined ? current : value ? 'native' : 'none';
  return {
    ...row,
    streaming: overrides.streaming ?? row.streaming,
    vision: overrides.vision ?? row.vision,
    tools: overrides.tools ?? row.tools,
    jsonObject: json(overrides.jsonObject, row.jsonObject),
    jsonSchema: json(overrides.jsonSchema, row.jsonSchema),
    maxContextTokens: overrides.maxContextTokens ?? row.maxContextTokens,
  };
}
