import { createHash } from 'node:crypto';

const MISTRAL_ID = /^[a-zA-Z0-9]{9}$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * Mistral refuses any tool-call id that is not nine letters or digits (wire-formats section 7),
 * but callers replay ids minted elsewhere (`call_...` from OpenAI, or from an earlier fallback).
 * Ids are rewritten by a hash, so an assistant's `tool_calls[].id` and the matching `tool`
 * message's `tool_call_id` still agree; ids that already fit pass unchanged.
 */
export function toMistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += ALPHABET[digest[i] % ALPHABET.length];
  return out;
}
