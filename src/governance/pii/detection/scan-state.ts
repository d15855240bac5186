import type { PiiFinding, PiiType } from '../pii.types.js';

/**
 * One scan's working state: the text, the findings so far (unresolved: they may overlap), and
 * the progress marks with which a detector avoids examining the same characters twice, which
 * keeps every scan linear in the text's length.
 */
export class ScanState {
  readonly findings: PiiFinding[] = [];
  /** IPv6: the end of the last hex-and-colon token examined. */
  ipv6Until = 0;
  /** Keyword secrets: the end of the last value examined. */
  secretValueUntil = 0;
  /** PEM: the first `-----END ` at or after `pemEndFrom` (-1 when there is none). */
  pemEndFrom = -1;
  pemEndAt = -1;

  constructor(
    readonly text: string,
    private readonly enabled: ReadonlySet<PiiType>,
  ) {}

  wants(type: PiiType): boolean {
    return this.enabled.has(type);
  }

  emit(type: PiiType, start: number, end: number): void {
    if (end > start && this.enabled.has(type)) this.findings.push({ type, start, end });
  }
}

/**
 * A trigger of the shape sweep (one regex over the text for every character-triggered detector):
 * one of `chars`, where `when` holds. The sweep's regex matches that one character only, so a
 * hit's position is `lastIndex - 1`.
 */
export interface ShapeTrigger {
  readonly types: readonly PiiType[];
  /** The characters that trigger the detector (a hit on one of them is routed to `handle`). */
  readonly chars: string;
  /** Lookarounds that must hold at the character (a regex source matching no character). */
  readonly when: string;
  /** Examines a hit at `at`; returns where the sweep resumes (after `at`). */
  readonly handle: (state: ScanState, at: number) => number;
}

/**
 * A trigger of the keyword sweep (one case-insensitive regex over the text for every
 * keyword-anchored detector). `pattern` has no capturing group of its own.
 */
export interface KeywordTrigger {
  readonly types: readonly PiiType[];
  readonly pattern: string;
  /** Examines the keyword found at `start`..`end` (the value, if any, follows it). */
  readonly handle: (state: ScanState, start: number, end: number) => void;
}
