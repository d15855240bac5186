import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CharSet, PROPERTY_APPROXIMATED } from './pattern-charset.js';
import { parsePattern, type PatternNode } from './pattern-parser.js';

/** A compact rendering of the tree: sets in brackets, repeats as {min,max}, groups numbered. */
function show(node: PatternNode): string {
  switch (node.type) {
    case 'char':
      return node.set.toString();
    case 'seq':
      return node.items.map(show).join('');
    case 'alt':
      return `(${node.options.map(show).join('|')})`;
    case 'repeat':
      return `${show(node.body)}{${node.min},${node.max === Infinity ? '' : node.max}}`;
    case 'group':
      return `(${node.index}:${show(node.body)})`;
    case 'assertion':
      return '<assert>';
    case 'look':
      return `(?${node.behind ? '<' : ''}=${show(node.body)})`;
    case 'backref':
      return `\\${node.group}`;
  }
}

const read = (source: string) => show(parsePattern(source).root);

describe(parsePattern.name, () => {
  it('reads quantifiers, lazy ones included, and counts each once', () => {
    expect(read('a+?b*c?d{2}e{2,}f{2,3}?')).toBe('[a]{1,}[b]{0,}[c]{0,1}[d]{2,2}[e]{2,}[f]{2,3}');
    expect(parsePattern('a+?b*c?d{2}e{2,}f{2,3}?').quantifiers).toBe(6);
  });

  it('reads groups, alternatives, assertions and lookarounds', () => {
    expect(read('^(?:ab|c)(d)(?<n>e)\\b(?=f)(?<!g)(?<=h)(?!i)$')).toBe(
      '<assert>([a][b]|[c])(1:[d])(2:[e])<assert>(?=[f])(?<=[g])(?<=[h])(?=[i])<assert>',
    );
  });

  it('resolves backreferences by number and by name', () => {
    const parsed = parsePattern('(?<q>["\'])(x)\\k<q>\\2');
    expect(show(parsed.root)).toBe('(1:["\'])(2:[x])\\1\\2');
    expect(parsed.groups.slice(1).map((g) => show(g))).toEqual(['["\']', '[x]']);
  });

  it('reads classes: ranges, escapes, negation, and a dash at either end', () => {
    expect(read('[a-c\\d_-]')).toBe('[-0-9_a-c]');
    expect(read('[-a]')).toBe('[-a]');
    const escaped = parsePattern('[\\-\\]\\\\\\b]').root;
    expect(escaped).toEqual({ type: 'char', set: CharSet.of([8, 8], [0x2d, 0x2d], [0x5c, 0x5d]) });
    expect(parsePattern('[^a]').root).toEqual({
      type: 'char',
      set: CharSet.char(0x61).complement(),
    });
    expect(parsePattern('[]').root).toEqual({ type: 'char', set: CharSet.EMPTY });
  });

  it('reads character escapes the u flag allows, astral code points as one', () => {
    expect(read('\\cJ\\0\\x41\\u0042\\u{43}\\/\\.')).toBe('[\\u{a}][\\u{0}][A][B][C][/][.]');
    expect(read('\\uD83D\\uDE00😀\\u{1F600}')).toBe('[\\u{1f600}][\\u{1f600}][\\u{1f600}]');
    expect(read('[\\uD83D\\uDE00-\\uD83D\\uDE4F]')).toBe('[\\u{1f600}-\\u{1f64f}]');
  });

  it('keeps a negated class with a property a superset of what it matches', () => {
    const { root } = parsePattern('[^\\p{L}]');
    expect(root.type === 'char' && root.set.has(0x1f600)).toBe(true);
    expect(root.type === 'char' && root.set.has(0x41)).toBe(false);
    const negated = parsePattern('\\P{L}').root;
    expect(negated.type === 'char' && PROPERTY_APPROXIMATED.intersect(negated.set).isEmpty).toBe(
      false,
    );
  });

  it('refuses syntax it does not know', () => {
    expect(() => parsePattern('(?i:a)')).toThrow(SyntaxError);
    expect(() => parsePattern('a{')).toThrow(SyntaxError);
    expect(() => parsePattern('\\q')).toThrow(SyntaxError);
  });

  const piece = fc.constantFrom(
    'a',
    'b',
    '.',
    '\\d',
    '\\W',
    '\\s',
    '[a-c]',
    '[^\\d\\s]',
    '\\p{Lu}',
    '[\\P{L}x]',
    '\\u{1F600}',
    '😀',
    '\\x2A',
    '\\b',
    '^',
    '$',
  );
  const quantifier = fc.constantFrom('', '', '?', '*', '+', '{2}', '{1,3}', '{2,}', '+?', '{0,1}?');
  const pattern: fc.Arbitrary<string> = fc.letrec<{ seq: string }>((tie) => ({
    seq: fc
      .array(
        fc.oneof(
          { weight: 4, arbitrary: fc.tuple(piece, quantifier).map(([p, q]) => p + q) },
          {
            weight: 1,
            arbitrary: fc
              .tuple(
                fc.constantFrom('(', '(?:', '(?=', '(?<!', '(?<n>'),
                fc.array(tie('seq'), { minLength: 1, maxLength: 3 }),
                fc.constantFrom('', '+', '?'),
              )
              .map(([open, options, q]) => `${open}${options.join('|')})${q}`),
          },
        ),
        { maxLength: 5 },
      )
      .map((items) => items.join('')),
  })).seq;

  it('reads every pattern V8 compiles with the u flag from these pieces', () => {
    fc.assert(
      fc.property(pattern, (source) => {
        let compiles = true;
        try {
          new RegExp(source, 'u');
        } catch {
          compiles = false;
        }
        fc.pre(compiles);
        expect(() => parsePattern(source)).not.toThrow();
      }),
      { numRuns: 500 },
    );
  });

  it('reads a one-character pattern as a set holding whatever V8 matches with it', () => {
    const samples = [0x00, 0x0a, 0x20, 0x2a, 0x41, 0x61, 0x62, 0x7a, 0xe9, 0x3a3, 0x2028, 0xd800];
    const atom = fc.oneof(
      piece.filter((p) => !['\\b', '^', '$'].includes(p)),
      fc
        .array(
          piece.filter((p) => p.startsWith('\\') || p.length === 1),
          { maxLength: 4 },
        )
        .map((inner) => `[${inner.filter((p) => !['\\b', '^', '$', '.'].includes(p)).join('')}]`),
    );
    fc.assert(
      fc.property(atom, fc.boolean(), (source, negate) => {
        const src = negate && source.startsWith('[') ? `[^${source.slice(1)}` : source;
        const { root } = parsePattern(src);
        if (root.type !== 'char') throw new Error(`not one atom: ${src}`);
        const regex = new RegExp(`^${src}$`, 'u');
        for (const cp of [...samples, 0x1f600, 0x10ffff]) {
          if (regex.test(String.fromCodePoint(cp)))
            expect([src, cp, root.set.has(cp)]).toEqual([src, cp, true]);
        }
      }),
      { numRuns: 300 },
    );
  });
});
