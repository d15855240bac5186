import { hash, randomBytes, timingSafeEqual } from 'node:crypto';

/** `gw_` + 40 hex characters (160 random bits), as contract section 7 fixes. */
const KEY_FORMAT = /^gw_[0-9a-f]{40}$/;

export function generateApiKey(): string {
  return `gw_${randomBytes(20).toString('hex')}`;
}

export function generateKeyId(): string {
  return `key_${randomBytes(8).toString('hex')}`;
}

/**
 * SHA-256 hex: the only form in which a key is stored or looked up. One-shot `hash` runs on every
 * authenticated call and costs a fraction of building a `Hash` object.
 */
export function hashApiKey(plaintext: string): string {
  return hash('sha256', plaintext, 'hex');
}

/** What people see of a key once it is created: enough to tell keys apart, useless to an attacker. */
export function displayPrefix(plaintext: string): string {
  return plaintext.slice(0, 7);
}

export function isWellFormedKey(plaintext: string): boolean {
  return KEY_FORMAT.test(plaintext);
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && timingSafeEqual(left, right);
}
