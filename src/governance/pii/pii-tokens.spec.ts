import { describe, expect, it } from '@jest/globals';
import { TOKEN_PATTERN, TokenVault } from './pii-tokens.js';

describe(TokenVault.name, () => {
  it('issues one token per distinct value, in the contract shape, and restores only its own', () => {
    const vault = new TokenVault();
    const a = vault.tokenFor('EMAIL', 'a@example.com');
    const b = vault.tokenFor('EMAIL', 'b@example.com');
    expect(a).toMatch(/^\{\{PII_EMAIL_[0-9a-f]{8}\}\}$/);
    expect(vault.tokenFor('EMAIL', 'a@example.com')).toBe(a);
    expect(b).not.toBe(a);
    expect(vault.size).toBe(2);
    expect(vault.valueOf(a)).toBe('a@example.com');
    expect(vault.valueOf('{{PII_EMAIL_00000000}}')).toBeUndefined();
    expect(`${a} ${b}`.match(TOKEN_PATTERN)).toEqual([a, b]);
  });

  it('gives two calls different tokens for the same value', () => {
    const one = new TokenVault().tokenFor('SSN', '123-45-6789');
    const two = new TokenVault().tokenFor('SSN', '123-45-6789');
    expect(one).not.toBe(two);
  });
});
