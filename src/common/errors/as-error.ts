/**
 * What was thrown or passed as a reason, as an `Error`: itself when it is one, else an `Error`
 * whose message is its text (a rejection or an abort reason may be any value).
 */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
