import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';

/**
 * A PostgreSQL server of this suite's own (a fresh cluster in a temporary directory, on its own
 * port), which it can kill and start again, so an outage never touches the machine's shared
 * server. Runs the machine's PostgreSQL binaries as the `postgres` user when the tests run as
 * root (the server refuses to run as root).
 */
export class ThrowawayPostgres {
  private child?: ChildProcess;
  private readonly dir = mkdtempSync(join(tmpdir(), 'gateway-pg-'));
  private readonly bin = postgresBin();

  constructor(readonly port: number) {}

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }

  /** Creates the cluster (once) and starts the server; resolves when it accepts queries. */
  async start(): Promise<void> {
    const data = join(this.dir, 'data');
    if (!readdirSync(this.dir).includes('data')) {
      chmodSync(this.dir, 0o777);
      this.run(join(this.bin, 'initdb'), [
        '-D',
        data,
        '-U',
        'postgres',
        '-A',
        'trust',
        '-E',
        'UTF8',
      ]);
    }
    const args = [
      '-D',
      data,
      '-p',
      String(this.port),
      '-k',
      this.dir,
      '-c',
      'listen_addresses=127.0.0.1',
    ];
    this.child = asPostgresUser(join(this.bin, 'postgres'), args);
    for (let i = 0; i < 200; i++) {
      if (this.child.exitCode !== null)
        throw new Error(`postgres exited with ${this.child.exitCode}`);
      if (await this.answers()) return;
      await sleep(50);
    }
    throw new Error(`postgres on port ${this.port} did not answer in 10 s`);
  }

  /** Kills the server at once (SIGKILL of the postmaster and its backends: a crash, not a shutdown). */
  async stop(): Promise<void> {
    const child = this.child;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((done) => child.once('exit', done));
    child.kill('SIGKILL');
    await exited;
    // Its backends notice the postmaster is gone and exit; give them a moment to free the port.
    await sleep(200);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async answers(): Promise<boolean> {
    const client = new pg.Client({ connectionString: this.url, connectionTimeoutMillis: 500 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      await client.query('select 1');
      return true;
    } catch {
      return false;
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private run(file: string, args: string[]): void {
    execFileSync(file, args, { stdio: 'ignore', ...postgresUser() });
  }
}

function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = readdirSync(root).sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error(`no PostgreSQL under ${root}`);
  return join(root, versions[0], 'bin');
}

/** Root runs the server as `postgres` (it refuses to run as root); anyone else as themselves. */
function postgresUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
  return { uid, gid };
}

/** The postmaster itself is the child, so killing the child kills the server. */
function asPostgresUser(file: string, args: string[]): ChildProcess {
  return spawn(file, args, { stdio: 'ignore', ...postgresUser() });
}
