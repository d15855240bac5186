import { randomBytes } from 'node:crypto';
import { MAX_TOOL_CALL_ID_LENGTH } from '../llm-provider.types.js';

/**
 * Tool-call ids for Gemini, which gives its function calls none, and the carrier of their thought
 * signatures. Gemini 3 answers 400 when a function call it produced comes back without the
 * `thoughtSignature` it was issued with (wire-formats 4.1); the gateway is stateless and OpenAI
 * callers only echo the id, so the signature travels inside the id and is restored from it:
 *
 * - `call_<key>`: the call carried no signature;
 * - `call_<key>_s<signature as base64url>`: the signature, restored exactly;
 * - `call_<key>_x`: a signature came but did not fit in an id callers may send back (the gateway
 *   refuses longer ids); it is restored as Google's documented validator-skip sentinel.
 *
 * Ids use only `[A-Za-z0-9_-]`, the alphabet every OpenAI client accepts.
 */

const PREFIX = 'call_';
const KEY_LENGTH = 16;
/** Google's documented value for a function call whose real signature is not available. */
export const SKIP_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const STANDARD_BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const OURS = new RegExp(`^${PREFIX}[A-Za-z0-9]{${KEY_LENGTH}}(?:_(s[A-Za-z0-9_-]+|x))?$`);

/** A fresh random key for one tool call (about 95 bits). */
export function newToolCallKey(): string {
  const bytes = randomBytes(KEY_LENGTH);
  let key = '';
  for (const byte of bytes) key += ALPHABET[byte % ALPHABET.length];
  return key;
}

/** The id a caller sees for a Gemini function call issued with `signature`. */
export function toolCallId(key: string, signature: string | undefined): string {
  const base = `${PREFIX}${key}`;
  if (signature === undefined || signature === '') return base;
  if (STANDARD_BASE64.test(signature) && signature.length % 4 === 0) {
    const carried = `${base}_s${signature.replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_')}`;
    if (carried.length <= MAX_TOOL_CALL_ID_LENGTH) return carried;
  }
  return `${base}_x`;
}

/**
 * The thought signature to send back with the function call a caller identifies by `id`:
 * the original, the skip sentinel when it could not be carried, or undefined for a call that had
 * none (or an id the gateway did not mint, e.g. a call the caller wrote itself).
 */
export function thoughtSignatureOf(id: string): string | undefined {
  const match = OURS.exec(id);
  const tail = match?.[1];
  if (tail === undefined) return undefined;
  if (tail === 'x') return SKIP_THOUGHT_SIGNATURE;
  const url = tail.slice(1);
  const standard = url.replace(/-/g, '+').replace(/_/g, '/');
  return standard + '='.repeat((4 - (standard.length % 4)) % 4);
}
