import fc from 'fast-check';
import type { PiiType } from '../pii.types.js';
import {
  deltasOf,
  LONGEST_EDIT,
  noisyText,
  structuredText,
  TOKENS,
} from './answer-arbitraries.fixture.js';
import { type Action, FixtureRewriter, SSN, rewriteWhole } from './answer-rewriters.fixture.js';
import { HOLD_CEILING_FACTOR, TextHoldback } from './text-holdback.js';

interface Run {
  text: string;
  findings: PiiType[];
  /** The most characters held after any delta. */
  maxHeld: number;
}

function run(holdback: TextHoldback, deltas: readonly string[]): Run {
  let text = '';
  const findings: PiiType[] = [];
  let maxHeld = 0;
  for (const delta of deltas) {
    const released = holdback.push(delta);
    text += released.text;
    findings.push(...released.findings);
    maxHeld = Math.max(maxHeld, holdback.heldChars);
  }
  const rest = holdback.flush();
  return { text: text + rest.text, findings: [...findings, ...rest.findings], maxHeld };
}

describe(TextHoldback.name, () => {
  it('restores a token split across deltas', () => {
    const rewriter = new FixtureRewriter({ tokens: TOKENS });
    const holdback = new TextHoldback((t) => rewriter.edits(t), 24);
    const out = run(holdback, ['Write to {{PII_EM', 'AIL_3f', '9a0b12}} today, or later.']);
    expect(out.text).toBe('Write to ann@example.com today, or later.');
    expect(out.findings).toEqual([]);
  });

  it('restores a token split at every offset', () => {
    const rewriter = new FixtureRewriter({ tokens: TOKENS });
    const text = 'Hi {{PII_EMAIL_3f9a0b12}}, and {{PII_EMAIL_00000000}} stays.';
    for (let cut = 0; cut <= text.length; cut += 1) {
      const holdback = new TextHoldback((t) => rewriter.edits(t), LONGEST_EDIT);
      const out = run(holdback, [text.slice(0, cut), text.slice(cut)]);
      expect(out.text).toBe('Hi ann@example.com, and {{PII_EMAIL_00000000}} stays.');
    }
  });

  it('redacts an email split into five deltas once', () => {
    const rewriter = new FixtureRewriter();
    const holdback = new TextHoldback((t) => rewriter.edits(t), 32);
    const out = run(holdback, ['mail jo', 'hn.d', 'oe@exa', 'mple.', 'org now']);
    expect(out.text).toBe('mail [REDACTED_EMAIL] now');
    expect(out.findings).toEqual(['EMAIL']);
  });

  it('scans the released text before the pending one (a digit run is not restarted)', () => {
    const rewriter = new FixtureRewriter({ detectors: [SSN] });
    const holdback = new TextHoldback((t) => rewriter.edits(t), 12);
    // The first digit of the ten is released alone; the nine after it must not become an SSN.
    expect(holdback.push('order no. 1234567890 an').text).toBe('order no. 1');
    const out = run(holdback, ['d 123456789.']);
    expect(out.text).toBe('234567890 and [REDACTED_SSN].');
    expect(out.findings).toEqual(['SSN']);
  });

  it('releases all but the holdback as text comes, and scans only what it holds', () => {
    const rewriter = new FixtureRewriter({ tokens: TOKENS });
    const holdback = new TextHoldback((t) => rewriter.edits(t), 8);
    expect(holdback.push('0123456789abcdef').text).toBe('01234567');
    expect(holdback.heldChars).toBe(8);
    rewriter.scannedChars = 0;
    expect(holdback.push('ghij').text).toBe('89ab');
    expect(rewriter.scannedChars).toBe(8 + 8 + 4);
    expect(holdback.flush().text).toBe('cdefghij');
    expect(holdback.flush().text).toBe('');
  });

  it('never splits a surrogate pair', () => {
    const holdback = new TextHoldback(() => [], 2);
    expect(holdback.push('ab😀cd').text).toBe('ab😀');
    expect(holdback.push('e').text).toBe('c');
    const cut = new TextHoldback(() => [], 1);
    expect(cut.push('ab😀').text).toBe('ab');
  });

  it('caps the hold when a finding keeps growing, releasing it as if the text ended', () => {
    const rewriter = new FixtureRewriter();
    const holdback = new TextHoldback((t) => rewriter.edits(t), 16);
    let text = holdback.push('mail a@b.').text;
    for (let i = 0; i < 200; i += 1) {
      text += holdback.push('c').text;
      expect(holdback.heldChars).toBeLessThanOrEqual(HOLD_CEILING_FACTOR * 16);
    }
    text += holdback.flush().text;
    // The email-like run went out redacted once the hold reached its ceiling; the rest is text.
    expect(text).toMatch(/^mail \[REDACTED_EMAIL\]c+$/);
  });

  it('releases each delta at once, rewritten alone, with a holdback of 0', () => {
    const rewriter = new FixtureRewriter({ tokens: TOKENS });
    const holdback = new TextHoldback((t) => rewriter.edits(t), 0);
    expect(holdback.push('a {{PII_EMAIL_3f9a0b12}}').text).toBe('a ann@example.com');
    expect(holdback.push('b').text).toBe('b');
    expect(holdback.heldChars).toBe(0);
  });

  it('refuses a negative or fractional holdback', () => {
    expect(() => new TextHoldback(() => [], -1)).toThrow(RangeError);
    expect(() => new TextHoldback(() => [], 1.5)).toThrow(RangeError);
  });

  describe('exactness (property)', () => {
    const holdbacks = fc.integer({ min: LONGEST_EDIT, max: 48 });
    const actions = fc.constantFrom<Action>('REDACT', 'LOG');

    it('any split of words, tokens, emails and digit runs gives the whole text rewritten', () => {
      fc.assert(
        fc.property(
          structuredText.chain((text) => fc.tuple(fc.constant(text), deltasOf(text))),
          holdbacks,
          actions,
          ([text, deltas], holdbackChars, action) => {
            const rewriter = new FixtureRewriter({ tokens: TOKENS, action });
            const expected = rewriteWhole(rewriter, text);
            const out = run(new TextHoldback((t) => rewriter.edits(t), holdbackChars), deltas);
            expect(out.text).toBe(expected.text);
            expect(out.findings).toEqual(expected.found);
            expect(out.maxHeld).toBeLessThanOrEqual(2 * holdbackChars);
          },
        ),
        { numRuns: 400 },
      );
    });

    it('any split of token-like noise gives the whole text rewritten', () => {
      fc.assert(
        fc.property(
          noisyText.chain((text) => fc.tuple(fc.constant(text), deltasOf(text))),
          holdbacks,
          ([text, deltas], holdbackChars) => {
            const rewriter = new FixtureRewriter({ tokens: TOKENS, detectors: [SSN] });
            const expected = rewriteWhole(rewriter, text);
            const out = run(new TextHoldback((t) => rewriter.edits(t), holdbackChars), deltas);
            expect(out.text).toBe(expected.text);
            expect(out.findings).toEqual(expected.found);
          },
        ),
        { numRuns: 400 },
      );
    });
  });
});
