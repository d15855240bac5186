import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, posix, resolve } from 'node:path';
import { loadGatewayConfig } from '../../../src/config/config.loader.js';
import {
  envOf,
  execForm,
  flags,
  instructions,
  parseDockerfile,
  type Stage,
  words,
} from '../../helpers/dockerfile-parser.js';

/**
 * The container image (contract 14), checked without a container engine: the Dockerfile's stages
 * and runtime settings, the build context, and the runtime stage's command, environment and
 * HEALTHCHECK run against the built gateway laid out as the image lays it out.
 */
const PINNED_BASE = /^node:(20|22)\.\d+\.\d+-bookworm-slim$/;
const AUDIT_SECRET = 'deploy-e2e-audit-secret-0123456789abcdef';

const { stages } = parseDockerfile();
const runtime = stages[stages.length - 1];
const stageNamed = (name: string): Stage => {
  const stage = stages.find((s) => s.name === name);
  if (!stage) throw new Error(`no stage ${name}`);
  return stage;
};
/** The base image a stage finally rests on, through `FROM <earlier stage>`. */
const baseOf = (stage: Stage): string =>
  stages.some((s) => s.name === stage.from) ? baseOf(stageNamed(stage.from)) : stage.from;
const runs = (stage: Stage): string[] =>
  instructions(stage, 'RUN').map((i) => i.getArgumentsContent() ?? '');
/** `COPY --from=<stage> <src> <dest>` of the runtime stage, by source. */
const copiesFrom = (stage: Stage) =>
  instructions(stage, 'COPY').map((i) => {
    const args = words(i).filter((w) => !w.startsWith('--'));
    return { from: flags(i).from, sources: args.slice(0, -1), dest: args[args.length - 1] };
  });
const workdir = (stage: Stage): string => {
  const dirs = instructions(stage, 'WORKDIR').map((i) => words(i)[0]);
  return dirs.length > 0 ? dirs[dirs.length - 1] : workdir(stageNamed(stage.from));
};
const absolute = (stage: Stage, path: string) =>
  posix.isAbsolute(path) ? posix.normalize(path) : posix.join(workdir(stage), path);

