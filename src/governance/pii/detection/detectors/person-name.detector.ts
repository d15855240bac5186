import type { ScanState, ShapeTrigger } from '../scan-state.js';
import { codeAt, isLetter } from '../text-chars.js';

const SALUTATION = '(?:Mrs|Mr|Ms|Miss|Mx|Dr|Prof)';
/**
 * A capitalised word of two letters or more: a capital, letters, and inner hyphen or apostrophe
 * parts (Mary-Jane, O'Brien, McDonald); any script (`u`). Bounded, and it ends where letters end.
 */
const WORD = "\\p{Lu}(?:['’]\\p{Lu})?\\p{L}{1,30}(?:-\\p{L}{1,30}){0,2}(?!\\p{L})";
/** An initial before the name: "Dr. J. Smith". */
const INITIAL = '\\p{Lu}\\. ?';
const NAME = new RegExp(
  `${SALUTATION}\\.?[ \\t]{1,3}(?!${SALUTATION}\\b)((?:${INITIAL}){0,2}${WORD}(?: ${WORD}){0,2})`,
  'uy',
);

/**
 * Person names after a salutation (Mr, Mrs, Ms, Miss, Mx, Dr, Prof, with or without a dot):
 * one to three capitalised words, after up to two initials. A heuristic ("Mr. President" is
 * taken too): the finding is the name, the salutation stays.
 */
export const personNameTriggers: readonly ShapeTrigger[] = [
  {
    types: ['PERSON_NAME'],
    chars: 'MDP',
    when: '(?<=M)(?=rs?\\.?[ \\t]|s\\.?[ \\t]|iss[ \\t]|x\\.?[ \\t])|(?<=D)(?=r\\.?[ \\t])|(?<=P)(?=rof\\.?[ \\t])',
    handle: handleSalutation,
  },
];

function handleSalutation(state: ScanState, at: number): number {
  const { text } = state;
  if (isLetter(codeAt(text, at - 1))) return at + 1;
  NAME.lastIndex = at;
  const m = NAME.exec(text);
  if (m !== null) state.emit('PERSON_NAME', NAME.lastIndex - m[1].length, NAME.lastIndex);
  return at + 1;
}
