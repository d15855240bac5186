/**
 * A policy entry as written in configuration, the bootstrap file or an admin-API body: DVARA's
 * `{id, workspace|tenant, status, dsl}`. Its own fields are checked like its DSL (contract 10):
 * an unknown field is refused with a hint, never ignored.
 */
import { stringify } from 'yaml';
import { TENANT_ID_PATTERN } from '../../../storage/tenant-id.js';
import {
  POLICY_STATUSES,
  PolicyCompileError,
  type PolicyEntry,
  type PolicyStatus,
} from '../policy.types.js';
import { describeValue, isMapping } from './dsl.reader.js';
import { hintFor, quote } from './key-hints.js';

/** Policy ids: what a URL path segment and a log line can carry as they are. */
export const POLICY_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The largest DSL text accepted, in characters: far above any real policy, far below harm. */
export const MAX_DSL_LENGTH = 256 * 1024;
/** The deepest nesting of collections a DSL may have: a policy needs about 7. */
export const MAX_DSL_DEPTH = 32;

const ENTRY_FIELDS = ['id', 'tenant', 'workspace', 'status', 'dsl'] as const;
const ENTRY_ALIASES: Readonly<Record<string, string>> = {
  name: 'id',
  policyid: 'id',
  tenantid: 'tenant',
  workspaceid: 'workspace',
  rules: 'dsl',
  policy: 'dsl',
  yaml: 'dsl',
  state: 'status',
  mode: 'status',
};

function fail(param: string, message: string): never {
  throw new PolicyCompileError(param, message);
}

/**
 * Reads a policy entry's fields. `status` defaults to ACTIVE; `workspace` is DVARA's name for
 * `tenant`; a `dsl` given as a YAML mapping rather than text is accepted as that mapping's YAML.
 * @throws PolicyCompileError naming the field in `param`
 */
export function parsePolicyEntry(raw: unknown): PolicyEntry {
  if (!isMapping(raw)) {
    fail(
      'policy',
      `A policy must be a mapping of id, tenant, status and dsl, got ${describeValue(raw)}.`,
    );
  }
  for (const key of Object.keys(raw)) {
    if ((ENTRY_FIELDS as readonly string[]).includes(key)) continue;
    fail(key, `Unknown policy field ${quote(key)}${hintFor(key, ENTRY_FIELDS, ENTRY_ALIASES)}`);
  }
  const id = raw.id;
  if (typeof id !== 'string' || !POLICY_ID_PATTERN.test(id)) {
    fail(
      'id',
      `A policy needs an id of 1 to 128 letters, digits and . _ : - (starting with a letter or digit), got ${describeValue(id)}.`,
    );
  }
  return { id, tenant: readTenant(raw), status: readStatus(raw.status), dsl: readDsl(raw.dsl) };
}

function readTenant(raw: Readonly<Record<string, unknown>>): string | null {
  const tenant = raw.tenant ?? null;
  const workspace = raw.workspace ?? null;
  if (tenant !== null && workspace !== null && tenant !== workspace) {
    fail(
      'workspace',
      '`workspace` is another name for `tenant`; give one of them, not two different values.',
    );
  }
  const value = tenant ?? workspace;
  if (value === null) return null;
  const field = tenant !== null ? 'tenant' : 'workspace';
  if (typeof value !== 'string' || !TENANT_ID_PATTERN.test(value)) {
    fail(
      field,
      `${field} must be a tenant id (lowercase letters, digits and dashes, 1 to 63 characters), got ${describeValue(value)}; leave it out for a global policy.`,
    );
  }
  return value;
}

function readStatus(value: unknown): PolicyStatus {
  if (value === undefined || value === null) return 'ACTIVE';
  const upper = typeof value === 'string' ? value.toUpperCase() : undefined;
  if (upper !== undefined && (POLICY_STATUSES as readonly string[]).includes(upper)) {
    return upper as PolicyStatus;
  }
  const word = typeof value === 'string' ? value : '';
  fail(
    'status',
    `status must be one of ${POLICY_STATUSES.join(', ')}, got ${describeValue(value)}${word ? hintFor(word.toUpperCase(), POLICY_STATUSES, { enabled: 'ACTIVE', enforce: 'ACTIVE', dryrun: 'SHADOW', audit: 'SHADOW', disabled: 'DRAFT' }) : ''}`,
  );
}

function readDsl(value: unknown): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else if (isMapping(value)) {
    // `stringify` recurses: a deeply nested body would overflow the stack.
    if (nestsDeeperThan(value, MAX_DSL_DEPTH)) {
      fail('dsl', `dsl nests deeper than ${MAX_DSL_DEPTH} levels; a policy needs fewer than 10.`);
    }
    text = stringify(value);
  } else fail('dsl', `dsl must be the policy's YAML text, got ${describeValue(value)}.`);
  if (text.trim().length === 0) fail('dsl', 'dsl is empty; it must hold the policy rules.');
  // YAML text holds no NUL, and PostgreSQL text columns cannot store one.
  if (text.includes('\u0000'))
    fail('dsl', 'dsl contains a NUL character, which YAML does not allow.');
  if (text.length > MAX_DSL_LENGTH) {
    fail('dsl', `dsl is ${text.length} characters long; the limit is ${MAX_DSL_LENGTH}.`);
  }
  return text;
}

/** Whether objects and arrays nest deeper than `limit` in `value`, checked without recursion. */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: { value: unknown; depth: number }[] = [{ value, depth: 0 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    if (typeof next.value !== 'object' || next.value === null) continue;
    if (next.depth > limit) return true;
    for (const child of Object.values(next.value)) {
      pending.push({ value: child, depth: next.depth + 1 });
    }
  }
  return false;
}
