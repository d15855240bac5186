/*
 * Texts and splits for the answer operator's property tests (not used by the gateway).
 */
import fc from 'fast-check';

export const TOKENS = new Map([
  ['{{PII_EMAIL_3f9a0b12}}', 'ann@example.com'],
  ['{{PII_SSN_0a1b2c3d}}', '123-45-6789'],
  ['{{PII_PHONE_NUMBER_deadbeef}}', '+1 555 0100'],
]);
/** Token-shaped, but not issued by this call: left as it is. */
export const UNISSUED = '{{PII_EMAIL_00000000}}';
/**
 * The longest edit of these texts, lookahead included: the longest token (29 characters); an
 * email is at most 20, plus 2 to see that it ended; an SSN 9, plus 1.
 */
export const LONGEST_EDIT = 29;

/** `text` cut at the given points (taken modulo its length + 1): empty pieces included. */
export function split(text: string, cuts: readonly number[]): string[] {
  const points = [...cuts.map((cut) => cut % (text.length + 1))].sort((a, b) => a - b);
  const pieces: string[] = [];
  let at = 0;
  for (const point of points) {
    pieces.push(text.slice(at, point));
    at = point;
  }
  return [...pieces, text.slice(at)];
}

/** Words, tokens (issued or not), emails and digit runs, each followed by a separator. */
export const structuredText = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.stringMatching(/^[a-z]{1,8}$/),
        fc.constantFrom(...TOKENS.keys(), UNISSUED),
        fc
          .tuple(
            fc.stringMatching(/^[a-z]{1,6}$/),
            fc.stringMatching(/^[a-z]{1,6}$/),
            fc.constantFrom('com', 'org', 'co.uk'),
          )
          .map(([user, host, tld]) => `${user}@${host}.${tld}`),
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.stringMatching(new RegExp(`^\\d{${n}}$`))),
        fc.constantFrom('😀', 'é', '—'),
      ),
      fc.constantFrom(' ', '\n', ', ', '; '),
    ),
    { maxLength: 40 },
  )
  .map((parts) => parts.map(([fragment, separator]) => fragment + separator).join(''));

/** Characters tokens are made of, with digits for the digit-run rule, and issued tokens. */
export const noisyText = fc
  .array(
    fc.oneof(
      {
        weight: 4,
        arbitrary: fc.string({ unit: fc.constantFrom(...'{}PII_EMAL3f9a0b12 x5'), maxLength: 30 }),
      },
      { weight: 1, arbitrary: fc.constantFrom(...TOKENS.keys(), UNISSUED) },
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

/** Any split, from none to every character on its own, empty deltas included. */
export function deltasOf(text: string): fc.Arbitrary<string[]> {
  const chars: string[] = [...text];
  const withEmpties: string[] = ['', ...chars.flatMap((c) => [c, ''])];
  return fc.oneof(
    fc.array(fc.nat(), { maxLength: 30 }).map((cuts) => split(text, cuts)),
    fc.constant(chars),
    fc.constant(withEmpties),
  );
}
