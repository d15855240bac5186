import type { PiiFinding, PiiType } from './pii.types.js';

/** The text with each finding replaced by what `replacement` makes of it; findings sorted. */
export function replaceFindings(
  text: string,
  findings: readonly PiiFinding[],
  replacement: (finding: PiiFinding, value: string) => string,
): string {
  if (findings.length === 0) return text;
  let out = '';
  let at = 0;
  for (const finding of findings) {
    out += text.slice(at, finding.start);
    out += replacement(finding, text.slice(finding.start, finding.end));
    at = finding.end;
  }
  return out + text.slice(at);
}

/** What REDACT writes in place of a finding. */
export function redactionOf(type: PiiType): string {
  return `[REDACTED_${type}]`;
}

/** Occurrences per type, e.g. `{EMAIL: 2}`, added to `counts`. */
export function countFindings(
  findings: readonly PiiFinding[],
  counts: Record<string, number>,
): Record<string, number> {
  for (const finding of findings) counts[finding.type] = (counts[finding.type] ?? 0) + 1;
  return counts;
}
