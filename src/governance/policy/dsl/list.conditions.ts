/**
 * The list conditions of the DSL: `model` and `tools` (globs), `provider` and `data_residency`
 * (provider ids). An `allowlist` matches when the value is NOT listed, a `denylist` when it is;
 * with both, the condition matches when either does.
 */
import type { CallFacts, ProviderCatalog, TargetFacts } from '../policy.types.js';
import {
  checkKeys,
  type DslMapping,
  type DslScope,
  field,
  readMapping,
  readString,
  readStringList,
} from './dsl.reader.js';
import { compileGlobList, type GlobList, MAX_GLOB_LENGTH } from './glob.matcher.js';
import { quote } from './key-hints.js';

/** One compiled condition: every condition of a rule must hold for the rule to match. */
export type Predicate = (facts: CallFacts, target: TargetFacts | undefined) => boolean;

const LIST_KEYS = ['allowlist', 'denylist'] as const;
const LIST_ALIASES: Readonly<Record<string, string>> = {
  allow: 'allowlist',
  allowed: 'allowlist',
  whitelist: 'allowlist',
  only: 'allowlist',
  include: 'allowlist',
  deny: 'denylist',
  denied: 'denylist',
  blocklist: 'denylist',
  blacklist: 'denylist',
  block: 'denylist',
  exclude: 'denylist',
};
const PROVIDER_ID_MAX_LENGTH = 64;

interface AllowDeny<T> {
  readonly allow?: T;
  readonly deny?: T;
}

function readAllowDeny<T>(
  scope: DslScope,
  path: string,
  value: unknown,
  read: (path: string, list: unknown) => T,
): AllowDeny<T> {
  const spec = readMapping(scope, path, value, 'a mapping with `allowlist` and/or `denylist`');
  checkKeys(scope, path, spec, LIST_KEYS, LIST_ALIASES);
  const allow = field(spec, 'allowlist');
  const deny = field(spec, 'denylist');
  if (allow === undefined && deny === undefined) {
    throw scope.error(path, `${path} must have an \`allowlist\` or a \`denylist\` (or both)`);
  }
  return {
    allow: allow === undefined ? undefined : read(`${path}.allowlist`, allow),
    deny: deny === undefined ? undefined : read(`${path}.denylist`, deny),
  };
}

function readGlobs(scope: DslScope, path: string, list: unknown, what: string): GlobList {
  return compileGlobList(readStringList(scope, path, list, what, MAX_GLOB_LENGTH));
}

/** Provider ids, each one the installation knows; stored lower case like every provider id. */
export function readProviderIds(
  scope: DslScope,
  path: string,
  list: unknown,
  catalog: ProviderCatalog,
): ReadonlySet<string> {
  const ids = readStringList(scope, path, list, 'provider ids', PROVIDER_ID_MAX_LENGTH);
  return new Set(
    ids.map((id, index) => {
      const lower = id.toLowerCase();
      if (!catalog.known.has(lower)) {
        throw scope.error(
          path,
          `${path}[${index}] ${quote(id)} is not a known provider; known providers: ${[...catalog.known].sort().join(', ')}`,
        );
      }
      return lower;
    }),
  );
}

function globTest({ allow, deny }: AllowDeny<GlobList>): (value: string) => boolean {
  if (allow !== undefined && deny !== undefined) {
    return (value) => !allow.has(value) || deny.has(value);
  }
  if (allow !== undefined) return (value) => !allow.has(value);
  return (value) => deny!.has(value);
}

export function compileModel(scope: DslScope, path: string, value: unknown): Predicate {
  const test = globTest(
    readAllowDeny(scope, path, value, (at, list) => readGlobs(scope, at, list, 'model globs')),
  );
  // A route mapping may rename the model: the name the target would receive is checked too.
  return (facts, target) =>
    test(facts.model) ||
    (target !== undefined && target.model !== facts.model && test(target.model));
}

export function compileTools(scope: DslScope, path: string, value: unknown): Predicate {
  const test = globTest(
    readAllowDeny(scope, path, value, (at, list) => readGlobs(scope, at, list, 'tool name globs')),
  );
  return (facts) => {
    for (const name of facts.toolNames) if (test(name)) return true;
    return false;
  };
}

export function compileProvider(
  scope: DslScope,
  path: string,
  value: unknown,
  catalog: ProviderCatalog,
): Predicate {
  const { allow, deny } = readAllowDeny(scope, path, value, (at, list) =>
    readProviderIds(scope, at, list, catalog),
  );
  if (allow !== undefined && deny !== undefined) {
    return (_facts, target) =>
      target !== undefined && (!allow.has(target.provider) || deny.has(target.provider));
  }
  if (allow !== undefined)
    return (_facts, target) => target !== undefined && !allow.has(target.provider);
  return (_facts, target) => target !== undefined && deny!.has(target.provider);
}

const RESIDENCY_KEYS = ['tenant_region', 'allowed_providers'] as const;
const RESIDENCY_ALIASES: Readonly<Record<string, string>> = {
  region: 'tenant_region',
  regions: 'tenant_region',
  providers: 'allowed_providers',
  allowlist: 'allowed_providers',
  allowed: 'allowed_providers',
  allowedprovider: 'allowed_providers',
};

export function compileDataResidency(
  scope: DslScope,
  path: string,
  value: unknown,
  catalog: ProviderCatalog,
): Predicate {
  const spec: DslMapping = readMapping(
    scope,
    path,
    value,
    'a mapping with `tenant_region` and `allowed_providers`',
  );
  checkKeys(scope, path, spec, RESIDENCY_KEYS, RESIDENCY_ALIASES);
  const regionValue = field(spec, 'tenant_region');
  const providersValue = field(spec, 'allowed_providers');
  if (regionValue === undefined || providersValue === undefined) {
    const missing = regionValue === undefined ? 'tenant_region' : 'allowed_providers';
    throw scope.error(
      `${path}.${missing}`,
      `${path} needs both \`tenant_region\` and \`allowed_providers\`; ${missing} is missing`,
    );
  }
  const region = readString(
    scope,
    `${path}.tenant_region`,
    regionValue,
    'a region name (e.g. eu)',
    64,
  ).toLowerCase();
  const allowed = readProviderIds(scope, `${path}.allowed_providers`, providersValue, catalog);
  return (facts, target) =>
    target !== undefined &&
    facts.tenantRegion !== null &&
    facts.tenantRegion.toLowerCase() === region &&
    !allowed.has(target.provider);
}
