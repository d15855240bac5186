/*
 * Small real rewriters for the answer operator's tests (not used by the gateway): a token
 * restorer, an email redactor and a digit-run detector that looks behind and ahead.
 */
import type { AnswerEdit, AnswerRewriter, PiiType } from '../pii.types.js';
import { applyEdits } from './answer-edits.js';

/** The shape of a token this gateway issues (contract 9.2). */
export const TOKEN_PATTERN = /\{\{PII_[A-Z_]+_[0-9a-f]{8}\}\}/g;
/** Local part letters, digits and `._%+-`; a domain of at least two labels. */
export const EMAIL_PATTERN = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
/** Exactly nine digits: never part of a longer digit run, on either side. */
export const SSN_PATTERN = /(?<!\d)\d{9}(?!\d)/g;

/** A PII rule: a pattern and the type it reports. */
export interface Detector {
  readonly pattern: RegExp;
  readonly type: PiiType;
}

export const EMAIL: Detector = { pattern: EMAIL_PATTERN, type: 'EMAIL' };
export const SSN: Detector = { pattern: SSN_PATTERN, type: 'SSN' };

export type Action = 'LOG' | 'REDACT' | 'BLOCK';

export interface FixtureRewriterOptions {
  /** Tokens this call issued, and their values. */
  readonly tokens?: ReadonlyMap<string, string>;
  readonly detectors?: readonly Detector[];
  readonly action?: Action;
}

/**
 * An {@link AnswerRewriter} over the rules above: restores the tokens it knows (a token-shaped
 * string it did not issue is left as is), replaces PII per the action, and records what it is
 * told and how much text it scanned.
 */
export class FixtureRewriter implements AnswerRewriter {
  readonly blocks: boolean;
  /** Every `found` call, in order. */
  readonly reported: PiiType[] = [];
  /** Characters given to `edits`, summed over calls. */
  scannedChars = 0;
  private readonly tokens: ReadonlyMap<string, string>;
  private readonly detectors: readonly Detector[];
  private readonly action: Action;

  constructor(options: FixtureRewriterOptions = {}) {
    this.tokens = options.tokens ?? new Map();
    this.detectors = options.detectors ?? [EMAIL, SSN];
    this.action = options.action ?? 'REDACT';
    this.blocks = this.action === 'BLOCK';
  }

  edits(text: string): readonly AnswerEdit[] {
    this.scannedChars += text.length;
    const candidates: AnswerEdit[] = [];
    for (const match of text.matchAll(TOKEN_PATTERN)) {
      const value = this.tokens.get(match[0]);
      if (value !== undefined) candidates.push(edit(match, value));
    }
    for (const { pattern, type } of this.detectors) {
      for (const match of text.matchAll(pattern)) {
        const replacement = this.action === 'LOG' ? match[0] : `[REDACTED_${type}]`;
        candidates.push({ ...edit(match, replacement), type });
      }
    }
    return resolveOverlaps(candidates);
  }

  rewriteArguments(args: string): { text: string; found: PiiType[] } {
    const found: PiiType[] = [];
    const text = applyEdits(args, this.edits(args), found);
    return { text, found };
  }

  found(type: PiiType): void {
    this.reported.push(type);
  }
}

/** The whole text rewritten at once: what a stream of it must add up to. */
export function rewriteWhole(
  rewriter: AnswerRewriter,
  text: string,
): { text: string; found: PiiType[] } {
  const found: PiiType[] = [];
  return { text: applyEdits(text, rewriter.edits(text), found), found };
}

function edit(match: RegExpExecArray, replacement: string): AnswerEdit {
  return { start: match.index, end: match.index + match[0].length, replacement };
}

/** Sorted by start, the earlier (then the longer) edit wins an overlap. */
function resolveOverlaps(candidates: AnswerEdit[]): AnswerEdit[] {
  candidates.sort((a, b) => a.start - b.start || b.end - a.end);
  const out: AnswerEdit[] = [];
  for (const candidate of candidates) {
    const previous = out.at(-1);
    if (previous === undefined || candidate.start >= previous.end) out.push(candidate);
  }
  return out;
}
