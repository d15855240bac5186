import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';
import { type EnvSource, interpolate } from '../../config/config-interpolation.js';
import { isWellFormedKey } from '../../governance/auth/api-key.secret.js';
import { validateInput } from '../admin-input.pipe.js';
import { fromCredentials, fromSettingsDto } from '../admin-view.mapper.js';
import { BootstrapFileDto } from './bootstrap-file.dto.js';
import {
  BootstrapFileError,
  type BootstrapPlan,
  type PlannedKey,
  type PlannedPolicy,
  type PlannedTenant,
} from './bootstrap-plan.types.js';

export { BootstrapFileError };
export type { BootstrapPlan, PlannedKey, PlannedPolicy, PlannedTenant };

/**
 * Reads, interpolates (`${VAR:default}`, as the configuration) and validates the bootstrap file.
 * @throws BootstrapFileError naming the file and the first problem
 */
export function loadBootstrapFile(file: string, env: EnvSource): BootstrapPlan {
  const fail = (problem: string) => new BootstrapFileError(file, problem);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw fail(`cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = yamlError.linePos?.[0]?.line;
    throw fail(
      `invalid YAML${line ? ` at line ${line}` : ''}: ${yamlError.message.split('\n')[0]}`,
    );
  }
  let raw: unknown;
  try {
    // An alias to an anchor defined later (or never) is only found when the tree is built.
    raw = doc.toJS() ?? {};
  } catch (err) {
    throw fail(
      `invalid YAML: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`,
    );
  }
  if (
    typeof raw !== 'object' ||
    raw === null ||
    Array.isArray(raw) ||
    !('tenants' in raw || 'policies' in raw || 'budgets' in raw)
  ) {
    throw fail(
      'the document must be a mapping with a `tenants:`, `policies:` or `budgets:` list, or several',
    );
  }

  let dto: BootstrapFileDto;
  try {
    dto = validateInput(BootstrapFileDto, interpolateTree(raw, env) as object);
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    const unknownField =
      err.code === ErrorCode.UnsupportedCapability || err.message.startsWith('Unknown field');
    throw fail(unknownField ? `unknown field '${err.param}'` : err.message);
  }
  return {
    file,
    tenants: plan(dto, raw as RawFile, fail),
    policies: (dto.policies ?? []).map((entry, p) => ({ entry, path: `policies[${p}]` })),
    budgets: (dto.budgets ?? []).map((b) => ({
      id: b.id,
      tenantId: b.tenant,
      keyId: b.key_id ?? null,
      period: b.period,
      limitUsd: b.limit_usd,
      softLimitPct: b.soft_limit_pct ?? 80,
      enabled: b.enabled ?? true,
      source: 'bootstrap' as const,
    })),
  };
}

interface RawFile {
  tenants?: { keys?: { key?: unknown }[] }[];
}

function plan(
  dto: BootstrapFileDto,
  raw: RawFile,
  fail: (problem: string) => BootstrapFileError,
): PlannedTenant[] {
  const tenantIds = new Set<string>();
  const plaintexts = new Map<string, string>();
  return (dto.tenants ?? []).map((tenant, t) => {
    if (tenantIds.has(tenant.id))
      throw fail(`tenants[${t}].id: tenant '${tenant.id}' is listed twice`);
    tenantIds.add(tenant.id);
    const names = new Set<string>();
    const keys = (tenant.keys ?? []).map((key, k): PlannedKey => {
      const path = `tenants[${t}].keys[${k}]`;
      if (names.has(key.name)) {
        throw fail(`${path}.name: tenant '${tenant.id}' has two keys named '${key.name}'`);
      }
      names.add(key.name);
      if (key.key !== undefined) {
        const source = describeSource(raw.tenants?.[t]?.keys?.[k]?.key);
        if (!isWellFormedKey(key.key)) {
          const empty = key.key === '' ? ' (it is empty: is its environment variable set?)' : '';
          throw fail(`${path}.key${source} must be a gateway key, gw_ + 40 lowercase hex${empty}`);
        }
        const earlier = plaintexts.get(key.key);
        if (earlier) throw fail(`${path}.key${source} is the same key as ${earlier}.key`);
        plaintexts.set(key.key, path);
      }
      return { name: key.name, scopes: key.scopes, plaintext: key.key, path };
    });
    return {
      tenant: {
        id: tenant.id,
        name: tenant.name,
        status: tenant.status,
        region: tenant.region ?? null,
        tags: tenant.tags,
        settings: tenant.settings ? fromSettingsDto(tenant.settings) : undefined,
        credentials: tenant.credentials ? fromCredentials(tenant.credentials) : undefined,
      },
      keys,
    };
  });
}

/** ` (from ${ACME_KEY})` when the raw value names variables: their names, never a value. */
function describeSource(raw: unknown): string {
  if (typeof raw !== 'string') return '';
  const names = [...raw.matchAll(/\$\{\s*([^:}\s]+)/g)].map((match) => `\${${match[1]}}`);
  return names.length > 0 ? ` (from ${names.join(', ')})` : '';
}

function interpolateTree(value: unknown, env: EnvSource): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((item) => interpolateTree(item, env));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateTree(item, env)]),
    );
  }
  return value;
}
