import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/** The built gateway (`npm test` builds it first; `npm run build` does it by hand). */
export const GATEWAY_ENTRY = resolve('dist/main.js');

export interface GatewayProcess {
  readonly child: ChildProcess;
  /** e.g. `http://127.0.0.1:41234` */
  readonly url: string;
  /** Every line the process wrote to stdout and stderr so far. */
  readonly output: string[];
  /** SIGTERM, then waits for the exit (SIGKILL after `graceMs`); resolves to the exit code. */
  stop(graceMs?: number): Promise<number | null>;
}

const READY_TIMEOUT_MS = 30_000;
const LISTENING = /Gateway listening on (http:\/\/[^\s"]+)/;

/**
 * Starts `node dist/main.js` as its own process, as production runs it (a replica), on a free
 * loopback port, and resolves once it answers `/health/ready`.
 */
export async function spawnGateway(env: Record<string, string>): Promise<GatewayProcess> {
  if (!existsSync(GATEWAY_ENTRY)) {
    throw new Error(
      `${GATEWAY_ENTRY} does not exist: run \`npm run build\` first (npm test does).`,
    );
  }
  const child = spawn(process.execPath, [GATEWAY_ENTRY], {
    env: {
      PATH: process.env.PATH ?? '',
      GATEWAY_PROFILE: 'ci',
      LOG_LEVEL: 'info',
      PORT: '0',
      HOST: '127.0.0.1',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  let url: string | undefined;
  const collect = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line.length === 0) continue;
      output.push(line);
      url ??= LISTENING.exec(line)?.[1]?.replace('[::1]', '127.0.0.1');
    }
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  let gone = false;
  void exited.then(() => (gone = true));

  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (gone) throw new Error(`gateway process exited at start-up:\n${output.join('\n')}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`gateway process not ready in time:\n${output.join('\n')}`);
    }
    if (url !== undefined) {
      const ready = await fetch(`${url}/health/ready`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (ready) break;
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  const base = url;
  return {
    child,
    url: base,
    output,
    async stop(graceMs = 10_000) {
      if (gone) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}
