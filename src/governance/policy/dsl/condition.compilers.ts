/**
 * A rule's `conditions` mapping, compiled into predicates (AND). Cheap conditions are placed first
 * so a non-matching rule usually stops at a number comparison.
 */
import type { ProviderCatalog } from '../policy.types.js';
import {
  checkKeys,
  type DslScope,
  readSoleKey,
  isMapping,
  readMapping,
  readNumber,
  readStringList,
} from './dsl.reader.js';
import { quote } from './key-hints.js';
import {
  compileDataResidency,
  compileModel,
  compileProvider,
  compileTools,
  type Predicate,
} from './list.conditions.js';
import { compileTimeOfDay } from './time-window.js';
import { PII_TYPES } from '../../pii/pii.types.js';

/** Condition keys, cheapest first: the order predicates run in. */
export const CONDITION_KEYS = [
  'max_tokens',
  'budget_utilization',
  'pii',
  'tenant_tags',
  'provider',
  'data_residency',
  'model',
  'tools',
  'time_of_day',
] as const;
type ConditionKey = (typeof CONDITION_KEYS)[number];

const CONDITION_ALIASES: Readonly<Record<string, string>> = {
  models: 'model',
  modelname: 'model',
  tool: 'tools',
  toolnames: 'tools',
  functions: 'tools',
  providers: 'provider',
  target: 'provider',
  tenanttag: 'tenant_tags',
  tags: 'tenant_tags',
  tag: 'tenant_tags',
  labels: 'tenant_tags',
  residency: 'data_residency',
  region: 'data_residency',
  datalocality: 'data_residency',
  time: 'time_of_day',
  timewindow: 'time_of_day',
  schedule: 'time_of_day',
  hours: 'time_of_day',
  timeofday: 'time_of_day',
  budget: 'budget_utilization',
  budgetpct: 'budget_utilization',
  spend: 'budget_utilization',
  maxcompletiontokens: 'max_tokens',
  tokens: 'max_tokens',
  maxtoken: 'max_tokens',
  piitypes: 'pii',
  piidetected: 'pii',
  piientities: 'pii',
};

const SCOPE_EXPLANATION =
  'the tenant (DVARA: workspace) is a field of the policy entry, not a condition: set `tenant` beside `id` and `dsl` to make the whole policy apply to one tenant, or match tenants by tag with the `tenant_tags` condition';
const CONDITION_SPECIAL: Readonly<Record<string, string>> = {
  workspace: SCOPE_EXPLANATION,
  workspace_id: SCOPE_EXPLANATION,
  tenant: SCOPE_EXPLANATION,
  tenant_id: SCOPE_EXPLANATION,
  status: 'SHADOW, ACTIVE and DRAFT are the status of the policy entry, not a condition',
  action: '`action` belongs to the rule, beside `conditions`, not inside it',
  route_to: '`route_to` belongs to the rule, beside `conditions`, not inside it',
};

function compileMaxTokens(scope: DslScope, path: string, value: unknown): Predicate {
  const raw = readSoleKey(scope, path, value, 'limit', 'N', {
    max: 'limit',
    value: 'limit',
    gt: 'limit',
    above: 'limit',
  });
  const limit = readNumber(scope, `${path}.limit`, raw, {
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
    integer: true,
  });
  return (facts) => facts.maxTokens !== undefined && facts.maxTokens > limit;
}

function compileBudget(scope: DslScope, path: string, value: unknown): Predicate {
  const raw = readSoleKey(scope, path, value, 'above_pct', 'N', {
    above: 'above_pct',
    abovepercent: 'above_pct',
    pct: 'above_pct',
    percent: 'above_pct',
    threshold: 'above_pct',
  });
  const above = readNumber(scope, `${path}.above_pct`, raw, { min: 0, max: 1000, integer: false });
  return (facts) => facts.budgetUtilizationPct > above;
}

