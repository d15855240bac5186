import { ANY, CharSet, END_OF_PATTERN } from './pattern-charset.js';
import type { ParsedPattern, PatternNode } from './pattern-parser.js';

/** Not a character: a lookaround run before the next character is read (see Region.firstFrom). */
const LOOKAROUND = END_OF_PATTERN + 1;

type RepeatNode = Extract<PatternNode, { type: 'repeat' }>;

/**
 * Whether a custom pattern can make V8's backtracking matcher do much more than linear work, read
 * from its structure. Every rule over-approximates what the pattern can match (a group is read as
 * the set of all characters it can match, an assertion as always passing, a backreference as any
 * text its group can match), so a pattern it passes is safe under those approximations, and some
 * safe patterns are refused.
 *
 * The rules, in order:
 *  1. nested quantifier: a repetition that offers a choice (`?`, `*`, `+`, `{n,m}` with n < m)
 *     inside a repetition that can run more than once (`(a+)+`, `(a?){2}`, `(\w+\s?)*`); one with
 *     a fixed count (`(\d{3}-){2}`) offers none and is allowed;
 *  2. overlapping alternatives: an alternation inside such a repetition whose alternatives can
 *     start with the same character, or one of which can match the empty string (`(a|aa)+`,
 *     `(\w|\d)+`, `(a|)+`): the number of ways to split a text grows exponentially;
 *  3. adjacent repeats: a repetition offering a choice and running more than once, followed
 *     (through anything able to match text that both can match: nothing, `-?`, another `0`...) by
 *     another repetition running more than once, the two able to match a common character
 *     (`\d+\d+x`, `[a-z]*\w+@`, `.*.*=`, `\d+0\d+x`): the text between them can be shared out in
 *     polynomially many ways, 64^k per start with the repetition cap;
 *  4. too long a match: what one attempt can read, counting an unbounded repetition as the cap,
 *     lookarounds included, and a backreference as the longest text of its group;
 *  5. too many ways: the remaining choices (an optional part, an alternation, a repetition's
 *     "once more or stop") whose branches can start with the same character, or all run a
 *     lookaround first, multiply (`a?a?a?a?a?a?a?a?aaaaaaaa`, `(?:a|a)(?:a|a)...`); times what a
 *     wrongly chosen branch reads before it fails (its own text, then the text the choice could
 *     have taken, lookarounds included), the product bounds the work per start position.
 *
 * Rules 1 and 2 leave a repetition's body without a choice that matters, which is what lets
 * rules 3 and 5 read such a repetition as one opaque step. A lookaround's body is checked the
 * same way on its own (a lookbehind's backwards, as V8 matches it), its choices multiplying the
 * pattern's.
 */
export type BacktrackingRisk =
  | { readonly kind: 'nested-quantifier' }
  | { readonly kind: 'overlapping-alternatives' }
  | { readonly kind: 'adjacent-repeats' }
  | { readonly kind: 'long-match'; readonly length: number }
  | { readonly kind: 'ambiguous-choices'; readonly steps: number };

export interface BacktrackingLimits {
  /** Unbounded repetitions (`*`, `+`, `{n,}`) match at most this many times (compileCustomPatterns). */
  readonly maxRepeat: number;
  /** Rule 4: the most one attempt may read. */
  readonly maxMatchLength: number;
  /** Rule 5: the most steps (ways × text re-read) one attempt may take. */
  readonly maxSteps: number;
}

