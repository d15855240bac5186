import { randomBytes } from 'node:crypto';
import type { PiiType } from './pii.types.js';

/** A token as TOKENIZE writes it: `{{PII_<TYPE>_<8 hex>}}`. */
export const TOKEN_PATTERN = /\{\{PII_[A-Z_]{2,40}_[0-9a-f]{8}\}\}/g;

/**
 * One call's tokens (contract 9.2 TOKENIZE): each distinct value gets one token, the same value the
 * same token. The mapping lives in this object, which lives in the call's context: it is never
 * stored or logged, and it is gone when the call is.
 */
export class TokenVault {
  private readonly tokens = new Map<string, string>();
  private readonly values = new Map<string, string>();

  get size(): number {
    return this.values.size;
  }

  /** The token standing for `value` in this call (issued on first use). */
  tokenFor(type: PiiType, value: string): string {
    const known = this.tokens.get(value);
    if (known !== undefined) return known;
    let token: string;
    do token = `{{PII_${type}_${randomBytes(4).toString('hex')}}}`;
    while (this.values.has(token));
    this.tokens.set(value, token);
    this.values.set(token, value);
    return token;
  }

  /** The value behind a token this call issued; undefined for any other token-shaped text. */
  valueOf(token: string): string | undefined {
    return this.values.get(token);
  }
}
