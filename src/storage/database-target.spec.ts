import { resolve } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { describeDatabaseTarget, resolveDatabaseTarget } from './database-target.js';

const DEFAULT_PATH = './data/gateway.db';

function target(databaseUrl: string, sqlitePath = DEFAULT_PATH) {
  return resolveDatabaseTarget({ databaseUrl, sqlitePath });
}

function failure(databaseUrl: string): string {
  try {
    target(databaseUrl);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error(`expected ${databaseUrl} to be refused`);
}

describe(resolveDatabaseTarget.name, () => {
  it('defaults to SQLite at sqlite-path, relative to the working directory', () => {
    expect(target('')).toEqual({ kind: 'sqlite', path: resolve('data/gateway.db') });
    expect(target('  ', '/var/lib/gateway/gw.db')).toEqual({
      kind: 'sqlite',
      path: '/var/lib/gateway/gw.db',
    });
  });

  it('reads file: and sqlite: URLs, with plain or URL-form paths', () => {
    expect(target('file:/tmp/gw.db')).toEqual({ kind: 'sqlite', path: '/tmp/gw.db' });
    expect(target('sqlite:/tmp/gw.db')).toEqual({ kind: 'sqlite', path: '/tmp/gw.db' });
    expect(target('file:./state/gw.db')).toEqual({ kind: 'sqlite', path: resolve('state/gw.db') });
    expect(target('sqlite:state.db')).toEqual({ kind: 'sqlite', path: resolve('state.db') });
    expect(target('file:///srv/my%20data/gw.db')).toEqual({
      kind: 'sqlite',
      path: '/srv/my data/gw.db',
    });
    expect(target('SQLITE:///tmp/gw.db')).toEqual({ kind: 'sqlite', path: '/tmp/gw.db' });
  });

  it('keeps in-memory SQLite for tests', () => {
    for (const url of [':memory:', 'file::memory:', 'sqlite::memory:']) {
      expect(target(url)).toEqual({ kind: 'sqlite', path: ':memory:' });
    }
  });

  it('picks PostgreSQL for postgres:// and postgresql:// URLs', () => {
    for (const url of [
      'postgres://gw:pw@db:5432/gateway',
      'postgresql://gw@db/gateway?sslmode=require',
    ]) {
      expect(target(url)).toEqual({ kind: 'postgres', url });
    }
  });

  it('refuses other values naming GATEWAY_DATABASE_URL without echoing them', () => {
    const mysql = failure('mysql://root:hunter2@db/gateway');
    expect(mysql).toContain('GATEWAY_DATABASE_URL');
    expect(mysql).toContain("'mysql:'");
    expect(mysql).not.toContain('hunter2');
    expect(failure('gateway.db')).toContain('without a scheme');
    expect(failure('postgres://user:hunter2@[bad')).not.toContain('hunter2');
    expect(failure('file:')).toContain('GATEWAY_DATABASE_URL names no SQLite file');
    expect(failure('file:///bad%zz.db')).toContain('%-escape');
  });
});

describe(describeDatabaseTarget.name, () => {
  it('names the file or the server and database, never the credentials', () => {
    expect(describeDatabaseTarget({ kind: 'sqlite', path: '/tmp/gw.db' })).toBe(
      'SQLite at /tmp/gw.db',
    );
    const pg = describeDatabaseTarget(target('postgres://gw:hunter2@db.internal:6543/gateway'));
    expect(pg).toBe('PostgreSQL at db.internal:6543/gateway');
    expect(describeDatabaseTarget(target('postgresql://db'))).toBe(
      'PostgreSQL at db:5432/(default database)',
    );
  });
});
