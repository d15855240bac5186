/**
 * "Did you mean" hints for the policy DSL: a word is looked up in a table of known mistakes, then
 * compared with the valid words ignoring case, `-` and `_`, then by edit distance.
 */

/** Longest word the edit distance is computed for (a longer one is no typo of ours). */
const MAX_COMPARED_LENGTH = 64;
/** Longest excerpt of user input quoted back in a message. */
const MAX_QUOTED_LENGTH = 80;

function normalize(word: string): string {
  return word.toLowerCase().replace(/[-_\s]/g, '');
}

/** Levenshtein distance, bounded: returns `limit + 1` as soon as it is sure to exceed `limit`. */
function editDistance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      const value = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost);
      current.push(value);
      best = Math.min(best, value);
    }
    if (best > limit) return limit + 1;
    previous = current;
  }
  return previous[b.length];
}

/** The valid word a mistaken one most likely meant, if any. */
export function suggest(
  word: string,
  valid: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string | undefined {
  const normalized = normalize(word);
  if (Object.hasOwn(aliases, word)) return aliases[word];
  if (Object.hasOwn(aliases, normalized)) return aliases[normalized];
  const same = valid.find((candidate) => normalize(candidate) === normalized);
  if (same !== undefined) return same;
  if (normalized.length === 0 || normalized.length > MAX_COMPARED_LENGTH) return undefined;
  const limit = normalized.length <= 4 ? 1 : 2;
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of valid) {
    const distance = editDistance(normalized, normalize(candidate), limit);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** `'word'` for a message, shortened when long. */
export function quote(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') {
    text = String(value);
  } else if (value === null || value === undefined) text = String(value);
  else if (Array.isArray(value)) text = 'a list';
  else text = typeof value === 'object' ? 'a mapping' : `a ${typeof value}`;
  const short =
    text.length > MAX_QUOTED_LENGTH
      ? `${text.slice(0, MAX_QUOTED_LENGTH)}… (${text.length} chars)`
      : text;
  return `'${short}'`;
}

/** `; did you mean 'x'?` or `; expected one of: a, b, c`. */
export function hintFor(
  word: string,
  valid: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): string {
  const guess = suggest(word, valid, aliases);
  return guess !== undefined
    ? `; did you mean '${guess}'?`
    : `; expected one of: ${valid.join(', ')}`;
}
