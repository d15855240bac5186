import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { ErrorCode } from '../common/errors/error-code.js';
import { GatewayError } from '../common/errors/gateway-error.js';

const ALGORITHM = 'aes-256-gcm';
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Format marker, so a later key-rotation scheme can tell its values from these. */
const VERSION = 'v1';

/**
 * Encrypts tenant provider credentials at rest: AES-256-GCM, a fresh random 12-byte IV per value,
 * and a context (tenant and provider) bound as additional authenticated data, so a value copied
 * to another tenant or provider fails to decrypt. Values are `v1:<iv>:<tag>:<ciphertext>` (base64).
 *
 * The key comes from `GATEWAY_ENCRYPTION_KEY`; without one the gateway runs, but tenants cannot
 * hold credentials.
 */
export class CredentialCipher {
  private readonly key: Buffer | undefined;

  constructor(key: Buffer | undefined) {
    if (key !== undefined && key.length !== KEY_BYTES) {
      throw new Error(`The credential encryption key must be ${KEY_BYTES} bytes.`);
    }
    this.key = key;
  }

  /**
   * Builds the cipher from the configured setting: '' (no key), 64 hex characters, or base64
   * (standard or URL-safe) of 32 bytes.
   * @throws Error naming GATEWAY_ENCRYPTION_KEY, never showing its value, when it is malformed.
   */
  static fromSetting(setting: string): CredentialCipher {
    return new CredentialCipher(parseKey(setting.trim()));
  }

  get configured(): boolean {
    return this.key !== undefined;
  }

  /**
   * @throws GatewayError `invalid_request` asking to set GATEWAY_ENCRYPTION_KEY when there is no key.
   */
  encrypt(plaintext: string, context: string): string {
    const key = this.requireKey();
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(ALGORITHM, key, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return [VERSION, ...[iv, tag, ciphertext].map((part) => part.toString('base64'))].join(':');
  }

  /**
   * @throws GatewayError `internal_error` when there is no key, or the value was altered, written
   * for another context, or encrypted under another key. The message never carries the value.
   */
  decrypt(value: string, context: string): string {
    if (this.key === undefined) {
      throw new GatewayError(
        ErrorCode.InternalError,
        'Stored tenant credentials are encrypted, but GATEWAY_ENCRYPTION_KEY is not set: set it to the key they were written with.',
      );
    }
    const parts = value.split(':');
    if (parts.length !== 4 || parts[0] !== VERSION) throw undecryptable(context);
    const [iv, tag, ciphertext] = parts.slice(1).map((part) => Buffer.from(part, 'base64'));
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw undecryptable(context);
    try {
      const decipher = createDecipheriv(ALGORITHM, this.key, iv, { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(context, 'utf8'));
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(ciphertext), decipher.final()]).toString('utf8');
    } catch (err) {
      throw undecryptable(context, err);
    }
  }

  private requireKey(): Buffer {
    if (this.key !== undefined) return this.key;
    throw new GatewayError(
      ErrorCode.InvalidRequest,
      'Tenant credentials are encrypted at rest and no key is configured: set GATEWAY_ENCRYPTION_KEY (32 bytes, e.g. `openssl rand -hex 32`) to store them.',
      { param: 'credentials' },
    );
  }
}

function parseKey(setting: string): Buffer | undefined {
  if (setting === '') return undefined;
  if (/^[0-9a-fA-F]{64}$/.test(setting)) return Buffer.from(setting, 'hex');
  if (/^[A-Za-z0-9+/]{43}=?$/.test(setting) || /^[A-Za-z0-9_-]{43}=?$/.test(setting)) {
    const key = Buffer.from(
      setting,
      setting.includes('-') || setting.includes('_') ? 'base64url' : 'base64',
    );
    if (key.length === KEY_BYTES) return key;
  }
  throw new Error(
    `GATEWAY_ENCRYPTION_KEY (gateway.security.encryption-key) is malformed: it must be ${KEY_BYTES} bytes ` +
      `written as 64 hex characters or as base64 (e.g. \`openssl rand -hex 32\`); the given value has ` +
      `${setting.length} characters.`,
  );
}

function undecryptable(context: string, cause?: unknown): GatewayError {
  return new GatewayError(
    ErrorCode.InternalError,
    `Stored credentials (${context}) cannot be decrypted: GATEWAY_ENCRYPTION_KEY differs from the key they were written with, or the stored value was altered.`,
    { cause },
  );
}