export function findBacktrackingRisk(
  pattern: ParsedPattern,
  limits: BacktrackingLimits,
): BacktrackingRisk | undefined {
  if (hasNestedQuantifier(pattern.root, false)) return { kind: 'nested-quantifier' };
  const measure = new Measure(pattern, limits.maxRepeat);
  if (hasOverlappingAlternatives(pattern.root, false, measure)) {
    return { kind: 'overlapping-alternatives' };
  }
  const regions = Region.all(pattern.root, measure);
  if (regions.some((region) => region.hasAdjacentRepeats())) return { kind: 'adjacent-repeats' };
  const length = measure.maxLength(pattern.root);
  if (length > limits.maxMatchLength) return { kind: 'long-match', length };
  let ways = 1;
  let widest = 1;
  let reread = 0;
  let further = 0;
  for (const region of regions) {
    for (const choice of region.ambiguousChoices()) {
      ways *= choice.ways;
      widest = Math.max(widest, choice.ways);
      reread = Math.max(reread, choice.reread);
      further = Math.max(further, choice.further);
    }
  }
  // Every way re-reads the text its choices could have taken. Of the ways that differ only in
  // the widest choice, the few that get past that text (one per length the rest can absorb)
  // read on as far as the rest of the pattern can before failing.
  const past = Math.min(ways, (1 + reread) * (ways / widest));
  const steps = ways * (1 + reread) + past * Math.max(0, further - reread);
  if (steps > limits.maxSteps) return { kind: 'ambiguous-choices', steps };
  return undefined;
}

/** Rule 1. `repeated`: inside a repetition that can run more than once (or a lookaround there). */
function hasNestedQuantifier(node: PatternNode, repeated: boolean): boolean {
  switch (node.type) {
    case 'repeat':
      if (repeated && node.min < node.max) return true;
      return hasNestedQuantifier(node.body, repeated || node.max >= 2);
    case 'seq':
      return node.items.some((item) => hasNestedQuantifier(item, repeated));
    case 'alt':
      return node.options.some((option) => hasNestedQuantifier(option, repeated));
    case 'group':
    case 'look':
      return hasNestedQuantifier(node.body, repeated);
    case 'char':
    case 'assertion':
    case 'backref':
      return false;
  }
}

/** Rule 2. */
function hasOverlappingAlternatives(node: PatternNode, repeated: boolean, m: Measure): boolean {
  switch (node.type) {
    case 'alt': {
      if (repeated) {
        if (node.options.some((option) => m.nullable(option))) return true;
        const firsts = node.options.map((option) => m.first(option));
        for (let a = 0; a < firsts.length; a++) {
          for (let b = a + 1; b < firsts.length; b++) {
            if (firsts[a].intersects(firsts[b])) return true;
          }
        }
      }
      return node.options.some((option) => hasOverlappingAlternatives(option, repeated, m));
    }
    case 'repeat':
      return hasOverlappingAlternatives(node.body, repeated || node.max >= 2, m);
    case 'seq':
      return node.items.some((item) => hasOverlappingAlternatives(item, repeated, m));
    case 'group':
      return hasOverlappingAlternatives(node.body, repeated, m);
    case 'look':
      // V8 reads a lookbehind backwards: what its alternatives must not share is their last character.
      return hasOverlappingAlternatives(node.behind ? reversed(node.body) : node.body, repeated, m);
    case 'char':
    case 'assertion':
    case 'backref':
      return false;
  }
}

/** What a node can match, over-approximated; memoised per node. */
class Measure {
  private readonly nullables = new Map<PatternNode, boolean>();
  private readonly firsts = new Map<PatternNode, CharSet>();
  private readonly allChars = new Map<PatternNode, CharSet>();
  private readonly lengths = new Map<PatternNode, number>();
  private readonly passables = new Map<CharSet, Map<PatternNode, boolean>>();
  private readonly readables = new Map<CharSet, Map<PatternNode, number>>();
  /** Groups whose chars or length are being computed: a backreference into one reads as anything. */
  private readonly open = new Set<number>();

  constructor(
    private readonly pattern: ParsedPattern,
    readonly maxRepeat: number,
  ) {}

  /** The most times a repetition runs once unbounded ones are capped (as the rewriter does). */
  effectiveMax(node: RepeatNode): number {
    return node.max === Infinity ? Math.max(node.min, this.maxRepeat) : node.max;
  }

  nullable(node: PatternNode): boolean {
    return memo(this.nullables, node, () => {
      switch (node.type) {
        case 'char':
          return false;
        case 'seq':
          return node.items.every((item) => this.nullable(item));
        case 'alt':
          return node.options.some((option) => this.nullable(option));
        case 'repeat':
          return node.min === 0 || node.max === 0 || this.nullable(node.body);
        case 'group':
          return this.nullable(node.body);
        case 'assertion':
        case 'look':
        case 'backref':
          return true;
      }
    });
  }

