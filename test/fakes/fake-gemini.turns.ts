/**
 * The fake Gemini's rules across turns: user and model alternate, function responses answer the
 * calls of the turn before, and function calls of the current turn come back with the thought
 * signature the fake issued (Gemini 3's 400 otherwise).
 */
import { field, invalid, type Json } from './fake-gemini.refusal.js';

/** Google's documented value that skips thought-signature validation. */
export const SKIP_SIGNATURE = 'skip_thought_signature_validator';

/**
 * Turn rules: user and model alternate; a function-response turn answers exactly the calls of the
 * model turn before it; in the current turn (after the last plain user message) the first function
 * call of each model step carries a signature the fake issued (or the documented skip value).
 */
export function checkTurns(contents: readonly Json[], issued: ReadonlySet<string>): void {
  const roles = contents.map((c) => (c.role === 'model' ? 'model' : 'user'));
  for (let i = 1; i < roles.length; i++) {
    if (roles[i] === roles[i - 1]) {
      throw invalid('Please ensure that multiturn requests alternate between user and model.');
    }
  }
  const partsOf = (c: Json) => c.parts as Json[];
  const calls = (c: Json) => partsOf(c).filter((p) => field(p, 'functionCall') !== undefined);
  const responses = (c: Json) =>
    partsOf(c).filter((p) => field(p, 'functionResponse') !== undefined);
  contents.forEach((content, i) => {
    const answered = responses(content).length;
    if (answered === 0) return;
    const previous = contents[i - 1];
    const asked = previous === undefined ? 0 : calls(previous).length;
    if (asked === 0) {
      throw invalid(
        'Please ensure that function response turn comes immediately after a function call turn.',
      );
    }
    if (asked !== answered) {
      throw invalid(
        'Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.',
      );
    }
  });
  const plainUser = contents
    .map((c, i) => ({ c, i }))
    .filter(
      ({ c }) =>
        c.role !== 'model' && partsOf(c).some((p) => field(p, 'functionResponse') === undefined),
    );
  const turnStart = plainUser.length === 0 ? 0 : plainUser[plainUser.length - 1].i;
  contents.slice(turnStart).forEach((content, offset) => {
    if (content.role !== 'model') return;
    for (const part of partsOf(content)) {
      const signature = field(part, 'thoughtSignature');
      if (
        signature !== undefined &&
        signature !== SKIP_SIGNATURE &&
        (typeof signature !== 'string' || !issued.has(signature))
      ) {
        throw invalid('Corrupted thought signature.');
      }
    }
    const first = calls(content)[0];
    if (first !== undefined && field(first, 'thoughtSignature') === undefined) {
      const name = String((field(first, 'functionCall') as Json).name);
      throw invalid(
        `Function call is missing a thought_signature in functionCall parts. This is required for tools to work correctly, and missing thought_signature may lead to degraded model performance. Additional data, function call \`default_api:${name}\` , position ${turnStart + offset + 1}. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`,
      );
    }
  });
}
