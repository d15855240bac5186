/**
 * The vocabulary of the PII stage (contract 9), shared by detection (`detection/`), the request
 * stages, and the answer operator (`answer/`). Types are spelled as the contract's table spells
 * them, everywhere: audit payloads, metric labels, error messages, policy conditions.
 */
export const PII_TYPES = [
  'EMAIL',
  'PHONE_NUMBER',
  'SSN',
  'CREDIT_CARD',
  'IBAN',
  'IP_ADDRESS',
  'DATE_OF_BIRTH',
  'PASSPORT_NUMBER',
  'DRIVERS_LICENSE',
  'MEDICAL_RECORD_NUMBER',
  'DEA_NUMBER',
  'NPI_NUMBER',
  'AADHAAR',
  'PAN',
  'PERSON_NAME',
  'SECRET',
  'CUSTOM',
] as const;
export type PiiType = (typeof PII_TYPES)[number];

/** One occurrence of PII in a text: UTF-16 offsets, `text.slice(start, end)` is the value. */
export interface PiiFinding {
  readonly type: PiiType;
  readonly start: number;
  readonly end: number;
}

/** A `label: regex` custom pattern (installation-wide or a tenant's); reported as `CUSTOM`. */
export interface CustomPattern {
  readonly label: string;
  readonly source: string;
}

/** What a detector is compiled for: the types to report (empty: all) and the custom patterns. */
export interface DetectorOptions {
  readonly types: ReadonlySet<PiiType>;
  readonly customPatterns: readonly CustomPattern[];
}

/**
 * A compiled detector. `scan` is one pass over the text for every enabled detector; findings are
 * sorted by `start` and never overlap (the longer, then the more specific finding wins). It is
 * pure: the same text always gives the same findings.
 */
export interface PiiDetector {
  scan(text: string): PiiFinding[];
}

/**
 * One change the answer side makes to the model's text: a token this call issued restored to its
 * value (`type` undefined), or PII the model produced, replaced per the action (`type` set; for LOG
 * the replacement is the text itself).
 */
export interface AnswerEdit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
  readonly type?: PiiType;
}

/**
 * What the answer side does to one call's answer (contract 9.3), for the answer operator.
 * `edits` is pure: the same text always gives the same edits, sorted by `start`, not overlapping.
 */
export interface AnswerRewriter {
  /** Edits of a piece of answer text (message content, or a window of a stream's content). */
  edits(text: string): readonly AnswerEdit[];
  /** A tool call's complete arguments rewritten (JSON-aware), and the PII types found in them. */
  rewriteArguments(args: string): { readonly text: string; readonly found: readonly PiiType[] };
  /** BLOCK: any PII the model produced refuses the answer (`pii_detected`). */
  readonly blocks: boolean;
  /** Told once per finding delivered to (or, under BLOCK, refused before) the caller. */
  found(type: PiiType): void;
}