  /** The characters a non-empty match can start with. */
  first(node: PatternNode): CharSet {
    return memo(this.firsts, node, () => {
      switch (node.type) {
        case 'char':
          return node.set;
        case 'seq': {
          let set = CharSet.EMPTY;
          for (const item of node.items) {
            set = set.union(this.first(item));
            if (!this.nullable(item)) break;
          }
          return set;
        }
        case 'alt':
          return node.options.reduce((set, option) => set.union(this.first(option)), CharSet.EMPTY);
        case 'repeat':
          return node.max === 0 ? CharSet.EMPTY : this.first(node.body);
        case 'group':
          return this.first(node.body);
        case 'assertion':
        case 'look':
          return CharSet.EMPTY;
        case 'backref':
          return this.chars(node);
      }
    });
  }

  /** Every character a match can hold (a lookaround's body holds none: it reads, not consumes). */
  chars(node: PatternNode): CharSet {
    return memo(this.allChars, node, () => {
      switch (node.type) {
        case 'char':
          return node.set;
        case 'seq':
          return node.items.reduce((set, item) => set.union(this.chars(item)), CharSet.EMPTY);
        case 'alt':
          return node.options.reduce((set, option) => set.union(this.chars(option)), CharSet.EMPTY);
        case 'repeat':
          return node.max === 0 ? CharSet.EMPTY : this.chars(node.body);
        case 'group':
          return this.chars(node.body);
        case 'assertion':
        case 'look':
          return CharSet.EMPTY;
        case 'backref':
          return this.inGroup(node.group, ANY, (body) => this.chars(body));
      }
    });
  }

  /** The longest text a match can read, lookarounds included; Infinity if unbounded. */
  maxLength(node: PatternNode): number {
    return memo(this.lengths, node, () => {
      switch (node.type) {
        case 'char':
          return 1;
        case 'seq':
          return node.items.reduce((sum, item) => sum + this.maxLength(item), 0);
        case 'alt':
          return Math.max(...node.options.map((option) => this.maxLength(option)));
        case 'repeat':
          return node.max === 0 ? 0 : this.effectiveMax(node) * this.maxLength(node.body);
        case 'group':
        case 'look':
          return this.maxLength(node.body);
        case 'assertion':
          return 0;
        case 'backref':
          return this.inGroup(node.group, Infinity, (body) => this.maxLengthConsumed(body));
      }
    });
  }

  /** Like maxLength, lookarounds left out: the text a group captures. */
  private maxLengthConsumed(node: PatternNode): number {
    switch (node.type) {
      case 'look':
        return 0;
      case 'seq':
        return node.items.reduce((sum, item) => sum + this.maxLengthConsumed(item), 0);
      case 'alt':
        return Math.max(...node.options.map((option) => this.maxLengthConsumed(option)));
      case 'repeat':
        return node.max === 0 ? 0 : this.effectiveMax(node) * this.maxLengthConsumed(node.body);
      case 'group':
        return this.maxLengthConsumed(node.body);
      case 'char':
      case 'assertion':
      case 'backref':
        return this.maxLength(node);
    }
  }

  /** Can the node match some text (the empty one included) made only of characters in `set`? */
  passable(node: PatternNode, set: CharSet): boolean {
    return memo(perSet(this.passables, set), node, () => this.passableUncached(node, set));
  }

  private passableUncached(node: PatternNode, set: CharSet): boolean {
    switch (node.type) {
      case 'char':
        return node.set.intersects(set);
      case 'seq':
        return node.items.every((item) => this.passable(item, set));
      case 'alt':
        return node.options.some((option) => this.passable(option, set));
      case 'repeat':
        return node.min === 0 || node.max === 0 || this.passable(node.body, set);
      case 'group':
        return this.passable(node.body, set);
      case 'assertion':
      case 'look':
      case 'backref':
        return true;
    }
  }

