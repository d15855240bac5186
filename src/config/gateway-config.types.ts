import type { z } from 'zod';
import type { GatewayConfigInput } from './config.schema.js';
import type { pricingEntrySchema } from './metering.schema.js';

type CamelCase<S extends string> = S extends `${infer Head}-${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** Deep camel-casing of the validated YAML shape; free-form maps keep their `string` keys. */
export type CamelCased<T> = T extends readonly (infer U)[]
  ? CamelCased<U>[]
  : T extends object
    ? { [K in keyof T as K extends string ? CamelCase<K> : K]: CamelCased<T[K]> }
    : T;

/** The validated, typed configuration every module receives; built once at boot. */
export type GatewayConfig = CamelCased<GatewayConfigInput> & {
  /** Active profiles, in the order they were layered (`GATEWAY_PROFILE`). */
  readonly profiles: readonly string[];
  /** Every file that contributed, in layering order (for the start-up log). */
  readonly sources: readonly string[];
  /** The entries of `config/pricing.yml` (contract 11.1); empty without the file. */
  readonly pricingFile: readonly CamelCased<z.output<typeof pricingEntrySchema>>[];
};

/** DI token for {@link GatewayConfig}. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
