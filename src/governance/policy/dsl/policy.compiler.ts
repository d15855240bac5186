/**
 * Compiles a policy's DSL (contract 10, DVARA's format) into rules whose conditions are closures:
 * every refusal is a `PolicyCompileError` naming the rule and key, with a hint for the usual
 * mistakes, and nothing is read again when a call is evaluated.
 */
import { type CST, Parser, parseDocument } from 'yaml';
import {
  type CompiledPolicy,
  type CompiledRule,
  POLICY_ACTIONS,
  type PolicyAction,
  PolicyCompileError,
  type PolicyEntry,
  type ProviderCatalog,
  type RouteTo,
} from '../policy.types.js';
import { compileConditions } from './condition.compilers.js';
import {
  checkKeys,
  describeValue,
  DslScope,
  field,
  readMapping,
  readNumber,
  readString,
} from './dsl.reader.js';
import { hintFor, quote } from './key-hints.js';
import { MAX_DSL_DEPTH, MAX_DSL_LENGTH, POLICY_ID_PATTERN } from './policy-entry.parser.js';

/** The most rules one policy may hold. */
export const MAX_RULES = 1000;
/** YAML aliases expand: a handful is plenty for a policy, and a bound stops "billion laughs". */
const MAX_ALIASES = 50;
const MAX_MESSAGE_LENGTH = 1000;
const MAX_MODEL_LENGTH = 256;
const DEFAULT_PRIORITY = 100;

const DOCUMENT_KEYS = ['version', 'description', 'rules'] as const;
const DOCUMENT_ALIASES: Readonly<Record<string, string>> = {
  rule: 'rules',
  policies: 'rules',
  policy: 'rules',
  statements: 'rules',
};

const RULE_KEYS = [
  'id',
  'description',
  'priority',
  'conditions',
  'action',
  'route_to',
  'deny_message',
  'warn_message',
] as const;
const RULE_ALIASES: Readonly<Record<string, string>> = {
  condition: 'conditions',
  when: 'conditions',
  match: 'conditions',
  matches: 'conditions',
  if: 'conditions',
  route: 'route_to',
  routeto: 'route_to',
  target: 'route_to',
  redirect: 'route_to',
  effect: 'action',
  decision: 'action',
  then: 'action',
  message: 'deny_message',
  reason: 'deny_message',
  denymessage: 'deny_message',
  warning: 'warn_message',
  warnmessage: 'warn_message',
  warningmessage: 'warn_message',
  order: 'priority',
  name: 'id',
  ruleid: 'id',
};
const RULE_SPECIAL: Readonly<Record<string, string>> = {
  workspace:
    'the tenant (DVARA: workspace) is a field of the policy entry, not of a rule: set `tenant` beside `id` and `dsl`',
  tenant:
    'the tenant is a field of the policy entry, not of a rule: set `tenant` beside `id` and `dsl`',
  status: 'ACTIVE, SHADOW and DRAFT are the status of the whole policy entry, not of a rule',
  shadow: 'SHADOW is the status of the whole policy entry (`status: SHADOW`), not a rule key',
};

const ACTION_SPECIAL: Readonly<Record<string, string>> = {
  SHADOW:
    'SHADOW is a policy status, not an action: set `status: SHADOW` on the policy entry to evaluate it without enforcing',
  ALLOW: 'there is no ALLOW action: a call that no DENY rule matches is allowed',
  DRAFT: 'DRAFT is a policy status, not an action',
};
const ACTION_ALIASES: Readonly<Record<string, string>> = {
  WARN: 'WARN_AGENT',
  WARNING: 'WARN_AGENT',
  BLOCK: 'DENY',
  REJECT: 'DENY',
  REDIRECT: 'ROUTE',
  REROUTE: 'ROUTE',
};

const ROUTE_KEYS = ['provider', 'model'] as const;

/**
 * Compiles a policy entry into its rules.
 * @throws PolicyCompileError with `param` `<rule id>.<key path>` (or `dsl` for the document)
 */