  /**
   * The most characters of `set` a node can read before it fails: the longest prefix of one of
   * its matches made only of such characters (its whole match included).
   */
  readable(node: PatternNode, set: CharSet): number {
    return memo(perSet(this.readables, set), node, () => this.readableUncached(node, set));
  }

  private readableUncached(node: PatternNode, set: CharSet): number {
    switch (node.type) {
      case 'char':
        return node.set.intersects(set) ? 1 : 0;
      case 'seq': {
        let best = 0;
        let whole = 0;
        for (const item of node.items) {
          const read = this.readable(item, set);
          best = Math.max(best, whole + read);
          if (!this.passable(item, set)) return best;
          whole += read;
        }
        return best;
      }
      case 'alt':
        return Math.max(...node.options.map((option) => this.readable(option, set)));
      case 'repeat':
        return node.max === 0 ? 0 : this.effectiveMax(node) * this.readable(node.body, set);
      case 'group':
        return this.readable(node.body, set);
      case 'assertion':
        return 0;
      case 'look':
      case 'backref':
        return this.maxLength(node);
    }
  }

  /**
   * The most characters of `set` an atom of the graph (a character, a backreference, or a
   * repetition that can run more than once) can read and then fail without completing: none for
   * a character or a repetition that may run zero times, less than its minimum for a repetition.
   */
  readableBeforeFailing(node: PatternNode, set: CharSet): number {
    if (node.type === 'char') return 0;
    if (node.type !== 'repeat') return this.readable(node, set);
    const shortOfMinimum = Math.max(0, node.min * this.maxLength(node.body) - 1);
    return Math.min(this.readable(node, set), shortOfMinimum);
  }

  private inGroup<T>(group: number, cyclic: T, read: (body: PatternNode) => T): T {
    const body = this.pattern.groups[group];
    if (body === undefined || this.open.has(group)) return cyclic;
    this.open.add(group);
    try {
      return read(body);
    } finally {
      this.open.delete(group);
    }
  }
}

function perSet<V>(caches: Map<CharSet, Map<PatternNode, V>>, set: CharSet): Map<PatternNode, V> {
  let cache = caches.get(set);
  if (cache === undefined) {
    cache = new Map();
    caches.set(set, cache);
  }
  return cache;
}

function memo<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const value = compute();
  cache.set(key, value);
  return value;
}

interface Edge {
  readonly to: number;
  /** What the edge consumes, read as one opaque atom; undefined for an empty step. */
  readonly atom?: PatternNode;
  /** An empty step that can fail: an assertion or a lookaround. */
  readonly guard?: boolean;
  /** A lookaround's body, which reads text (and takes time) without consuming it. */
  readonly look?: PatternNode;
}

interface Choice {
  /** The state the branches leave from (one per alternation or optional part). */
  readonly state: number;
  /** Where the branches meet again. */
  readonly join: number;
  readonly node: PatternNode;
}

/** A choice whose branches can start with the same character (or all run a lookaround). */
interface AmbiguousChoice {
  /** How many branches can go on past the first character. */
  readonly ways: number;
  /**
   * The most text a branch taken wrongly can read past the join before failing, while that text
   * is text the choice itself could have matched.
   */
  readonly reread: number;
  /** The most text the pattern can read past the join before failing, whatever the text. */
  readonly further: number;
}

/**
 * The pattern, or a lookaround's body, as a graph whose edges are atoms, in the direction V8
 * matches it (a lookbehind's body backwards). A repetition that can run more than once is one
 * opaque edge (by rules 1 and 2 its body holds no choice that matters), so the graph is acyclic;
 * alternations and optional parts branch.
 */
class Region {
  private readonly edges: Edge[][] = [];
  private readonly choices: Choice[] = [];
  /** Repetitions that can run more than once, as edges (from, to). */
  private readonly repeats: Array<{ from: number; to: number; node: RepeatNode }> = [];
  private readonly accept: number;
  private readonly firstsFrom = new Map<number, CharSet>();
  private readonly sureMatches = new Map<number, boolean>();

