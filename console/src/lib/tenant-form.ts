/** Client-side checks mirroring the admin API's, so a form says what is wrong before it sends. */
const SLUG = /^[a-z0-9][a-z0-9-]{0,62}$/;
const REGION = /^[a-z0-9][a-z0-9-]{0,31}$/;
const TAG_KEY = /^[A-Za-z0-9_.:/-]{1,64}$/;
const MAX_TAGS = 32;

export interface TenantForm {
  id: string;
  name: string;
  region: string;
  tags: string;
  requestsPerMinute: string;
  tokensPerMinute: string;
}

export interface TenantDraft {
  body: Record<string, unknown>;
  errors: Record<string, string>;
}

/** `team=search, tier=free` (commas or new lines) to a tag map, or the first problem found. */
export function parseTags(text: string): { tags: Record<string, string>; error?: string } {
  const tags: Record<string, string> = {};
  const items = text
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
  for (const item of items) {
    const at = item.indexOf('=');
    if (at <= 0) return { tags, error: `"${item}" is not name=value.` };
    const key = item.slice(0, at).trim();
    const value = item.slice(at + 1).trim();
    if (!TAG_KEY.test(key))
      return { tags, error: `Tag name "${key}" may use letters, digits and _ . : / - only.` };
    if (value.length > 256) return { tags, error: `Tag "${key}" is longer than 256 characters.` };
    tags[key] = value;
  }
  if (Object.keys(tags).length > MAX_TAGS) return { tags, error: `At most ${MAX_TAGS} tags.` };
  return { tags };
}

/** A per-minute limit field: empty is "no limit of its own". */
export function parseLimit(text: string): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (!/^\d+$/.test(trimmed)) return { error: 'A whole number, or empty for the default.' };
  const value = Number(trimmed);
  if (value < 1 || value > 1_000_000_000) return { error: 'Between 1 and 1,000,000,000.' };
  return { value };
}

export function tenantDraft(form: TenantForm): TenantDraft {
  const errors: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  const id = form.id.trim();
  if (id !== '') {
    if (SLUG.test(id)) body.id = id;
    else
      errors.id =
        'Lowercase letters, digits and dashes, starting with a letter or digit (at most 63).';
  }
  const name = form.name.trim();
  if (name === '') errors.name = 'Give the tenant a name.';
  else if (name.length > 200) errors.name = 'At most 200 characters.';
  else body.name = name;
  const region = form.region.trim();
  if (region !== '') {
    if (REGION.test(region)) body.region = region;
    else errors.region = 'Lowercase letters, digits and dashes (at most 32), e.g. eu.';
  }
  const tags = parseTags(form.tags);
  if (tags.error) errors.tags = tags.error;
  else if (Object.keys(tags.tags).length > 0) body.tags = tags.tags;
  const rpm = parseLimit(form.requestsPerMinute);
  const tpm = parseLimit(form.tokensPerMinute);
  if (rpm.error) errors.requestsPerMinute = rpm.error;
  if (tpm.error) errors.tokensPerMinute = tpm.error;
  if (rpm.value !== undefined || tpm.value !== undefined) {
    body.settings = {
      rate_limits: {
        ...(rpm.value !== undefined ? { requests_per_minute: rpm.value } : {}),
        ...(tpm.value !== undefined ? { tokens_per_minute: tpm.value } : {}),
      },
    };
  }
  return { body, errors };
}

export const API_KEY_SCOPES = ['completions:write', 'embeddings:write', 'models:read'] as const;

export interface KeyForm {
  name: string;
  scopes: readonly string[];
  expiresAt: string;
  requestsPerMinute: string;
  tokensPerMinute: string;
}

export function keyDraft(form: KeyForm, now: number = Date.now()): TenantDraft {
  const errors: Record<string, string> = {};
  const body: Record<string, unknown> = {};
  const name = form.name.trim();
  if (name.length > 100) errors.name = 'At most 100 characters.';
  else if (name !== '') body.name = name;
  if (form.scopes.length === 0) errors.scopes = 'Choose at least one scope.';
  else body.scopes = [...form.scopes];
  if (form.expiresAt !== '') {
    const at = Date.parse(form.expiresAt);
    if (Number.isNaN(at)) errors.expiresAt = 'Not a date.';
    else if (at <= now) errors.expiresAt = 'The expiry must be in the future.';
    else body.expires_at = new Date(at).toISOString();
  }
  const rpm = parseLimit(form.requestsPerMinute);
  const tpm = parseLimit(form.tokensPerMinute);
  if (rpm.error) errors.requestsPerMinute = rpm.error;
  if (tpm.error) errors.tokensPerMinute = tpm.error;
  if (rpm.value !== undefined || tpm.value !== undefined) {
    body.rate_limits = {
      ...(rpm.value !== undefined ? { requests_per_minute: rpm.value } : {}),
      ...(tpm.value !== undefined ? { tokens_per_minute: tpm.value } : {}),
    };
  }
  return { body, errors };
}

/** Seconds of grace for a rotation: empty is the configured default. */
export function parseGrace(text: string): { value?: number; error?: string } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  if (!/^\d+$/.test(trimmed)) return { error: 'Whole seconds, or empty for the default.' };
  const value = Number(trimmed);
  if (value > 365 * 24 * 3600) return { error: 'At most one year.' };
  return { value };
}