export function compilePolicy(entry: PolicyEntry, catalog: ProviderCatalog): CompiledPolicy {
  const document = parseDsl(entry.dsl);
  const scope = new DslScope('dsl', `Policy ${quote(entry.id)}`);
  const top = readMapping(scope, '', document, 'a mapping with `rules`');
  checkKeys(scope, '', top, DOCUMENT_KEYS, DOCUMENT_ALIASES);
  const version = field(top, 'version');
  const supported =
    (typeof version === 'string' || typeof version === 'number') &&
    ['1', '1.0'].includes(String(version));
  if (version !== undefined && !supported) {
    throw scope.error(
      'version',
      `version ${quote(version)} is not supported; the DSL version is "1"`,
    );
  }
  const rules = field(top, 'rules');
  if (!Array.isArray(rules) || rules.length === 0) {
    throw scope.error(
      'rules',
      `rules must be a non-empty list of rules, got ${Array.isArray(rules) ? 'an empty list' : describeValue(rules)}`,
    );
  }
  if (rules.length > MAX_RULES) {
    throw scope.error('rules', `rules has ${rules.length} entries; the limit is ${MAX_RULES}`);
  }
  const seen = new Set<string>();
  const compiled = rules.map((rule: unknown, index) => {
    const result = compileRule(entry, rule, index, catalog);
    if (seen.has(result.ruleId)) {
      throw new DslScope(result.ruleId, `Rule ${quote(result.ruleId)}`).error(
        'id',
        `another rule of this policy has the id ${quote(result.ruleId)}; rule ids must be unique within a policy`,
      );
    }
    seen.add(result.ruleId);
    return result;
  });
  return { entry, rules: compiled };
}

function parseDsl(text: string): unknown {
  if (text.length > MAX_DSL_LENGTH) {
    throw new PolicyCompileError(
      'dsl',
      `The policy DSL is ${text.length} characters long; the limit is ${MAX_DSL_LENGTH}.`,
    );
  }
  // `yaml` composes documents recursively: a few hundred levels of nesting overflow the stack,
  // and on Node 20 a regular expression compiled at that depth aborts the whole process. Its
  // parser is iterative, so the depth is measured on the syntax tree before anything is composed.
  if (nestsDeeperThan(text, MAX_DSL_DEPTH)) {
    throw new PolicyCompileError(
      'dsl',
      `The policy DSL nests deeper than ${MAX_DSL_DEPTH} levels; a policy needs fewer than 10.`,
    );
  }
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: true, merge: false });
  const problem = document.errors[0];
  if (problem !== undefined) {
    const firstLine = problem.message.split('\n')[0].replace(/:\s*$/, '');
    throw new PolicyCompileError('dsl', `The policy DSL is not valid YAML: ${firstLine}`);
  }
  try {
    return document.toJS({ maxAliasCount: MAX_ALIASES });
  } catch (error) {
    throw new PolicyCompileError(
      'dsl',
      `The policy DSL could not be read: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
    );
  }
}

/** Whether collections nest deeper than `limit` in the YAML text, read without recursion. */
function nestsDeeperThan(text: string, limit: number): boolean {
  const pending: { token: CST.Token | null | undefined; depth: number }[] = [];
  for (const root of new Parser().parse(text)) {
    pending.push({ token: root, depth: 0 });
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      const { token, depth } = next;
      if (token === null || token === undefined) continue;
      if (token.type === 'document') {
        pending.push({ token: token.value, depth });
      } else if (
        token.type === 'block-map' ||
        token.type === 'block-seq' ||
        token.type === 'flow-collection'
      ) {
        if (depth > limit) return true;
        for (const item of token.items) {
          pending.push(
            { token: item.key, depth: depth + 1 },
            { token: item.value, depth: depth + 1 },
          );
        }
      }
    }
  }
  return false;
}

function compileRule(
  entry: PolicyEntry,
  raw: unknown,
  index: number,
  catalog: ProviderCatalog,
): CompiledRule {
  const anonymous = new DslScope(`rules[${index}]`, `Rule ${index + 1}`);
  const rule = readMapping(anonymous, '', raw, 'a mapping with `id`, `conditions` and `action`');
  const id = field(rule, 'id');
  if (typeof id !== 'string' || !POLICY_ID_PATTERN.test(id)) {
    throw anonymous.error(
      'id',
      `every rule needs an \`id\` of 1 to 128 letters, digits and . _ : - (starting with a letter or digit), got ${describeValue(id)}`,
    );
  }
  const scope = new DslScope(id, `Rule ${quote(id)}`);
  checkKeys(scope, '', rule, RULE_KEYS, RULE_ALIASES, RULE_SPECIAL);
  const priorityValue = field(rule, 'priority');
  const priority =
    priorityValue === undefined
      ? DEFAULT_PRIORITY
      : readNumber(scope, 'priority', priorityValue, {
          min: -1_000_000,
          max: 1_000_000,
          integer: true,
        });
  const action = readAction(scope, field(rule, 'action'));
  const routeToValue = field(rule, 'route_to');
  if (action === 'ROUTE' && routeToValue === undefined) {
    throw scope.error(
      'route_to',
      'action ROUTE needs `route_to: {provider: <id>, model: <optional>}`',
    );
  }
  if (action !== 'ROUTE' && routeToValue !== undefined) {
    throw scope.error(
      'route_to',
      `\`route_to\` is used only by action ROUTE, and this rule's action is ${action}`,
    );
  }
  const routeTo =
    routeToValue === undefined ? undefined : readRouteTo(scope, routeToValue, catalog);
  const conditions = compileConditions(scope, field(rule, 'conditions'), catalog);
  for (const key of ['description', 'deny_message', 'warn_message'] as const) {
    const value = field(rule, key);
    if (value !== undefined) readString(scope, key, value, 'text', MAX_MESSAGE_LENGTH);
  }
  const predicates = conditions.predicates;
  const count = predicates.length;
  return {
    policyId: entry.id,
    tenant: entry.tenant,
    status: entry.status,
    ruleId: id,
    ruleIndex: index,
    priority,
    action,
    routeTo,
    denyMessage: field(rule, 'deny_message') as string | undefined,
    warnMessage: field(rule, 'warn_message') as string | undefined,
    residency: conditions.residency,
    concernsTarget: conditions.concernsTarget,
    matches(facts, target) {
      for (let i = 0; i < count; i++) if (!predicates[i](facts, target)) return false;
      return true;
    },
  };
}