  private constructor(
    readonly root: PatternNode,
    private readonly m: Measure,
    private readonly nested: PatternNode[],
  ) {
    const start = this.state();
    this.accept = this.build(root, start);
  }

  /** The pattern's region, then each lookaround's, in matching direction. */
  static all(root: PatternNode, m: Measure): Region[] {
    const regions: Region[] = [];
    const pending = [root];
    for (let node = pending.shift(); node !== undefined; node = pending.shift()) {
      regions.push(new Region(node, m, pending));
    }
    return regions;
  }

  /** Rule 3. */
  hasAdjacentRepeats(): boolean {
    for (const x of this.repeats) {
      if (x.node.min === x.node.max) continue;
      for (const y of this.repeats) {
        if (y === x) continue;
        const shared = this.m.chars(x.node).intersect(this.m.chars(y.node));
        if (!shared.isEmpty && this.reaches(x.to, y.from, shared)) return true;
      }
    }
    return false;
  }

  /** Rule 5's factors: the choices whose branches overlap, with their ways and re-read text. */
  ambiguousChoices(): AmbiguousChoice[] {
    const found: AmbiguousChoice[] = [];
    for (const { state, join, node } of this.choices) {
      const ways = mostOverlapping(this.edges[state].map((edge) => this.firstFrom(edge.to)));
      // A wrong branch also reads its own text before it fails or rejoins.
      if (ways > 1)
        found.push(this.ambiguous(ways, join, node, this.m.readable(node, this.m.chars(node))));
    }
    for (const { to, node } of this.repeats) {
      if (node.min === node.max) continue;
      // Stopping early can go on past the loop's first character, or run a lookaround there.
      const after = this.firstFrom(to);
      const stopOrGoOn =
        this.m.nullable(node.body) ||
        this.m.first(node.body).intersects(after) ||
        after.has(LOOKAROUND);
      if (stopOrGoOn)
        found.push(this.ambiguous(this.m.effectiveMax(node) - node.min + 1, to, node, 0));
    }
    return found;
  }

  private ambiguous(ways: number, join: number, node: PatternNode, own: number): AmbiguousChoice {
    const reread = own + this.failingRead(join, this.m.chars(node));
    return { ways, reread, further: own + this.failingRead(join, ANY) };
  }

  private state(): number {
    this.edges.push([]);
    return this.edges.length - 1;
  }

  private edge(from: number, to: number, atom?: PatternNode): void {
    this.edges[from].push({ to, atom });
  }

  /** An assertion (or, given its body, a lookaround) after `from`. */
  private guard(from: number, look?: PatternNode): number {
    const to = this.state();
    this.edges[from].push({ to, guard: true, look });
    return to;
  }

  /** Adds the node's graph after `from`; returns the state it ends in. */
  private build(node: PatternNode, from: number): number {
    switch (node.type) {
      case 'char':
      case 'backref': {
        const to = this.state();
        this.edge(from, to, node);
        return to;
      }
      case 'assertion':
        return this.guard(from);
      case 'look':
        this.nested.push(node.behind ? reversed(node.body) : node.body);
        return this.guard(from, node.body);
      case 'group':
        return this.build(node.body, from);
      case 'seq':
        return node.items.reduce((at, item) => this.build(item, at), from);
      case 'alt': {
        const branch = this.state();
        const join = this.state();
        this.edge(from, branch);
        for (const option of node.options) {
          const start = this.state();
          this.edge(branch, start);
          this.edge(this.build(option, start), join);
        }
        this.choices.push({ state: branch, join, node });
        return join;
      }
      case 'repeat': {
        if (node.max === 0) return from;
        if (node.max === 1 && node.min === 1) return this.build(node.body, from);
        if (node.max === 1) {
          const branch = this.state();
          const start = this.state();
          const join = this.state();
          this.edge(from, branch);
          this.edge(branch, start);
          this.edge(branch, join);
          this.edge(this.build(node.body, start), join);
          this.choices.push({ state: branch, join, node });
          return join;
        }
        const to = this.state();
        this.edge(from, to, node);
        this.repeats.push({ from, to, node });
        return to;
      }
    }
  }

