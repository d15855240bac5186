import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config.errors.js';
import { EnvSource, interpolate } from './config-interpolation.js';
import {
  FREE_FORM_KEYS,
  gatewaySchema,
  NAMED_MAP_KEYS,
  pricingFileSchema,
} from './config.schema.js';
import type { GatewayConfig } from './gateway-config.types.js';

export interface LoadOptions {
  /** Environment to read `${VAR}` placeholders and layering variables from. */
  env: EnvSource;
  /** Folder holding `application.yml` and its profile files; default `GATEWAY_CONFIG_DIR`, else `config/`. */
  configDir?: string;
}

type Tree = Record<string, unknown>;

/** Where each leaf came from: dotted path -> file. Used to name the file in errors. */
type Provenance = Map<string, string>;

const ROOT = 'gateway';
const ALIAS = ['dvara', 'llm-gateway'] as const;

/** The folder shipped with the gateway: `<package>/config`, whether run from src/ or dist/. */
export const DEFAULT_CONFIG_DIR = fileURLToPath(new URL('../../config', import.meta.url));

/**
 * Loads `application.yml`, then `application-<profile>.yml` for each profile in `GATEWAY_PROFILE`,
 * then the files of `SPRING_CONFIG_ADDITIONAL_LOCATION` and `GATEWAY_CONFIG_ADDITIONAL_LOCATION`
 * (later wins), interpolates every layer, and validates the merged result.
 */
export function loadGatewayConfig(options: LoadOptions): GatewayConfig {
  const { env } = options;
  const profiles = splitList(env.GATEWAY_PROFILE);
  const configDir = options.configDir ?? env.GATEWAY_CONFIG_DIR ?? DEFAULT_CONFIG_DIR;
  const files = resolveFiles(configDir, profiles, env);

  const merged: Tree = {};
  const provenance: Provenance = new Map();
  for (const file of files) {
    const layer = readLayer(file, env);
    mergeInto(merged, layer, provenance, file, []);
  }

  const parsed = gatewaySchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error, provenance, files));
  const typed = camelCase(parsed.data, 'camel') as Omit<
    GatewayConfig,
    'profiles' | 'sources' | 'pricingFile'
  >;
  const pricing = loadPricingFile(join(configDir, 'pricing.yml'));
  return {
    ...typed,
    pricingFile: pricing.entries,
    profiles,
    sources: pricing.file === undefined ? files : [...files, pricing.file],
  };
}

/**
 * `pricing.yml` beside `application.yml` (contract 11.1): price entries over the bundled
 * catalogue, under `gateway.pricing[]` (which wins). Optional; checked like the main files.
 */