function readAction(scope: DslScope, value: unknown): PolicyAction {
  if (value === undefined || value === null) return 'DENY';
  if (typeof value !== 'string') {
    throw scope.error(
      'action',
      `action must be one of ${POLICY_ACTIONS.join(', ')}, got ${describeValue(value)}`,
    );
  }
  const normalized = value.trim().toUpperCase().replace(/-/g, '_');
  if ((POLICY_ACTIONS as readonly string[]).includes(normalized)) return normalized as PolicyAction;
  const special = Object.hasOwn(ACTION_SPECIAL, normalized)
    ? ACTION_SPECIAL[normalized]
    : undefined;
  throw scope.error(
    'action',
    `unknown action ${quote(value)}${special ? `: ${special}` : hintFor(normalized, POLICY_ACTIONS, ACTION_ALIASES)}`,
  );
}

function readRouteTo(scope: DslScope, value: unknown, catalog: ProviderCatalog): RouteTo {
  const spec = readMapping(
    scope,
    'route_to',
    value,
    'a mapping `{provider: <id>, model: <optional>}`',
  );
  checkKeys(scope, 'route_to', spec, ROUTE_KEYS, {
    providers: 'provider',
    target: 'provider',
    models: 'model',
  });
  const providerValue = field(spec, 'provider');
  if (providerValue === undefined) {
    throw scope.error('route_to.provider', 'route_to needs a `provider`');
  }
  const provider = readString(
    scope,
    'route_to.provider',
    providerValue,
    'a provider id',
    64,
  ).toLowerCase();
  if (!catalog.known.has(provider)) {
    throw scope.error(
      'route_to.provider',
      `route_to.provider ${quote(providerValue)} is not a known provider; known providers: ${[...catalog.known].sort().join(', ')}`,
    );
  }
  if (!catalog.active.has(provider)) {
    throw scope.error(
      'route_to.provider',
      `route_to.provider ${quote(provider)} is not activated in this installation, so calls cannot be routed to it (activated: ${[...catalog.active].sort().join(', ') || 'none'})`,
    );
  }
  const modelValue = field(spec, 'model');
  const model =
    modelValue === undefined || modelValue === null
      ? undefined
      : readString(scope, 'route_to.model', modelValue, 'a model name', MAX_MODEL_LENGTH);
  return model === undefined ? { provider } : { provider, model };
}
