import type { PiiFinding, PiiType } from '../pii.types.js';

/**
 * Which finding wins among overlapping ones of the same length: the operator's own patterns
 * first (they asked for exactly that), then credentials (the costliest leak), then identifiers
 * a checksum confirms (IBAN mod 97, Luhn, Verhoeff, the DEA sum), then those only structure
 * confirms, then keyword-anchored ones, and last those read from shape alone or by heuristic.
 */
export const SPECIFICITY: readonly PiiType[] = [
  'CUSTOM',
  'SECRET',
  'IBAN',
  'CREDIT_CARD',
  'NPI_NUMBER',
  'AADHAAR',
  'DEA_NUMBER',
  'SSN',
  'PAN',
  'DATE_OF_BIRTH',
  'PASSPORT_NUMBER',
  'DRIVERS_LICENSE',
  'MEDICAL_RECORD_NUMBER',
  'EMAIL',
  'IP_ADDRESS',
  'PHONE_NUMBER',
  'PERSON_NAME',
];

const RANK = new Map(SPECIFICITY.map((type, i) => [type, i]));

/** A cluster larger than this is resolved with an index rather than pairwise checks. */
const SMALL_CLUSTER = 16;

/**
 * Resolves overlapping findings: the longer finding wins, then the more specific type
 * (`SPECIFICITY`), then the earlier one; what is left is sorted by start and never overlaps.
 * Only findings that overlap (transitively) are compared, so the usual case costs a sort.
 */
export function resolveOverlaps(findings: readonly PiiFinding[]): PiiFinding[] {
  const sorted = [...findings].sort((a, b) => a.start - b.start || b.end - a.end);
  const out: PiiFinding[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i + 1;
    let reach = sorted[i].end;
    while (j < sorted.length && sorted[j].start < reach) {
      reach = Math.max(reach, sorted[j].end);
      j++;
    }
    if (j === i + 1) out.push(sorted[i]);
    else out.push(...resolveCluster(sorted.slice(i, j)));
    i = j;
  }
  return out;
}

function beats(a: PiiFinding, b: PiiFinding): number {
  const length = b.end - b.start - (a.end - a.start);
  return length || rank(a) - rank(b) || a.start - b.start;
}

function rank(f: PiiFinding): number {
  return RANK.get(f.type) ?? SPECIFICITY.length;
}

function resolveCluster(cluster: PiiFinding[]): PiiFinding[] {
  const byPriority = [...cluster].sort(beats);
  const kept: PiiFinding[] = [];
  if (cluster.length <= SMALL_CLUSTER) {
    for (const f of byPriority) {
      if (kept.every((k) => k.end <= f.start || f.end <= k.start)) kept.push(f);
    }
  } else {
    const taken = new TakenSpans(cluster);
    for (const f of byPriority) {
      if (taken.isFree(f.start, f.end)) {
        taken.take(f.start, f.end);
        kept.push(f);
      }
    }
  }
  return kept.sort((a, b) => a.start - b.start);
}

/**
 * The spans already kept in a large cluster, over the cluster's distinct boundaries: a Fenwick
 * tree counts taken elementary segments, so each check and each take costs O(log n) per segment
 * (kept spans are disjoint, so each segment is taken once).
 */
class TakenSpans {
  private readonly points: number[];
  private readonly tree: Int32Array;

  constructor(cluster: readonly PiiFinding[]) {
    const set = new Set<number>();
    for (const f of cluster) set.add(f.start).add(f.end);
    this.points = [...set].sort((a, b) => a - b);
    this.tree = new Int32Array(this.points.length + 1);
  }

  isFree(start: number, end: number): boolean {
    const a = this.index(start);
    const b = this.index(end);
    return this.prefix(b) - this.prefix(a) === 0;
  }

  take(start: number, end: number): void {
    for (let s = this.index(start); s < this.index(end); s++) {
      for (let i = s + 1; i < this.tree.length; i += i & -i) this.tree[i]++;
    }
  }

  /** Taken segments among the first `n` (segment s spans points[s]..points[s + 1]). */
  private prefix(n: number): number {
    let sum = 0;
    for (let i = n; i > 0; i -= i & -i) sum += this.tree[i];
    return sum;
  }

  private index(point: number): number {
    let lo = 0;
    let hi = this.points.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.points[mid] < point) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
