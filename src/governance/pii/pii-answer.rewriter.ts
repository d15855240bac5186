import type { GovernanceContext } from '../pipeline/governance-context.js';
import type { PiiCall } from './pii-call.js';
import { applyEdits } from './answer/answer-edits.js';
import { TOKEN_PATTERN, type TokenVault } from './pii-tokens.js';
import { redactionOf } from './pii-text.js';
import type { AnswerEdit, AnswerRewriter, PiiType } from './pii.types.js';

/**
 * The answer side of one call (contract 9.3): tokens this call issued are restored; with
 * `scan-responses`, PII the model produced is recorded (LOG), redacted (REDACT, TOKENIZE) or
 * refuses the answer (BLOCK). A token-shaped text this call did not issue is left as it is.
 * What was found is counted into the context's `piiResponse`, types and counts only.
 */
export class PiiAnswerRewriter implements AnswerRewriter {
  readonly blocks: boolean;
  private readonly vault?: TokenVault;
  private readonly scan: boolean;
  private readonly redact: boolean;

  constructor(
    private readonly pii: PiiCall,
    private readonly context: GovernanceContext,
  ) {
    const { action, scanResponses } = pii.settings;
    this.vault = pii.vault;
    this.scan = scanResponses;
    this.blocks = scanResponses && action === 'BLOCK';
    this.redact = action === 'REDACT' || action === 'TOKENIZE';
  }

  edits(text: string): readonly AnswerEdit[] {
    const restored = this.restored(text);
    if (!this.scan) return restored;
    const findings = this.pii.settings.detector.scan(text);
    if (findings.length === 0) return restored;
    const edits: AnswerEdit[] = [];
    let r = 0;
    for (const finding of findings) {
      // Restored tokens win: a finding overlapping one is part of the caller's own text.
      while (r < restored.length && restored[r].end <= finding.start) edits.push(restored[r++]);
      if (r < restored.length && restored[r].start < finding.end) continue;
      const value = text.slice(finding.start, finding.end);
      edits.push({
        start: finding.start,
        end: finding.end,
        type: finding.type,
        replacement: this.redact ? redactionOf(finding.type) : value,
      });
    }
    while (r < restored.length) edits.push(restored[r++]);
    return edits;
  }

  rewriteArguments(args: string): { text: string; found: PiiType[] } {
    const found: PiiType[] = [];
    const rewrite = (text: string): string => applyEdits(text, this.edits(text), found);
    let tree: unknown;
    try {
      tree = JSON.parse(args);
    } catch {
      return { text: rewrite(args), found };
    }
    let changed = false;
    const walked = mapStrings(tree, (value) => {
      const next = rewrite(value);
      if (next !== value) changed = true;
      return next;
    });
    if (walked === TOO_DEEP) {
      found.length = 0;
      return { text: rewrite(args), found };
    }
    // Unchanged arguments go back byte for byte; changed ones are valid JSON again.
    return { text: changed ? JSON.stringify(walked) : args, found };
  }

  found(type: PiiType): void {
    const counts = (this.context.piiResponse ??= {}) as Record<string, number>;
    counts[type] = (counts[type] ?? 0) + 1;
  }

  private restored(text: string): AnswerEdit[] {
    const vault = this.vault;
    if (vault === undefined || !text.includes('{{PII_')) return [];
    const edits: AnswerEdit[] = [];
    for (const match of text.matchAll(TOKEN_PATTERN)) {
      const value = vault.valueOf(match[0]);
      if (value === undefined) continue;
      edits.push({ start: match.index, end: match.index + match[0].length, replacement: value });
    }
    return edits;
  }
}

/** Deeper JSON than this is rewritten as the text it is, not walked. */
const MAX_DEPTH = 64;
const TOO_DEEP = Symbol('too deep');

/**
 * A copy of a JSON value with every string (not key) passed through `map`; TOO_DEEP past
 * MAX_DEPTH. Keys are defined, not assigned, so a key named `__proto__` stays a key.
 */
function mapStrings(value: unknown, map: (text: string) => string, depth = 0): unknown {
  if (typeof value === 'string') return map(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth >= MAX_DEPTH) return TOO_DEEP;
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const item of value) {
      const mapped = mapStrings(item, map, depth + 1);
      if (mapped === TOO_DEEP) return TOO_DEEP;
      out.push(mapped);
    }
    return out;
  }
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const mapped = mapStrings(item, map, depth + 1);
    if (mapped === TOO_DEEP) return TOO_DEEP;
    Object.defineProperty(out, key, {
      value: mapped,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}