function loadPricingFile(file: string): { entries: GatewayConfig['pricingFile']; file?: string } {
  if (!existsSync(file)) return { entries: [] };
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read pricing file ${file}: ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(`Invalid YAML in ${file}: ${doc.errors[0].message.split('\n')[0]}`);
  }
  const parsed = pricingFileSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Invalid pricing file ${file}: ${issue.path.map(String).join('.')}: ${issue.message}`,
    );
  }
  return {
    entries: camelCase(parsed.data.pricing, 'camel') as GatewayConfig['pricingFile'],
    file,
  };
}

function resolveFiles(configDir: string, profiles: string[], env: EnvSource): string[] {
  const base = join(configDir, 'application.yml');
  if (!existsSync(base)) throw new ConfigError(`Configuration file not found: ${base}`);
  const files = [base];

  const additional = [
    ...splitList(env.SPRING_CONFIG_ADDITIONAL_LOCATION),
    ...splitList(env.GATEWAY_CONFIG_ADDITIONAL_LOCATION),
  ].map(parseLocation);
  const directories = [configDir, ...additional.filter((l) => l.directory).map((l) => l.path)];

  for (const profile of profiles) {
    if (!/^[A-Za-z0-9_-]+$/.test(profile)) {
      throw new ConfigError(`GATEWAY_PROFILE names an invalid profile "${profile}"`);
    }
    const candidates = directories.map((d) => join(d, `application-${profile}.yml`));
    const found = candidates.filter((f) => existsSync(f));
    if (found.length === 0) {
      throw new ConfigError(
        `Profile "${profile}" is active (GATEWAY_PROFILE) but no application-${profile}.yml exists in ${directories.join(', ')}`,
      );
    }
    files.push(found[0]);
  }

  for (const location of additional) {
    if (location.directory) {
      const candidates = [
        join(location.path, 'application.yml'),
        ...profiles.map((p) => join(location.path, `application-${p}.yml`)),
      ];
      for (const candidate of candidates) {
        if (existsSync(candidate) && !files.includes(candidate)) files.push(candidate);
      }
    } else if (existsSync(location.path)) {
      files.push(location.path);
    } else if (!location.optional) {
      throw new ConfigError(`Additional configuration file not found: ${location.path}`);
    }
  }
  return files;
}

interface Location {
  path: string;
  optional: boolean;
  directory: boolean;
}

function parseLocation(raw: string): Location {
  let value = raw;
  let optional = false;
  if (value.startsWith('optional:')) {
    optional = true;
    value = value.slice('optional:'.length);
  }
  if (value.startsWith('classpath:')) {
    throw new ConfigError(
      `Configuration location "${raw}": classpath: locations do not exist here; use a file path`,
    );
  }
  if (value.startsWith('file:')) value = value.slice('file:'.length);
  const path = isAbsolute(value) ? value : resolve(value);
  const directory = value.endsWith('/') || (existsSync(path) && statSync(path).isDirectory());
  return { path, optional, directory };
}

function readLayer(file: string, env: EnvSource): Tree {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`Cannot read configuration file ${file}: ${(err as Error).message}`);
  }
  const doc = parseDocument(text, { uniqueKeys: true });
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const line = first.linePos?.[0]?.line;
    throw new ConfigError(
      `Invalid YAML in ${file}${line ? ` at line ${line}` : ''}: ${first.message.split('\n')[0]}`,
    );
  }
  const root: unknown = doc.toJS();
  if (root === null || root === undefined) return {};
  if (!isTree(root)) throw new ConfigError(`${file}: the document must be a mapping`);

  const expanded = expandKeys(root, []);
  const layer: Tree = {};
  for (const [key, value] of Object.entries(expanded)) {
    if (key === ROOT) {
      mergeInto(layer, requireTree(value, file, ROOT), undefined, file, []);
    } else if (key === ALIAS[0]) {
      const dvara = requireTree(value, file, ALIAS[0]);
      for (const [sub, subValue] of Object.entries(dvara)) {
        if (sub !== ALIAS[1]) {
          throw new ConfigError(`Unknown configuration key "${ALIAS[0]}.${sub}" in ${file}`);
        }
        mergeInto(layer, requireTree(subValue, file, ALIAS.join('.')), undefined, file, []);
      }
    } else {
      throw new ConfigError(
        `Unknown configuration key "${key}" in ${file}: settings live under "${ROOT}:" (or its alias "${ALIAS.join('.')}:")`,
      );
    }
  }
  return interpolateTree(layer, env) as Tree;
}

function requireTree(value: unknown, file: string, key: string): Tree {
  if (value === null || value === undefined) return {};
  if (!isTree(value))
    throw new ConfigError(`Configuration key "${key}" in ${file} must be a mapping`);
  return value;
}

/**
 * Spring-style keys: `a.b.c: x` nests as `a: {b: {c: x}}`; `"[mock/fast]"` keeps its dots and
 * slashes and loses its brackets. Children of free-form maps keep their names as written.
 */
function expandKeys(tree: Tree, path: string[]): Tree {
  const out: Tree = {};
  const freeForm = FREE_FORM_KEYS.has(path[path.length - 1] ?? '');
  for (const [rawKey, rawValue] of Object.entries(tree)) {
    const bracketed = /^\[.*\]$/.test(rawKey);
    const key = bracketed ? rawKey.slice(1, -1) : rawKey;
    const segments = bracketed || freeForm ? [key] : key.split('.');
    const leafPath = [...path, ...segments];
    const value = isTree(rawValue) && !freeForm ? expandKeys(rawValue, leafPath) : rawValue;
    let cursor = out;
    segments.forEach((segment, i) => {
      if (i === segments.length - 1) {
        cursor[segment] =
          isTree(cursor[segment]) && isTree(value) ? deepMerge(cursor[segment], value) : value;
      } else {
        if (!isTree(cursor[segment])) cursor[segment] = {};
        cursor = cursor[segment] as Tree;
      }
    });
  }
  return out;
}

function interpolateTree(value: unknown, env: EnvSource): unknown {
  if (typeof value === 'string') return interpolate(value, env);
  if (Array.isArray(value)) return value.map((v) => interpolateTree(v, env));
  if (isTree(value)) {
    const out: Tree = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, env);
    return out;
  }
  return value;
}

function mergeInto(
  target: Tree,
  source: Tree,
  provenance: Provenance | undefined,
  file: string,
  path: string[],
): void {
  for (const [key, value] of Object.entries(source)) {
    const childPath = [...path, key];
    if (isTree(value) && isTree(target[key])) {
      mergeInto(target[key], value, provenance, file, childPath);
    } else {
      target[key] = isTree(value) ? deepMerge({}, value) : value;
      if (provenance) recordProvenance(provenance, childPath, value, file);
    }
  }
}

function recordProvenance(provenance: Provenance, path: string[], value: unknown, file: string) {
  provenance.set(path.join('.'), file);
  if (isTree(value)) {
    for (const [k, v] of Object.entries(value)) recordProvenance(provenance, [...path, k], v, file);
  }
}

function deepMerge(target: Tree, source: Tree): Tree {
  mergeInto(target, source, undefined, '', []);
  return target;
}

function describeIssues(error: z.ZodError, provenance: Provenance, files: string[]): string {
  const lines = error.issues.slice(0, 10).map((issue) => {
    const keys =
      issue.code === 'unrecognized_keys'
        ? issue.keys.map((k) => [...issue.path.map(String), k])
        : [issue.path.map(String)];
    return keys
      .map((segments) => {
        const key = [ROOT, ...segments].join('.');
        const file = fileFor(segments, provenance) ?? files[files.length - 1];
        const what =
          issue.code === 'unrecognized_keys' ? 'unknown key' : `invalid value (${issue.message})`;
        return `  - ${key}: ${what} (in ${file})`;
      })
      .join('\n');
  });
  return `Invalid configuration:\n${lines.join('\n')}`;
}

function fileFor(segments: string[], provenance: Provenance): string | undefined {
  for (let n = segments.length; n > 0; n--) {
    const file = provenance.get(segments.slice(0, n).join('.'));
    if (file) return file;
  }
  return undefined;
}

/**
 * `camel`: kebab keys become camelCase; `free`: nothing below changes (user data); `named`: the
 * keys are names the operator chose and stay, the settings under each are camel-cased.
 */
function camelCase(value: unknown, mode: 'camel' | 'free' | 'named'): unknown {
  if (mode === 'free') return value;
  if (Array.isArray(value)) return value.map((v) => camelCase(v, 'camel'));
  if (!isTree(value)) return value;
  const out: Tree = {};
  for (const [k, v] of Object.entries(value)) {
    if (mode === 'named') {
      out[k] = camelCase(v, 'camel');
      continue;
    }
    const key = k.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
    out[key] = camelCase(
      v,
      FREE_FORM_KEYS.has(k) ? 'free' : NAMED_MAP_KEYS.has(k) ? 'named' : 'camel',
    );
  }
  return out;
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

function isTree(value: unknown): value is Tree {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
