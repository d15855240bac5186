import cluster, { type Worker } from 'node:cluster';
import type { AddressInfo } from 'node:net';
import type { JsonLogger } from '../common/logging/json-logger.service.js';
import type { GatewayConfig } from '../config/gateway-config.types.js';
import { resolveDatabaseTarget } from '../storage/database-target.js';
import { ClusterMetricsAggregator } from './cluster-metrics.aggregator.js';

const CONTEXT = 'Cluster';
/** A worker that dies again and again is restarted ever more slowly, up to this. */
const MAX_RESTART_DELAY_MS = 30_000;
const FIRST_RESTART_DELAY_MS = 250;
/** A worker that lived this long died of something new: the backoff starts over. */
const STABLE_AFTER_MS = 30_000;

/**
 * The primary of cluster mode (`gateway.server.workers` above 1): it serves no HTTP. It forks
 * one worker first, so migrations, the bootstrap file and a generated audit secret are done by
 * one process before the others start, then the rest; every worker boots the normal gateway
 * and listens on the shared port (node:cluster hands connections out round-robin). A worker
 * that dies unexpectedly is replaced after a backoff. SIGTERM or SIGINT is forwarded to every
 * worker, each drains and flushes its audit and usage queues as a single process does, and
 * the primary exits once all have exited: 0 if every one of them did. With metrics on, the
 * primary also merges the workers' registries for whichever worker a scrape reaches.
 * @throws Error when the configuration cannot be shared by several processes.
 */
export function runClusterPrimary(config: GatewayConfig, logger: JsonLogger): void {
  const target = resolveDatabaseTarget(config.storage);
  if (target.kind === 'sqlite' && target.path === ':memory:') {
    throw new Error(
      `an in-memory SQLite database cannot be shared by ${config.server.workers} workers (each would have its own); use a SQLite file or PostgreSQL, or GATEWAY_WORKERS=1.`,
    );
  }
  const wanted = config.server.workers;
  const startedAt = new Map<Worker, number>();
  let listening = false;
  let stopping = false;
  let failedExits = 0;
  let crashes = 0;
  const log = (msg: string, fields: Record<string, unknown> = {}) =>
    logger.log({ msg, ...fields }, CONTEXT);

  const fork = () => {
    const worker = cluster.fork();
    startedAt.set(worker, Date.now());
    log(`Worker ${worker.id} started`, { worker: worker.id, pid: worker.process.pid });
  };

  cluster.on('listening', (worker, address: AddressInfo) => {
    if (listening) return;
    listening = true;
    const host = address.address.includes(':') ? `[${address.address}]` : address.address;
    log(`Gateway listening on http://${host}:${address.port} with ${wanted} workers`, {
      profiles: config.profiles,
      config_files: config.sources,
    });
    for (let i = 1; i < wanted; i++) fork();
  });

  cluster.on('exit', (worker, code, signal) => {
    const lived = Date.now() - (startedAt.get(worker) ?? Date.now());
    startedAt.delete(worker);
    if (stopping) {
      if (code !== 0) failedExits++;
      log(`Worker ${worker.id} stopped`, { pid: worker.process.pid, code, signal });
      if (startedAt.size === 0) finish();
      return;
    }
    if (!listening) {
      // The first worker could not start (its own output says why): others would fail alike.
      logger.error({ msg: 'Gateway not started: its first worker exited', code, signal }, CONTEXT);
      // Nothing else holds the event loop: the primary ends once its log is written.
      process.exitCode = 1;
      return;
    }
    crashes = lived >= STABLE_AFTER_MS ? 1 : crashes + 1;
    const delay = Math.min(MAX_RESTART_DELAY_MS, FIRST_RESTART_DELAY_MS * 2 ** (crashes - 1));
    logger.warn(
      {
        msg: `Worker ${worker.id} died unexpectedly: a replacement starts in ${delay} ms`,
        pid: worker.process.pid,
        code,
        signal,
      },
      CONTEXT,
    );
    setTimeout(() => {
      if (!stopping) fork();
    }, delay).unref();
  });

  const finish = () => {
    log('Gateway stopped', { failed_workers: failedExits });
    process.exitCode = failedExits === 0 ? 0 : 1;
  };

  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log(`${signal} received: stopping ${startedAt.size} workers`);
    if (startedAt.size === 0) finish();
    // The raw signal, not worker.kill(): that disconnects first, closing the server before the
    // worker's own graceful shutdown can drain it.
    for (const worker of startedAt.keys()) worker.process.kill(signal);
  };
  // A terminal's Ctrl-C reaches the workers too (same process group); they ignore the repeat.
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);

  if (config.metrics.enabled) new ClusterMetricsAggregator().attach();
  fork();
}