  /**
   * The characters that can be read first from a state, with END_OF_PATTERN if the pattern can
   * end there and LOOKAROUND if a lookaround can run before any character is read.
   */
  private firstFrom(state: number): CharSet {
    return memo(this.firstsFrom, state, () => {
      let set = state === this.accept ? CharSet.char(END_OF_PATTERN) : CharSet.EMPTY;
      for (const { to, atom, look } of this.edges[state]) {
        if (atom !== undefined) set = set.union(this.m.first(atom));
        if (look !== undefined) set = set.union(CharSet.char(LOOKAROUND));
        if (atom === undefined || this.m.nullable(atom)) set = set.union(this.firstFrom(to));
      }
      return set;
    });
  }

  /** Is there a path between two states through atoms that can all match text made of `set`? */
  private reaches(from: number, to: number, set: CharSet): boolean {
    const seen = new Set<number>();
    const stack = [from];
    for (let state = stack.pop(); state !== undefined; state = stack.pop()) {
      if (state === to) return true;
      if (seen.has(state)) continue;
      seen.add(state);
      for (const edge of this.edges[state]) {
        if (edge.atom === undefined || this.m.passable(edge.atom, set)) stack.push(edge.to);
      }
    }
    return false;
  }

  /**
   * The most characters of `set` the rest of the pattern can read from a state on and then fail
   * (a path that reaches the end of the pattern ends the attempt with a match instead): what a
   * wrongly taken branch costs once it has rejoined the others.
   */
  private failingRead(state: number, set: CharSet): number {
    const best = new Map<number, number>();
    /** -Infinity when every path from the state ends in a match. */
    const from = (at: number): number =>
      memo(best, at, () => {
        if (this.surelyMatches(at)) return -Infinity;
        let most = 0;
        for (const { to, atom, look } of this.edges[at]) {
          if (atom === undefined) {
            const work = look === undefined ? 0 : this.m.maxLength(look);
            most = Math.max(most, work, work + from(to));
            continue;
          }
          most = Math.max(most, this.m.readableBeforeFailing(atom, set));
          const rest = from(to);
          if (rest > -Infinity && this.m.passable(atom, set)) {
            most = Math.max(most, this.m.readable(atom, set) + rest);
          }
        }
        return most;
      });
    return Math.max(0, from(state));
  }

  /**
   * Does every attempt reaching the state end in a match: can it reach the end of the pattern
   * through steps that cannot fail (no assertion, no atom but a repetition that may run zero
   * times)? The matcher tries every branch before it gives up, so one such path is enough.
   */
  private surelyMatches(state: number): boolean {
    return memo(this.sureMatches, state, () => {
      if (state === this.accept) return true;
      return this.edges[state].some(
        ({ to, atom, guard }) =>
          !guard &&
          (atom === undefined || (atom.type === 'repeat' && atom.min === 0)) &&
          this.surelyMatches(to),
      );
    });
  }
}

/** The same node read backwards (as V8 reads a lookbehind); lookarounds inside keep their own. */
function reversed(node: PatternNode): PatternNode {
  switch (node.type) {
    case 'seq':
      return { type: 'seq', items: node.items.map(reversed).reverse() };
    case 'alt':
      return { type: 'alt', options: node.options.map(reversed) };
    case 'repeat':
      return { ...node, body: reversed(node.body) };
    case 'group':
      return { ...node, body: reversed(node.body) };
    case 'char':
    case 'assertion':
    case 'look':
    case 'backref':
      return node;
  }
}

/** The most sets holding one same character (the end-of-pattern mark included). */
function mostOverlapping(sets: readonly CharSet[]): number {
  const events: Array<[number, number]> = [];
  for (const set of sets) {
    for (const [lo, hi] of set.ranges()) events.push([lo, 1], [hi + 1, -1]);
  }
  events.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let most = 0;
  for (const [, delta] of events) {
    open += delta;
    most = Math.max(most, open);
  }
  return most;
}
