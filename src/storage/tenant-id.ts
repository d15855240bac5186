import { randomBytes } from 'node:crypto';

/** Tenant ids: lowercase, digits and dashes, 1 to 63 characters, starting with a letter or digit. */
export const TENANT_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

const SUFFIX_BYTES = 4;
const MAX_SLUG = 63 - 1 - SUFFIX_BYTES * 2;

/**
 * A new tenant id from its name: a slug of the name plus a random suffix (`acme-corp-3f9a1c0b`),
 * or `t-` plus the suffix when the name has no usable characters.
 */
export function generateTenantId(name: string): string {
  const suffix = randomBytes(SUFFIX_BYTES).toString('hex');
  const slug = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .slice(0, MAX_SLUG)
    .replace(/^-+|-+$/g, '');
  return `${slug || 't'}-${suffix}`;
}