function compilePii(scope: DslScope, path: string, value: unknown): Predicate {
  const raw = readSoleKey(scope, path, value, 'detected', '[TYPES]', {
    types: 'detected',
    any: 'detected',
    entities: 'detected',
    detect: 'detected',
  });
  const at = `${path}.detected`;
  const types = readStringList(scope, at, raw, 'PII types', 64).map((name, index) => {
    const upper = name.toUpperCase();
    if (!(PII_TYPES as readonly string[]).includes(upper)) {
      throw scope.error(
        at,
        `${at}[${index}] ${quote(name)} is not a PII type; valid types: ${PII_TYPES.join(', ')}`,
      );
    }
    return upper;
  });
  const wanted = [...new Set(types)];
  return (facts) => {
    if (facts.piiTypes.size === 0) return false;
    for (const type of wanted) if (facts.piiTypes.has(type)) return true;
    return false;
  };
}

function compileTenantTags(scope: DslScope, path: string, value: unknown): Predicate {
  const spec = readMapping(scope, path, value, 'a mapping of tag names to values');
  const entries = Object.entries(spec).map(([tag, tagValue]): readonly [string, string] => {
    if (
      typeof tagValue !== 'string' &&
      typeof tagValue !== 'number' &&
      typeof tagValue !== 'boolean'
    ) {
      throw scope.error(
        `${path}.${tag}`,
        `${path}.${tag} must be a tag value (a string, number or boolean), got ${isMapping(tagValue) ? 'a mapping' : quote(tagValue)}`,
      );
    }
    return [tag, String(tagValue)];
  });
  if (entries.length === 0) {
    throw scope.error(path, `${path} must name at least one tag, e.g. {team: search}`);
  }
  return (facts) => {
    const tags = facts.tenantTags;
    for (const [tag, expected] of entries) {
      if (!Object.hasOwn(tags, tag) || tags[tag] !== expected) return false;
    }
    return true;
  };
}

/** A rule's conditions, compiled. */
export interface CompiledConditions {
  readonly predicates: readonly Predicate[];
  /** Whether a condition reads the target (`provider`, `data_residency`). */
  readonly concernsTarget: boolean;
  /** Whether `data_residency` is among them. */
  readonly residency: boolean;
}

function compileOne(
  key: ConditionKey,
  scope: DslScope,
  path: string,
  value: unknown,
  catalog: ProviderCatalog,
): Predicate {
  switch (key) {
    case 'max_tokens':
      return compileMaxTokens(scope, path, value);
    case 'budget_utilization':
      return compileBudget(scope, path, value);
    case 'pii':
      return compilePii(scope, path, value);
    case 'tenant_tags':
      return compileTenantTags(scope, path, value);
    case 'provider':
      return compileProvider(scope, path, value, catalog);
    case 'data_residency':
      return compileDataResidency(scope, path, value, catalog);
    case 'model':
      return compileModel(scope, path, value);
    case 'tools':
      return compileTools(scope, path, value);
    case 'time_of_day': {
      const inWindow = compileTimeOfDay(scope, path, value);
      return (facts) => inWindow(facts.now);
    }
  }
}

/** Compiles the `conditions` of a rule; refuses a missing or empty one. */
export function compileConditions(
  scope: DslScope,
  value: unknown,
  catalog: ProviderCatalog,
): CompiledConditions {
  const path = 'conditions';
  if (
    value === undefined ||
    value === null ||
    (isMapping(value) && Object.keys(value).length === 0)
  ) {
    throw scope.error(
      path,
      `${path} is missing or empty; a rule with no conditions would match every call (name at least one of: ${CONDITION_KEYS.join(', ')})`,
    );
  }
  const spec = readMapping(
    scope,
    path,
    value,
    `a mapping of conditions (${CONDITION_KEYS.join(', ')})`,
  );
  checkKeys(scope, path, spec, CONDITION_KEYS, CONDITION_ALIASES, CONDITION_SPECIAL);
  const predicates: Predicate[] = [];
  for (const key of CONDITION_KEYS) {
    if (!Object.hasOwn(spec, key)) continue;
    predicates.push(compileOne(key, scope, `${path}.${key}`, spec[key], catalog));
  }
  return {
    predicates,
    concernsTarget: Object.hasOwn(spec, 'provider') || Object.hasOwn(spec, 'data_residency'),
    residency: Object.hasOwn(spec, 'data_residency'),
  };
}
