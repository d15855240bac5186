import { ANY, CharSet, END_OF_PATTERN } from './pattern-charset.js';
import type { PatternNode } from './pattern-parser.js';
import { memo, reversed, type Measure, type RepeatNode } from './pattern-measure.js';

/** Not a character: a lookaround run before the next character is read (see Region.firstFrom). */
const LOOKAROUND = END_OF_PATTERN + 1;

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
export class Region {
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
