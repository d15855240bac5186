import { describe, expect, it } from '@jest/globals';
import {
  checkCustomPattern,
  MAX_BACKTRACKING_STEPS,
  MAX_MATCH_LENGTH,
  MAX_REPEAT,
} from './custom-patterns.js';
import { compilePiiDetector } from './pii-detector.js';
import { rewriteSource } from './regex-source.rewriter.js';

/** Common PII patterns, and ones that look hostile but are not: each must stay accepted. */
const ACCEPTED = [
  'EMP-[0-9]{6}',
  'TCK-[0-9]{5}',
  '[A-Z]{2}[0-9]{7}',
  '(?:ACME|ACM)-\\d{4}',
  '[a-z0-9._%+-]+@corp\\.example',
  '\\bINV-\\d{4,8}\\b',
  '(?<![0-9])[0-9]{9}(?![0-9])',
  'badge[ :#]*\\d{4}',
  '(\\d{3}-){2}\\d{4}',
  '\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}',
  '\\d{3}[-. ]?\\d{3}[-. ]?\\d{4}',
  '[a-z0-9._%+-]+@[a-z0-9.-]+\\.[a-z]{2,}',
  '(?:ab|b)+$',
  '[a-z]+s?@',
  '\\d?\\d+x',
  'a?a?a?a?aaaa',
  '\\d{3}\\d+x',
];

