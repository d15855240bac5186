import { Inject, Injectable, Logger } from '@nestjs/common';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { GATEWAY_CONFIG, type GatewayConfig } from '../../config/gateway-config.types.js';
import type { PiiAction, TenantSettings } from '../../storage/tenant.types.js';
import type { TenantFacts } from '../pipeline/governance-context.js';
import { compilePiiDetector } from './detection/pii-detector.js';
import type { CustomPattern, PiiDetector, PiiType } from './pii.types.js';
import { asError } from '../../common/errors/as-error.js';

/** What the PII stage does for one call: the tenant's settings over the installation's. */
export interface PiiCallSettings {
  readonly action: PiiAction;
  readonly detector: PiiDetector;
  readonly scanResponses: boolean;
  readonly holdbackChars: number;
}

/** Distinct tenant detector configurations kept compiled; the oldest is dropped past this. */
const MAX_COMPILED = 512;

/**
 * Resolves a call's PII settings (contract 9.2): `settings.pii_action`, `pii_types` and
 * `pii_custom_patterns` of the tenant, else `gateway.pii.*`. Detectors are compiled once per
 * distinct configuration and reused; the common case (a tenant without its own types or
 * patterns) shares the installation's detector and costs a property read.
 */
@Injectable()
export class PiiSettingsResolver {
  private readonly logger = new Logger('Pii');
  readonly enabled: boolean;
  private readonly defaults: PiiCallSettings;
  private readonly customPatterns: readonly CustomPattern[];
  private readonly installationTypes: readonly PiiType[];
  private readonly compiled = new Map<string, PiiDetector | Error>();
  private readonly bySettings = new WeakMap<TenantSettings, PiiCallSettings | Error>();

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    const pii = config.pii;
    this.enabled = pii.enabled;
    this.customPatterns = Object.entries(pii.customPatterns).map(([label, source]) => ({
      label,
      source,
    }));
    this.defaults = {
      action: pii.defaultAction,
      detector: compilePiiDetector({
        types: new Set(withCustom(pii.types, new Map(Object.entries(pii.customPatterns)))),
        customPatterns: this.customPatterns,
      }),
      scanResponses: pii.scanResponses,
      holdbackChars: pii.streamHoldbackChars,
    };
    this.installationTypes = pii.types;
  }

  /**
   * The settings of a call of this tenant.
   * @throws GatewayError `internal_error` when the tenant's stored patterns cannot be compiled:
   *   the call is refused rather than let through unscanned (fail closed).
   */
  forTenant(tenant: TenantFacts | undefined): PiiCallSettings {
    const settings = tenant?.settings;
    if (settings === undefined) return this.defaults;
    let resolved = this.bySettings.get(settings);
    if (resolved === undefined) {
      resolved = this.resolve(settings);
      this.bySettings.set(settings, resolved);
    }
    if (resolved instanceof Error) {
      throw new GatewayError(
        ErrorCode.InternalError,
        `PII detection cannot run for this tenant: ${resolved.message}. An administrator must ` +
          'correct settings.pii_custom_patterns.',
      );
    }
    return resolved;
  }

  private resolve(settings: TenantSettings): PiiCallSettings | Error {
    const action = settings.piiAction ?? this.defaults.action;
    const ownTypes = settings.piiTypes;
    const ownPatterns = settings.piiCustomPatterns;
    if (ownTypes === undefined && ownPatterns === undefined) {
      return action === this.defaults.action ? this.defaults : { ...this.defaults, action };
    }
    const patterns = new Map(this.customPatterns.map((p) => [p.label, p.source]));
    for (const [label, source] of Object.entries(ownPatterns ?? {})) patterns.set(label, source);
    const types = withCustom((ownTypes ?? this.installationTypes) as readonly PiiType[], patterns);
    const detector = this.detector(types, patterns);
    if (detector instanceof Error) return detector;
    return { ...this.defaults, action, detector };
  }

  private detector(
    types: readonly PiiType[],
    patterns: ReadonlyMap<string, string>,
  ): PiiDetector | Error {
    const key = JSON.stringify([[...types].sort(), [...patterns].sort()]);
    const known = this.compiled.get(key);
    if (known !== undefined) return known;
    let detector: PiiDetector | Error;
    try {
      detector = compilePiiDetector({
        types: new Set(types),
        customPatterns: [...patterns].map(([label, source]) => ({ label, source })),
      });
    } catch (error) {
      detector = asError(error);
      this.logger.error({ msg: `A tenant's PII patterns cannot be compiled: ${detector.message}` });
    }
    if (this.compiled.size >= MAX_COMPILED) {
      this.compiled.delete(this.compiled.keys().next().value!);
    }
    this.compiled.set(key, detector);
    return detector;
  }
}

/**
 * A list of types restricts the built-in detectors; custom patterns someone wrote always run
 * (an empty list already means every type).
 */
function withCustom(
  types: readonly PiiType[],
  patterns: ReadonlyMap<string, string>,
): readonly PiiType[] {
  if (types.length === 0 || patterns.size === 0 || types.includes('CUSTOM')) return types;
  return [...types, 'CUSTOM'];
}
