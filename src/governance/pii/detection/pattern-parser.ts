import {
  CharSet,
  DIGIT,
  DOT,
  PROPERTY_APPROXIMATED,
  SPACE,
  unicodePropertySet,
  WORD,
} from './pattern-charset.js';

/**
 * A regular expression read as `u`-flag syntax (ES2023: lookbehinds, named groups, `\p{...}`,
 * `\k<name>`, `\u{...}`), for the backtracking check of custom patterns. Only what bears on
 * backtracking is kept: the set each atom can match, sequences, alternatives, repetitions,
 * capturing groups (for backreferences), and zero-width assertions.
 */
export type PatternNode =
  | { readonly type: 'char'; readonly set: CharSet }
  | { readonly type: 'seq'; readonly items: readonly PatternNode[] }
  | { readonly type: 'alt'; readonly options: readonly PatternNode[] }
  /** `max` is Infinity for `*`, `+` and `{n,}`. */
  | {
      readonly type: 'repeat';
      readonly min: number;
      readonly max: number;
      readonly body: PatternNode;
    }
  | { readonly type: 'group'; readonly index: number; readonly body: PatternNode }
  /** `^`, `$`, `\b`, `\B`. */
  | { readonly type: 'assertion' }
  | { readonly type: 'look'; readonly behind: boolean; readonly body: PatternNode }
  /** `\1` or `\k<name>`: the number of the group, resolved once the whole pattern is read. */
  | { readonly type: 'backref'; readonly group: number };

export interface ParsedPattern {
  readonly root: PatternNode;
  /** The body of each capturing group, by number (index 0 unused). */
  readonly groups: readonly PatternNode[];
  /** How many quantifiers the pattern has (`?`, `*`, `+`, `{...}`; a lazy one counts once). */
  readonly quantifiers: number;
}

/**
 * Reads a source that compiles with the `u` flag. Throws a SyntaxError on anything it does not
 * know, which for such a source means syntax newer than it (the caller refuses the pattern).
 */
export function parsePattern(source: string): ParsedPattern {
  return new Parser(source).parse();
}

const SYNTAX_CHARACTERS = new Set([...'^$\\.*+?()[]{}|/']);
const CONTROL_ESCAPES: Readonly<Record<string, number>> = { f: 12, n: 10, r: 13, t: 9, v: 11 };

class Parser {
  private readonly cps: readonly string[];
  private i = 0;
  private groupCount = 0;
  private quantifiers = 0;
  private readonly groups: PatternNode[] = [];
  private readonly names = new Map<string, number>();
  /** Backreferences by name, with the node to fill in once every group is numbered. */
  private readonly namedRefs: Array<{ name: string; node: { group: number } }> = [];

  constructor(private readonly source: string) {
    this.cps = Array.from(source);
  }

  parse(): ParsedPattern {
    const root = this.disjunction();
    if (this.i < this.cps.length) this.fail(`unexpected '${this.cps[this.i]}'`);
    for (const { name, node } of this.namedRefs) {
      const index = this.names.get(name);
      if (index === undefined) this.fail(`no group named '${name}'`);
      node.group = index;
    }
    for (let g = 1; g <= this.groupCount; g++) {
      if (this.groups[g] === undefined) this.fail(`group ${g} is not closed`);
    }
    return { root, groups: this.groups, quantifiers: this.quantifiers };
  }

  private disjunction(): PatternNode {
    const options = [this.alternative()];
    while (this.peek() === '|') {
      this.i++;
      options.push(this.alternative());
    }
    return options.length === 1 ? options[0] : { type: 'alt', options };
  }

  private alternative(): PatternNode {
    const items: PatternNode[] = [];
    while (this.i < this.cps.length && this.peek() !== '|' && this.peek() !== ')') {
      items.push(this.term());
    }
    return items.length === 1 ? items[0] : { type: 'seq', items };
  }

