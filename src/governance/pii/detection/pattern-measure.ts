import { ANY, CharSet } from './pattern-charset.js';
import type { ParsedPattern, PatternNode } from './pattern-parser.js';

export type RepeatNode = Extract<PatternNode, { type: 'repeat' }>;

/** What a node can match, over-approximated; memoised per node. */
export class Measure {
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

export function memo<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const value = compute();
  cache.set(key, value);
  return value;
}

/** The same node read backwards (as V8 reads a lookbehind); lookarounds inside keep their own. */
export function reversed(node: PatternNode): PatternNode {
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
