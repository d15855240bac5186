import {
  PII_TYPES,
  type DetectorOptions,
  type PiiDetector,
  type PiiFinding,
  type PiiType,
} from '../pii.types.js';
import { compileCustomPatterns, scanCustomPatterns } from './custom-patterns.js';
import { digitRunTriggers } from './detectors/digit-run.detector.js';
import { emailTriggers } from './detectors/email.detector.js';
import { ipv6Triggers } from './detectors/ipv6.detector.js';
import {
  driversLicenceTriggers,
  keywordValueTriggers,
} from './detectors/keyword-value.detector.js';
import { personNameTriggers } from './detectors/person-name.detector.js';
import { phoneTriggers } from './detectors/phone.detector.js';
import { secretKeywordTriggers } from './detectors/secret-keyword.detector.js';
import { secretTokenTriggers } from './detectors/secret-token.detector.js';
import { upperIdTriggers } from './detectors/upper-id.detector.js';
import { KeywordSweep } from './keyword.sweep.js';
import { resolveOverlaps } from './overlap.resolver.js';
import { ScanState } from './scan-state.js';
import { ShapeSweep } from './shape.sweep.js';

export { checkCustomPattern } from './custom-patterns.js';

const SHAPE_TRIGGERS = [
  ...digitRunTriggers,
  ...phoneTriggers,
  ...upperIdTriggers,
  ...emailTriggers,
  ...ipv6Triggers,
  ...secretTokenTriggers,
  ...personNameTriggers,
  ...driversLicenceTriggers,
];
const KEYWORD_TRIGGERS = [...keywordValueTriggers, ...secretKeywordTriggers];

/**
 * Compiles a detector for one configuration (contract 9.1): the enabled types' triggers joined
 * into two sweeps over the text (one regex for characters, one for keywords), whatever the number
 * of types, and the custom patterns compiled. Compile once per distinct configuration and reuse
 * it for every call: `scan` is synchronous and keeps no state between calls.
 *
 * Custom patterns are always checked (a bad one throws, with `checkCustomPattern`'s message) and
 * run when CUSTOM is among the types (an empty set of types means all of them).
 */
export function compilePiiDetector(options: DetectorOptions): PiiDetector {
  const enabled = new Set(options.types.size === 0 ? PII_TYPES : options.types);
  const custom = compileCustomPatterns(options.customPatterns);
  return new CompiledPiiDetector(
    enabled,
    ShapeSweep.compile(SHAPE_TRIGGERS, enabled),
    KeywordSweep.compile(KEYWORD_TRIGGERS, enabled),
    enabled.has('CUSTOM') ? custom : [],
  );
}

class CompiledPiiDetector implements PiiDetector {
  constructor(
    private readonly enabled: ReadonlySet<PiiType>,
    private readonly shapes: ShapeSweep | undefined,
    private readonly keywords: KeywordSweep | undefined,
    private readonly custom: readonly RegExp[],
  ) {}

  scan(text: string): PiiFinding[] {
    const state = new ScanState(text, this.enabled);
    this.shapes?.run(state);
    this.keywords?.run(state);
    scanCustomPatterns(this.custom, state);
    return resolveOverlaps(state.findings);
  }
}
