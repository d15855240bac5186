import type { PiiType } from '../pii.types.js';
import type { KeywordTrigger, ScanState } from './scan-state.js';

/**
 * The one pass over the text for every keyword-anchored detector: the enabled triggers'
 * keywords joined into a single case-insensitive global regex, one capturing group per trigger.
 * Kept apart from the shape sweep on purpose: V8 skips ahead through a text far faster for an
 * alternation of words than for words mixed with single characters, so two sweeps cost less
 * than one combined.
 */
export class KeywordSweep {
  private constructor(
    private readonly regex: RegExp,
    private readonly triggers: readonly KeywordTrigger[],
  ) {}

  /** The sweep for the enabled types, or undefined if no keyword serves them. */
  static compile(
    triggers: readonly KeywordTrigger[],
    enabled: ReadonlySet<PiiType>,
  ): KeywordSweep | undefined {
    const active = triggers.filter((t) => t.types.some((type) => enabled.has(type)));
    if (active.length === 0) return undefined;
    const regex = new RegExp(active.map((t) => `(${t.pattern})`).join('|'), 'gi');
    return new KeywordSweep(regex, active);
  }

  run(state: ScanState): void {
    const { regex, triggers } = this;
    regex.lastIndex = 0;
    for (let m = regex.exec(state.text); m !== null; m = regex.exec(state.text)) {
      const end = m.index + m[0].length;
      let group = 1;
      while (m[group] === undefined) group++;
      // The handler reads the value after the keyword with its own regex; the sweep goes on
      // after the keyword, so a keyword inside that value is still seen.
      triggers[group - 1].handle(state, m.index, end);
    }
  }
}