describe(checkCustomPattern.name, () => {
  it.each([
    ['an id with a fixed length', 'EMP-\\d{6}'],
    ['lookarounds', '(?<![0-9])\\d{6}(?!\\d)'],
    ['a Unicode property', '\\p{Lu}{2}-\\d+'],
    ['an alternation under a quantifier', '(?:ACME|ACM)-[0-9]+'],
    ['a named group and a backreference', '(?<q>["\'])[A-Z]{3}\\k<q>'],
  ])('accepts %s', (_what, source) => {
    expect(checkCustomPattern('employee_id', source)).toBeUndefined();
  });

  it.each(ACCEPTED)('accepts the common PII pattern %s', (source) => {
    expect(checkCustomPattern('pii', source)).toBeUndefined();
  });

  it.each([
    ['(a|a)*$'],
    ['(a|aa)+$'],
    ['(\\w|\\d)+x'],
    ['(?:ACME|ACM)+-\\d{4}'],
    ['(?:ab|a|)+c'],
    ['(?:\\p{Lu}|\\p{Ll})+'], // disjoint in truth; property sets are assumed beyond the BMP
  ])('refuses %s: alternatives that overlap inside a repeated group', (source) => {
    expect(checkCustomPattern('x', source)).toBe(
      "pattern 'x' can backtrack catastrophically (alternatives that overlap inside a repeated group)",
    );
  });

  it.each([
    ['\\d+\\d+x'],
    ['\\d+\\d+\\d+x'],
    ['[a-z]*\\w+@'],
    ['.*.*='],
    ['\\d+-?\\d+x'],
    ['\\d+0\\d+x'],
    ['\\d{1,3}\\d{1,3}x'],
    ['[^@]+\\s*\\S+@'],
    ['(?<=\\d+\\d+)x'],
  ])('refuses %s: adjacent repeats that can match the same text', (source) => {
    expect(checkCustomPattern('x', source)).toBe(
      "pattern 'x' can backtrack catastrophically (adjacent repeats that can match the same text)",
    );
  });

  it.each([
    ['a?a?a?a?a?a?a?a?aaaaaaaa'],
    ['(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)(?:a|a)b'],
    ['\\d+0000000000000000000000000x'],
    ['\\w+(?<![a0]*)\\w\\B'],
  ])('refuses %s: overlapping choices that multiply', (source) => {
    expect(checkCustomPattern('x', source)).toBe(
      "pattern 'x' can backtrack catastrophically (too many ways to match the same text)",
    );
  });

  it('refuses a match that can read too much text, counting + and * as the cap', () => {
    expect(checkCustomPattern('x', '[a-z]{1,5000}@')).toBe(
      `pattern 'x' can read too much text in one match (5001 characters; at most ${MAX_MATCH_LENGTH}, counting + and * as ${MAX_REPEAT})`,
    );
    expect(checkCustomPattern('x', '[a-z]{1,500}@')).toBeUndefined();
    expect(checkCustomPattern('x', '(a{64})(\\1\\1)(\\2\\2)(\\3\\3)x')).toMatch(
      /too much text in one match \(961 characters/,
    );
    expect(MAX_BACKTRACKING_STEPS).toBe(4 * MAX_REPEAT);
  });

  it('lets a fixed count nest, and still refuses a choice that nests', () => {
    expect(checkCustomPattern('x', '(?:[A-F0-9]{2}:){5}[A-F0-9]{2}')).toBeUndefined();
    expect(checkCustomPattern('x', '(\\d{1,3}\\.){3}\\d{1,3}')).toBe(
      "pattern 'x' can backtrack catastrophically (nested quantifier)",
    );
    expect(checkCustomPattern('x', '(a+){2}')).toBe(
      "pattern 'x' can backtrack catastrophically (nested quantifier)",
    );
  });

  it('refuses nested quantifiers that can backtrack catastrophically', () => {
    for (const source of ['(a+)+$', '(a*)*b', '(\\w+\\s?)*$', '(?<=(a+)+)x']) {
      expect(checkCustomPattern('employee_id', source)).toBe(
        "pattern 'employee_id' can backtrack catastrophically (nested quantifier)",
      );
    }
  });

  it('refuses what does not compile, naming the reason', () => {
    expect(checkCustomPattern('employee_id', '(EMP-\\d{6}')).toBe(
      "pattern 'employee_id' does not compile: Unterminated group",
    );
    // With the u flag, stray escapes and lone braces are errors rather than silent literals.
    expect(checkCustomPattern('x', 'EMP\\-\\d')).toMatch(/^pattern 'x' does not compile: /);
    expect(checkCustomPattern('x', 'a{')).toMatch(/^pattern 'x' does not compile: /);
  });

  it('refuses empty, too long, too many quantifiers, and empty-matching patterns', () => {
    expect(checkCustomPattern('x', '  ')).toBe("pattern 'x' is empty");
    expect(checkCustomPattern('x', 'a'.repeat(513))).toBe(
      "pattern 'x' is too long (513 characters; at most 512)",
    );
    expect(checkCustomPattern('x', 'a?'.repeat(26))).toBe(
      "pattern 'x' has too many quantifiers (at most 25)",
    );
    expect(checkCustomPattern('x', '\\d*')).toBe("pattern 'x' matches the empty string");
    expect(checkCustomPattern('', 'EMP')).toBe('a custom pattern needs a label');
  });
});

/** The pattern's own characters, metacharacters left out and `\\d \\w \\s` read as one of theirs. */
function ownText(source: string): string {
  const samples: Record<string, string> = { '\\d': '7', '\\w': 'a', '\\s': ' ' };
  return source
    .replace(/\\[dws]/g, (escape) => samples[escape])
    .replace(/\\[bB]|\(\?(?:<?[=!]|:)/g, '')
    .replace(/\\(.)/g, '$1')
    .replace(/[[\](){}?*+|^$]/g, '');
}

describe(`${compilePiiDetector.name}: accepted patterns over hostile text`, () => {
  const MiB = 1024 * 1024;
  const fill = (unit: string) => unit.repeat(Math.ceil(MiB / unit.length)).slice(0, MiB);

  // No timing assertion: the bound is that each scan returns at all (a pattern able to backtrack
  // catastrophically would take minutes to hours here); bench/pii-scan.mjs style figures are in
  // the change's notes. One test per pattern, each allowed a generous minute on a loaded machine.
  it.each(ACCEPTED)(
    'scans 1 MiB of digits, of a, and of its own characters with %s',
    (source) => {
      const detector = compilePiiDetector({
        types: new Set(['CUSTOM']),
        customPatterns: [{ label: 'x', source }],
      });
      const own = ownText(source);
      for (const text of [fill('7'), fill('a'), fill(own), fill(own.slice(0, -1) || own)]) {
        const findings = detector.scan(text);
        expect(Array.isArray(findings)).toBe(true);
        expect(findings.every((f) => f.type === 'CUSTOM' && f.end > f.start)).toBe(true);
      }
    },
    60_000,
  );
});

describe(`${compilePiiDetector.name}: CUSTOM`, () => {
  const detector = compilePiiDetector({
    types: new Set(),
    customPatterns: [
      { label: 'employee_id', source: 'EMP-\\d{6}' },
      { label: 'project', source: '(?<=project )\\p{Lu}\\p{Ll}+' },
    ],
  });
  const found = (text: string) =>
    detector.scan(text).map((f) => `${f.type}:${text.slice(f.start, f.end)}`);

  it('reports every match of every pattern as CUSTOM', () => {
    expect(found('EMP-004211 and EMP-004212 work on project Zebra')).toEqual([
      'CUSTOM:EMP-004211',
      'CUSTOM:EMP-004212',
      'CUSTOM:Zebra',
    ]);
  });

  it('wins a tie in length against a built-in type', () => {
    const ssnLike = compilePiiDetector({
      types: new Set(),
      customPatterns: [{ label: 'badge', source: '\\d{3}-\\d{2}-\\d{4}' }],
    });
    expect(ssnLike.scan('badge 219-09-9999').map((f) => f.type)).toEqual(['CUSTOM']);
  });

  it('is not run when CUSTOM is not among the configured types', () => {
    const emailOnly = compilePiiDetector({
      types: new Set(['EMAIL']),
      customPatterns: [{ label: 'employee_id', source: 'EMP-\\d{6}' }],
    });
    expect(emailOnly.scan('EMP-004211')).toEqual([]);
  });

  it('throws the refusal of a bad pattern at compile time', () => {
    expect(() =>
      compilePiiDetector({
        types: new Set(),
        customPatterns: [{ label: 'bad', source: '(a+)+$' }],
      }),
    ).toThrow("pattern 'bad' can backtrack catastrophically (nested quantifier)");
  });

  it('bounds unbounded quantifiers, so a leading + over a long run stays fast', () => {
    const mail = compilePiiDetector({
      types: new Set(['CUSTOM']),
      customPatterns: [{ label: 'corp_mail', source: '[a-z]+@corp\\.example' }],
    });
    // Unbounded, V8 would read the whole run from every start position: minutes, not ms.
    expect(mail.scan('a'.repeat(200_000))).toEqual([]);
    const text = `write to ${'b'.repeat(10)}@corp.example`;
    expect(mail.scan(text).map((f) => text.slice(f.start, f.end))).toEqual([
      `${'b'.repeat(10)}@corp.example`,
    ]);
  });
});

describe(rewriteSource.name, () => {
  it('bounds *, + and {n,} outside classes and escapes, lazy ones included', () => {
    expect(rewriteSource('a+b*?c{2,}d{3}[+*]\\+\\p{L}+', { maxRepeat: MAX_REPEAT })).toBe(
      'a{1,64}b{0,64}?c{2,64}d{3}[+*]\\+\\p{L}{1,64}',
    );
  });

  it('drops fixed counts, lazy ones included, for the star-height test', () => {
    expect(
      rewriteSource('(\\d{3}-){2}\\d{4}?a{2,3}b{2,}c{3,3}[{2}]', { dropExactCounts: true }),
    ).toBe('(\\d-)\\da{2,3}b{2,}c[{2}]');
  });

  it('turns lookbehinds into groups, and leaves lookaheads and named groups alone', () => {
    expect(rewriteSource('(?<=a)(?<!b)(?=c)(?<n>d)', { plainLookbehinds: true })).toBe(
      '(?:a)(?:b)(?=c)(?<n>d)',
    );
  });
});