describe('Dockerfile', () => {
  it('pins every base image to an exact node 20 or 22 bookworm-slim tag', () => {
    const bases = stages.map(baseOf);
    expect(bases.length).toBeGreaterThanOrEqual(3);
    for (const base of bases) expect(base).toMatch(PINNED_BASE);
    // Native modules are compiled in one stage and run in another: one Node ABI for both.
    expect(new Set(bases).size).toBe(1);
  });

  it('compiles TypeScript in a build stage with every dependency', () => {
    const build = stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)));
    expect(build).toBeDefined();
    const ci = runs(build!).find((r) => /\bnpm ci\b/.test(r));
    expect(ci).toBeDefined();
    expect(ci).not.toMatch(/--omit|--production/);
    const copied = copiesFrom(build!).flatMap((c) => c.sources);
    expect(copied).toEqual(expect.arrayContaining(['package-lock.json', 'src', 'tsconfig.json']));
  });

  it('ships production dependencies from a stage that ran npm ci --omit=dev', () => {
    const nodeModules = copiesFrom(runtime).find((c) =>
      c.sources.some((s) => s.endsWith('node_modules')),
    );
    expect(nodeModules?.from).toBeDefined();
    const deps = stageNamed(nodeModules!.from);
    expect(runs(deps).some((r) => /\bnpm ci\b[^&|;]*--omit=dev/.test(r))).toBe(true);
    // better-sqlite3 is compiled there, against the same base as the runtime.
    expect(baseOf(deps)).toBe(baseOf(runtime));
    expect(absolute(runtime, nodeModules!.dest)).toBe('/app/node_modules');
  });

  it('runs no package manager and no compiler in the runtime stage', () => {
    for (const run of runs(runtime)) expect(run).not.toMatch(/\b(npm|npx|apt-get|g\+\+|make)\b/);
    const dist = copiesFrom(runtime).find((c) => c.sources.some((s) => s.endsWith('dist')));
    expect(dist?.from).toBe(
      stages.find((s) => runs(s).some((r) => /\bnpm run build\b/.test(r)))?.name,
    );
  });

  it('runs as a numeric non-root user that owns only the data folder', () => {
    const users = instructions(runtime, 'USER').map((i) => words(i)[0]);
    expect(users.length).toBeGreaterThan(0);
    const user = users[users.length - 1];
    // Numeric, so Kubernetes' runAsNonRoot can verify it without reading /etc/passwd.
    expect(user).toMatch(/^[1-9]\d*(:[1-9]\d*)?$/);
    const chown = runs(runtime).find((r) => r.includes('chown'));
    expect(chown).toContain(`chown ${user} /app/data`);
  });

  it('listens on 8080, the port the configuration binds from PORT', () => {
    expect(instructions(runtime, 'EXPOSE').map((i) => words(i)[0])).toEqual(['8080']);
    expect(envOf(runtime).PORT).toBe('8080');
  });

  it('starts the production profile with config/ at /app/config', () => {
    const env = envOf(runtime);
    expect(env.GATEWAY_PROFILE).toBe('production');
    expect(env.GATEWAY_CONFIG_DIR).toBe('/app/config');
    const config = copiesFrom(runtime).find((c) => c.sources.includes('config'));
    expect(config && absolute(runtime, config.dest)).toBe('/app/config');
    expect(workdir(runtime)).toBe('/app');
  });

  it('gives the configuration loader what it needs to bind port 8080 under production', () => {
    const env = {
      ...envOf(runtime),
      GATEWAY_CONFIG_DIR: resolve('config'),
      GATEWAY_AUDIT_HMAC_SECRET: AUDIT_SECRET,
    };
    const config = loadGatewayConfig({ env });
    expect(config.profiles).toEqual(['production']);
    expect(config.server.port).toBe(8080);
    expect(config.server.host).toBe('0.0.0.0');
    expect(config.auth.required).toBe(true);
    // The embedded database lands in the folder the image makes writable.
    expect(posix.join(workdir(runtime), config.storage.sqlitePath)).toBe('/app/data/gateway.db');
  });

  it('has an exec-form CMD on dist/main.js and a HEALTHCHECK on /health/live', () => {
    const cmds = instructions(runtime, 'CMD');
    expect(cmds).toHaveLength(1);
    expect(execForm(cmds[0])).toEqual(['node', 'dist/main.js']);
    expect(instructions(runtime, 'ENTRYPOINT')).toHaveLength(0);

    const checks = instructions(runtime, 'HEALTHCHECK');
    expect(checks).toHaveLength(1);
    const argv = execForm(checks[0]);
    expect(argv?.[0]).toBe('node');
    expect(argv?.join(' ')).toContain('/health/live');
    expect(Object.keys(flags(checks[0]))).toEqual(
      expect.arrayContaining(['interval', 'timeout', 'start-period', 'retries']),
    );
  });
});

describe('.dockerignore', () => {
  const patterns = readFileSync(resolve('.dockerignore'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));
  const allowed = patterns.filter((p) => p.startsWith('!')).map((p) => p.slice(1));

  it('is an allow-list', () => {
    expect(patterns[0]).toBe('*');
  });

  it('lets in every path the Dockerfile copies from the build context, and they exist', () => {
    const sources = stages.flatMap((s) =>
      copiesFrom(s)
        .filter((c) => c.from === undefined)
        .flatMap((c) => c.sources),
    );
    expect(sources.length).toBeGreaterThan(0);
    for (const source of sources) {
      expect(allowed.map((a) => a.replace(/\/$/, ''))).toContain(source);
      expect(existsSync(resolve(source))).toBe(true);
    }
  });

  it('keeps out dependencies, builds, secrets, local data, tests and the chart', () => {
    for (const path of ['node_modules', 'dist', '.git', '.env', 'data', '.cache', 'test', 'helm']) {
      expect(allowed.some((a) => a === path || a.startsWith(`${path}/`))).toBe(false);
    }
    expect(patterns).toEqual(expect.arrayContaining(['src/**/*.spec.ts']));
  });
});

