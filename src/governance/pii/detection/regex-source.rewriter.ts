/**
 * Rewrites a regular expression's source, read as `u`-flag syntax (where a `{` outside a class
 * always opens a quantifier, so the source can be read without a full parser). The source must
 * already compile with the `u` flag.
 */
export interface SourceRewrite {
  /** Unbounded quantifiers (`*`, `+`, `{n,}`) become bounded by this many repetitions. */
  readonly maxRepeat?: number;
  /** Lookbehinds (`(?<=`, `(?<!`) become plain groups (`(?:`), for checkers that cannot parse them. */
  readonly plainLookbehinds?: boolean;
  /**
   * Quantifiers with a fixed count (`{3}`, `{3,3}`, lazy or not) are removed, their atom kept:
   * they offer the matcher no choice, so a star-height test should not count them.
   */
  readonly dropExactCounts?: boolean;
}

export function rewriteSource(source: string, rewrite: SourceRewrite): string {
  const { maxRepeat, plainLookbehinds = false, dropExactCounts = false } = rewrite;
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    if (c === '\\') {
      const end = escapeEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '[') {
      const end = classEnd(source, i);
      out += source.slice(i, end);
      i = end;
    } else if (c === '(' && source[i + 1] === '?') {
      const lookbehind = source[i + 2] === '<' && (source[i + 3] === '=' || source[i + 3] === '!');
      if (lookbehind && plainLookbehinds) {
        out += '(?:';
        i += 4;
      } else {
        out += '(?';
        i += 2;
      }
    } else if ((c === '*' || c === '+') && maxRepeat !== undefined) {
      out += `{${c === '*' ? 0 : 1},${maxRepeat}}`;
      i += 1;
    } else if (c === '{') {
      const end = source.indexOf('}', i);
      const [min, max] = source.slice(i + 1, end).split(',');
      const open = max !== undefined && max.trim() === '' && maxRepeat !== undefined;
      const exact = max === undefined || (max.trim() !== '' && Number(max) === Number(min));
      if (exact && dropExactCounts) {
        i = source[end + 1] === '?' ? end + 2 : end + 1;
        continue;
      }
      out += open ? `{${min},${Math.max(Number(min), maxRepeat)}}` : source.slice(i, end + 1);
      i = end + 1;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** After `\`: one character, or a braced or bracketed name (\p{L}, \u{1F600}, \k<id>). */
function escapeEnd(source: string, at: number): number {
  const kind = source[at + 1];
  const open = source[at + 2];
  if ((kind === 'p' || kind === 'P' || kind === 'u') && open === '{') {
    return source.indexOf('}', at) + 1;
  }
  if (kind === 'k' && open === '<') return source.indexOf('>', at) + 1;
  return at + 2;
}

/** A character class, escapes included (with `u`, classes do not nest). */
function classEnd(source: string, at: number): number {
  let i = at + 1;
  while (i < source.length && source[i] !== ']') i += source[i] === '\\' ? 2 : 1;
  return i + 1;
}
