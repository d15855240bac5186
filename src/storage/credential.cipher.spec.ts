import { randomBytes } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';
import { CredentialCipher } from './credential.cipher.js';

const CONTEXT = 'tenant:acme/provider:openai';
const PLAINTEXT = '{"api-key":"sk-test-0123456789"}';

function thrown(work: () => unknown): Error {
  try {
    work();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected a throw');
}

/** Flips one bit of the base64 part at `index` (1 = IV, 2 = tag, 3 = ciphertext). */
function tamper(value: string, index: number): string {
  const parts = value.split(':');
  const bytes = Buffer.from(parts[index], 'base64');
  bytes[0] ^= 0x01;
  parts[index] = bytes.toString('base64');
  return parts.join(':');
}

describe(CredentialCipher.name, () => {
  const key = randomBytes(32);
  const cipher = new CredentialCipher(key);

  it('round-trips a value, with a fresh IV each time', () => {
    const a = cipher.encrypt(PLAINTEXT, CONTEXT);
    const b = cipher.encrypt(PLAINTEXT, CONTEXT);
    expect(a).toMatch(/^v1:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+:[A-Za-z0-9+/=]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('sk-test');
    expect(Buffer.from(a.split(':')[1], 'base64')).toHaveLength(12);
    expect(cipher.decrypt(a, CONTEXT)).toBe(PLAINTEXT);
    expect(cipher.decrypt(b, CONTEXT)).toBe(PLAINTEXT);
    expect(cipher.decrypt(cipher.encrypt('', CONTEXT), CONTEXT)).toBe('');
  });

  it('detects tampering with the IV, the tag or the ciphertext', () => {
    const value = cipher.encrypt(PLAINTEXT, CONTEXT);
    for (const index of [1, 2, 3]) {
      const err = thrown(() => cipher.decrypt(tamper(value, index), CONTEXT));
      expect(err).toBeInstanceOf(GatewayError);
      expect((err as GatewayError).code).toBe(ErrorCode.InternalError);
    }
    for (const broken of ['', 'v1:abc', 'v2' + value.slice(2), value.replace(/:[^:]+$/, '')]) {
      expect((thrown(() => cipher.decrypt(broken, CONTEXT)) as GatewayError).code).toBe(
        ErrorCode.InternalError,
      );
    }
  });

  it('fails under another key or another context, without showing the value', () => {
    const value = cipher.encrypt(PLAINTEXT, CONTEXT);
    const wrongKey = thrown(() => new CredentialCipher(randomBytes(32)).decrypt(value, CONTEXT));
    expect(wrongKey.message).toContain('GATEWAY_ENCRYPTION_KEY');
    expect(wrongKey.message).not.toContain('sk-test');
    expect(thrown(() => cipher.decrypt(value, 'tenant:other/provider:openai'))).toBeInstanceOf(
      GatewayError,
    );
  });

  it('without a key, refuses to encrypt with invalid_request naming GATEWAY_ENCRYPTION_KEY', () => {
    const keyless = CredentialCipher.fromSetting('');
    expect(keyless.configured).toBe(false);
    const err = thrown(() => keyless.encrypt(PLAINTEXT, CONTEXT)) as GatewayError;
    expect(err.code).toBe(ErrorCode.InvalidRequest);
    expect(err.status).toBe(400);
    expect(err.message).toContain('set GATEWAY_ENCRYPTION_KEY');
    const value = cipher.encrypt(PLAINTEXT, CONTEXT);
    expect(thrown(() => keyless.decrypt(value, CONTEXT)).message).toContain(
      'GATEWAY_ENCRYPTION_KEY is not set',
    );
  });

  it('accepts 32-byte keys as hex, base64 and base64url', () => {
    const value = cipher.encrypt(PLAINTEXT, CONTEXT);
    const settings = [
      key.toString('hex'),
      key.toString('hex').toUpperCase(),
      key.toString('base64'),
      key.toString('base64url'),
      ` ${key.toString('hex')}\n`,
    ];
    for (const setting of settings) {
      const parsed = CredentialCipher.fromSetting(setting);
      expect(parsed.configured).toBe(true);
      expect(parsed.decrypt(value, CONTEXT)).toBe(PLAINTEXT);
    }
  });

  it('stops start-up on a malformed key with a message naming GATEWAY_ENCRYPTION_KEY, not the key', () => {
    const malformed = [
      'f00dfeedcafebabe',
      randomBytes(31).toString('hex'),
      randomBytes(33).toString('hex'),
      randomBytes(31).toString('base64'),
      randomBytes(48).toString('base64'),
      'correct horse battery staple correct horse battery',
      `${randomBytes(32).toString('hex').slice(0, 63)}z`,
    ];
    for (const setting of malformed) {
      const err = thrown(() => CredentialCipher.fromSetting(setting));
      expect(err).not.toBeInstanceOf(GatewayError);
      expect(err.message).toContain('GATEWAY_ENCRYPTION_KEY');
      expect(err.message).toContain('is malformed');
      expect(err.message).not.toContain(setting);
    }
    expect(() => new CredentialCipher(randomBytes(16))).toThrow('32 bytes');
  });
});