/** A free loopback port (PORT must be one number: the HEALTHCHECK reads it too). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  await new Promise((done) => server.close(done));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Runs the HEALTHCHECK's command as Docker would, in the container's environment. */
function healthcheck(env: Record<string, string>): number | null {
  const argv = execForm(instructions(runtime, 'HEALTHCHECK')[0])!;
  const [command, ...args] = argv;
  expect(command).toBe('node');
  return spawnSync(process.execPath, args, { env, timeout: 10_000 }).status;
}

describe('The runtime stage, laid out as the image lays it out', () => {
  let app: string;
  beforeAll(() => {
    if (!existsSync(resolve('dist/main.js'))) {
      throw new Error('dist/main.js does not exist: run `npm run build` first (npm test does).');
    }
    // /app of the image: its dist/, config/ and package.json copied, node_modules linked.
    app = mkdtempSync(join(tmpdir(), 'gateway-image-'));
    for (const copy of copiesFrom(runtime)) {
      for (const source of copy.sources) {
        // Stage outputs under /app are this checkout's own (dist/ built, node_modules installed).
        const from = copy.from === undefined ? source : posix.relative('/app', source);
        const dest = join(app, posix.relative('/app', absolute(runtime, copy.dest)));
        const target = copy.dest.endsWith('/') ? join(dest, posix.basename(from)) : dest;
        if (from === 'node_modules') symlinkSync(resolve(from), target, 'dir');
        else cpSync(resolve(from), target, { recursive: true });
      }
    }
    mkdirSync(join(app, 'data'));
  });
  afterAll(() => rmSync(app, { recursive: true, force: true }));

  const containerEnv = (port: number, extra: Record<string, string> = {}) => ({
    PATH: process.env.PATH ?? '',
    ...envOf(runtime),
    // The image's config folder is /app/config; here it is the laid-out copy.
    GATEWAY_CONFIG_DIR: join(app, 'config'),
    PORT: String(port),
    HOST: '127.0.0.1',
    ...extra,
  });

  it('serves, passes its HEALTHCHECK, and stops cleanly on SIGTERM', async () => {
    const port = await freePort();
    const env = containerEnv(port, {
      GATEWAY_AUDIT_HMAC_SECRET: AUDIT_SECRET,
      MOCK_PROVIDER_ENABLED: 'true',
    });
    const [command, ...args] = execForm(instructions(runtime, 'CMD')[0])!;
    expect(command).toBe('node');
    const child = spawn(process.execPath, args, {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (c: Buffer) => output.push(c.toString()));
    child.stderr.on('data', (c: Buffer) => output.push(c.toString()));
    const exited = new Promise<number | null>((done) => child.once('exit', done));
    try {
      // Nothing listens yet, or soon will: poll the way Docker's start period does.
      let status = healthcheck(env);
      for (let i = 0; status !== 0 && i < 200 && child.exitCode === null; i++) {
        await new Promise((done) => setTimeout(done, 100));
        status = healthcheck(env);
      }
      expect({ status, output: status === 0 ? '' : output.join('') }).toEqual({
        status: 0,
        output: '',
      });
      const ready = await fetch(`http://127.0.0.1:${port}/health/ready`);
      expect(ready.status).toBe(200);
      // The production profile: calls need a key.
      expect((await fetch(`http://127.0.0.1:${port}/v1/models`)).status).toBe(401);
      // The embedded database is in the folder the image makes writable, and nowhere else.
      expect(existsSync(join(app, 'data', 'gateway.db'))).toBe(true);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    // The check fails once nothing answers.
    expect(healthcheck(env)).not.toBe(0);
  }, 90_000);

  it('refuses to start without an audit secret, saying which variable to set', () => {
    const env = containerEnv(0, { MOCK_PROVIDER_ENABLED: 'true' });
    const [, ...args] = execForm(instructions(runtime, 'CMD')[0])!;
    const run = spawnSync(process.execPath, args, { cwd: app, env, timeout: 30_000 });
    expect(run.status).not.toBe(0);
    expect(run.status).not.toBeNull();
    expect(`${run.stdout.toString()}${run.stderr.toString()}`).toContain(
      'GATEWAY_AUDIT_HMAC_SECRET',
    );
  }, 60_000);
});
