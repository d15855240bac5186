import { resolve } from 'node:path';

/** Where the gateway keeps its data, decided once from `gateway.storage`. */
export type DatabaseTarget =
  | { readonly kind: 'sqlite'; readonly path: string }
  | { readonly kind: 'postgres'; readonly url: string };

export interface StorageSettings {
  readonly databaseUrl: string;
  readonly sqlitePath: string;
}

const SQLITE_MEMORY = ':memory:';
const POSTGRES_SCHEMES = ['postgres:', 'postgresql:'];
const SQLITE_SCHEMES = ['file:', 'sqlite:'];

/**
 * Picks the database from `GATEWAY_DATABASE_URL` (contract section 12): empty means SQLite at
 * `sqlitePath`; `file:<path>` or `sqlite:<path>` (also `file:///abs/path`) a SQLite file there;
 * `:memory:` an in-memory SQLite database (tests); `postgres://` or `postgresql://` PostgreSQL.
 * Relative SQLite paths are resolved against the working directory.
 * @throws Error naming GATEWAY_DATABASE_URL (never echoing it: it may hold a password).
 */
export function resolveDatabaseTarget(settings: StorageSettings): DatabaseTarget {
  const url = settings.databaseUrl.trim();
  if (url === '') return sqliteAt(settings.sqlitePath, 'gateway.storage.sqlite-path');
  if (url === SQLITE_MEMORY) return { kind: 'sqlite', path: SQLITE_MEMORY };

  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0].toLowerCase();
  if (scheme !== undefined && POSTGRES_SCHEMES.includes(scheme)) {
    if (!URL.canParse(url)) throw invalid('is not a valid postgres:// URL');
    return { kind: 'postgres', url };
  }
  if (scheme !== undefined && SQLITE_SCHEMES.includes(scheme)) {
    const path = url.slice(scheme.length);
    // `file:///abs/path` and `sqlite:///abs/path`: URL form, with an empty authority.
    return sqliteAt(path.startsWith('//') ? urlPath(path.slice(2)) : path, 'GATEWAY_DATABASE_URL');
  }
  const shown = scheme === undefined ? 'a value without a scheme' : `a '${scheme}' URL`;
  throw invalid(`is ${shown}`);
}

/** A log-safe description: the file, or PostgreSQL's host, port and database (no credentials). */
export function describeDatabaseTarget(target: DatabaseTarget): string {
  if (target.kind === 'sqlite') return `SQLite at ${target.path}`;
  const url = new URL(target.url);
  const database = decodeURIComponent(url.pathname.replace(/^\//, '')) || '(default database)';
  return `PostgreSQL at ${url.hostname || 'localhost'}:${url.port || '5432'}/${database}`;
}

function sqliteAt(path: string, setting: string): DatabaseTarget {
  if (path === SQLITE_MEMORY) return { kind: 'sqlite', path };
  if (path.trim() === '') throw new Error(`${setting} names no SQLite file.`);
  return { kind: 'sqlite', path: resolve(path) };
}

function urlPath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw invalid('has a malformed %-escape in its path');
  }
}

function invalid(problem: string): Error {
  return new Error(
    `GATEWAY_DATABASE_URL ${problem}: leave it empty (SQLite at ./data/gateway.db), or set ` +
      'file:<path> or sqlite:<path> (SQLite), or postgres://user:password@host:5432/database.',
  );
}