  private term(): PatternNode {
    const c = this.peek();
    if (c === '^' || c === '$' || (c === '\\' && (this.peek(1) === 'b' || this.peek(1) === 'B'))) {
      this.i += c === '\\' ? 2 : 1;
      return this.unquantified({ type: 'assertion' });
    }
    if (c === '(' && this.peek(1) === '?') {
      const kind = this.peek(2);
      const behind = kind === '<' && (this.peek(3) === '=' || this.peek(3) === '!');
      if (kind === '=' || kind === '!' || behind) {
        this.i += behind ? 4 : 3;
        const body = this.disjunction();
        this.expect(')');
        return this.unquantified({ type: 'look', behind, body });
      }
    }
    return this.quantified(this.atom());
  }

  /** With `u`, an assertion takes no quantifier. */
  private unquantified(node: PatternNode): PatternNode {
    const c = this.peek();
    if (c === '*' || c === '+' || c === '?' || c === '{') this.fail('nothing to repeat');
    return node;
  }

  private quantified(atom: PatternNode): PatternNode {
    const c = this.peek();
    let min: number;
    let max: number;
    if (c === '*' || c === '+' || c === '?') {
      this.i++;
      [min, max] = c === '*' ? [0, Infinity] : c === '+' ? [1, Infinity] : [0, 1];
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.source.slice(this.offset()));
      if (m === null) this.fail("a '{' that is not a quantifier");
      this.i += m[0].length;
      min = Number(m[1]);
      max = m[2] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (max < min) this.fail('numbers out of order in a quantifier');
    } else {
      return atom;
    }
    if (this.peek() === '?') this.i++;
    this.quantifiers++;
    return { type: 'repeat', min, max, body: atom };
  }

  private atom(): PatternNode {
    const c = this.next();
    switch (c) {
      case '.':
        return { type: 'char', set: DOT };
      case '[':
        return { type: 'char', set: this.characterClass() };
      case '(':
        return this.group();
      case '\\':
        return this.atomEscape();
      case '*':
      case '+':
      case '?':
      case '{':
      case '}':
      case ']':
      case ')':
      case '|':
        return this.fail(`unexpected '${c}'`);
      default:
        return { type: 'char', set: CharSet.char(c.codePointAt(0)!) };
    }
  }

  private group(): PatternNode {
    let index = 0;
    if (this.peek() === '?') {
      if (this.peek(1) === ':') {
        this.i += 2;
      } else if (this.peek(1) === '<') {
        this.i += 2;
        const name = this.until('>');
        if (this.names.has(name)) this.fail(`duplicate group name '${name}'`);
        index = ++this.groupCount;
        this.names.set(name, index);
      } else {
        this.fail(`unknown group '(?${this.peek(1) ?? ''}'`);
      }
    } else {
      index = ++this.groupCount;
    }
    const body = this.disjunction();
    this.expect(')');
    if (index === 0) return body;
    this.groups[index] = body;
    return { type: 'group', index, body };
  }

  private atomEscape(): PatternNode {
    const e = this.next();
    const set = this.classEscape(e);
    if (set !== undefined) return { type: 'char', set };
    if (e >= '1' && e <= '9') {
      let digits = e;
      while (this.peek() !== undefined && /^\d$/.test(this.peek()!)) digits += this.next();
      return { type: 'backref', group: Number(digits) };
    }
    if (e === 'k') {
      this.expect('<');
      const node = { type: 'backref' as const, group: 0 };
      this.namedRefs.push({ name: this.until('>'), node });
      return node;
    }
    return { type: 'char', set: CharSet.char(this.characterEscape(e)) };
  }

  /** `\d \D \w \W \s \S \p{..} \P{..}`, or undefined for any other escape. */
  private classEscape(e: string): CharSet | undefined {
    switch (e) {
      case 'd':
        return DIGIT;
      case 'D':
        return DIGIT.complement();
      case 'w':
        return WORD;
      case 'W':
        return WORD.complement();
      case 's':
        return SPACE;
      case 'S':
        return SPACE.complement();
      case 'p':
      case 'P': {
        this.expect('{');
        const set = unicodePropertySet(this.until('}'));
        // The complement of the approximated part is unknown: assume all of it again.
        return e === 'p' ? set : set.complement().union(PROPERTY_APPROXIMATED);
      }
      default:
        return undefined;
    }
  }

  /** The code point of a character escape (after the `\`), in or out of a class. */
  private characterEscape(e: string): number {
    if (e in CONTROL_ESCAPES) return CONTROL_ESCAPES[e];
    if (e === 'c') {
      const letter = this.next();
      if (!/^[A-Za-z]$/.test(letter)) this.fail('invalid \\c escape');
      return letter.charCodeAt(0) % 32;
    }
    if (e === '0') {
      if (/^\d$/.test(this.peek() ?? '')) this.fail('invalid \\0 escape');
      return 0;
    }
    if (e === 'x') return this.hex(2);
    if (e === 'u') {
      if (this.peek() === '{') {
        this.i++;
        const cp = Number.parseInt(this.until('}'), 16);
        if (!(cp <= 0x10ffff)) this.fail('invalid \\u{...} escape');
        return cp;
      }
      const unit = this.hex(4);
      if (unit >= 0xd800 && unit <= 0xdbff && this.peek() === '\\' && this.peek(1) === 'u') {
        const save = this.i;
        this.i += 2;
        const low = /^[0-9A-Fa-f]{4}$/.test(this.cps.slice(this.i, this.i + 4).join(''))
          ? this.hex(4)
          : -1;
        if (low >= 0xdc00 && low <= 0xdfff) return 0x10000 + ((unit - 0xd800) << 10) + low - 0xdc00;
        this.i = save;
      }
      return unit;
    }
    if (SYNTAX_CHARACTERS.has(e)) return e.codePointAt(0)!;
    return this.fail(`invalid escape '\\${e}'`);
  }

  private characterClass(): CharSet {
    const negated = this.peek() === '^';
    if (negated) this.i++;
    let set = CharSet.EMPTY;
    let hasProperty = false;
    while (this.peek() !== ']') {
      if (this.peek() === undefined) this.fail('unterminated character class');
      const from = this.classAtom();
      if (from.property) hasProperty = true;
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== undefined) {
        this.i++;
        const to = this.classAtom();
        if (from.cp === undefined || to.cp === undefined || to.cp < from.cp) {
          this.fail('invalid range in a character class');
        }
        set = set.union(CharSet.of([from.cp, to.cp]));
      } else {
        set = set.union(from.set);
      }
    }
    this.i++;
    if (!negated) return set;
    return hasProperty ? set.complement().union(PROPERTY_APPROXIMATED) : set.complement();
  }

  private classAtom(): { set: CharSet; cp?: number; property?: boolean } {
    const c = this.next();
    if (c !== '\\') return { set: CharSet.char(c.codePointAt(0)!), cp: c.codePointAt(0)! };
    const e = this.next();
    const set = this.classEscape(e);
    if (set !== undefined) return { set, property: e === 'p' || e === 'P' };
    const cp = e === 'b' ? 8 : e === '-' ? 0x2d : this.characterEscape(e);
    return { set: CharSet.char(cp), cp };
  }

  private hex(digits: number): number {
    const text = this.cps.slice(this.i, this.i + digits).join('');
    if (!new RegExp(`^[0-9A-Fa-f]{${digits}}$`).test(text)) this.fail('invalid hexadecimal escape');
    this.i += digits;
    return Number.parseInt(text, 16);
  }

  /** The text up to `stop` (consumed, not returned). */
  private until(stop: string): string {
    let text = '';
    while (this.peek() !== stop) {
      if (this.peek() === undefined) this.fail(`missing '${stop}'`);
      text += this.next();
    }
    this.i++;
    return text;
  }

  private expect(c: string): void {
    if (this.peek() !== c) this.fail(`expected '${c}'`);
    this.i++;
  }

  private peek(ahead = 0): string | undefined {
    return this.cps[this.i + ahead];
  }

  private next(): string {
    const c = this.cps[this.i++];
    if (c === undefined) this.fail('unexpected end');
    return c;
  }

  /** The UTF-16 offset of the current code point, for slicing the source. */
  private offset(): number {
    return this.cps.slice(0, this.i).join('').length;
  }

  private fail(reason: string): never {
    throw new SyntaxError(`${reason} at ${this.i}`);
  }
}
