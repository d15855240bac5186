import type { redactOptions } from 'pino';

/** What a redacted value reads as in a log line. */
export const REDACTED = '[REDACTED]';

/**
 * Field names whose values are secrets: credentials callers send (headers), the admin and
 * metrics tokens, provider keys and cloud credentials, the audit and encryption secrets, and a
 * newly issued API key's plaintext.
 */
const SECRET_FIELDS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'api-key',
  'x-goog-api-key',
  'api_key',
  'apiKey',
  'key',
  'plaintext',
  'token',
  'admin_token',
  'adminToken',
  'bearer_token',
  'bearerToken',
  'password',
  'secret',
  'client_secret',
  'clientSecret',
  'hmac_secret',
  'hmacSecret',
  'encryption_key',
  'encryptionKey',
  'signing_key',
  'signingKey',
  'access_key_id',
  'accessKeyId',
  'secret_access_key',
  'secretAccessKey',
  'session_token',
  'sessionToken',
] as const;

/**
 * Where those fields are looked for: at the top of a line's fields and inside the objects that
 * carry request headers or credentials. Explicit paths, not `*` wildcards: pino's redaction
 * walks every key for a wildcard, which made an access line about twenty times dearer here.
 */
const CONTAINERS = ['', 'headers', 'req.headers', 'request.headers', 'credentials', 'err'];

function pathOf(container: string, field: string): string {
  const segment = /^[A-Za-z_$][\w$]*$/.test(field) ? `.${field}` : `["${field}"]`;
  return container === '' ? segment.replace(/^\./, '') : `${container}${segment}`;
}

/**
 * pino's `redact` option for every gateway logger: secrets are removed as a line is written,
 * whatever a call site passed, rather than by each call site remembering to leave them out.
 */
export const LOG_REDACTION: redactOptions = {
  paths: CONTAINERS.flatMap((container) => SECRET_FIELDS.map((f) => pathOf(container, f))),
  censor: REDACTED,
};
