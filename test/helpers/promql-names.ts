/** Words of PromQL that are not metric names when they stand alone (not followed by `(`). */
const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'offset',
  'and',
  'or',
  'unless',
  'inf',
  'nan',
]);

/**
 * The metric names a PromQL expression selects: identifiers left once strings, label matchers,
 * range selectors, grouping clauses, function calls, keywords and `$variables` are set aside.
 * Enough for dashboards' expressions; not a full PromQL parser.
 */
export function metricNamesIn(expr: string): string[] {
  const labelValues = /^\s*label_values\(\s*([a-zA-Z_:][a-zA-Z0-9_:]*)/.exec(expr);
  if (labelValues) return [labelValues[1]];
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/[$]?[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    const word = match[0];
    if (word.startsWith('$') || KEYWORDS.has(word.toLowerCase())) continue;
    const before = stripped[match.index - 1];
    // Part of a number such as 1e3 or 0.5.
    if (before !== undefined && /[0-9.]/.test(before)) continue;
    const after = stripped.slice(match.index + word.length).trimStart();
    if (after.startsWith('(')) continue;
    names.add(word);
  }
  return [...names];
}
