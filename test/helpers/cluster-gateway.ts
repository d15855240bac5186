import { setTimeout as sleep } from 'node:timers/promises';
import type { GatewayProcess } from './gateway-process.js';
import { openDatabase } from './storage-harness.js';

/**
 * What the cluster-mode specs (`GATEWAY_WORKERS`) read off a gateway started with
 * `spawnGateway`: its workers from the primary's and the workers' log lines, and which worker
 * wrote each audited response.
 */

const WAIT_MS = 30_000;

/** The pids the primary logged for its workers, in the order they started. */
export function workerPids(gateway: GatewayProcess): number[] {
  return gateway.output
    .map((line) => /"pid":(\d+).*"msg":"Worker \d+ started"/.exec(line)?.[1])
    .filter((pid) => pid !== undefined)
    .map(Number);
}

/** Workers that finished booting: each logs its own listening line (the primary adds "with"). */
export function listeningWorkers(gateway: GatewayProcess): number {
  return gateway.output.filter((line) => /"msg":"Gateway listening on http:[^ "]*"/.test(line))
    .length;
}

/** Polls `ok` every 50 ms; past 30 s fails with `what` and the gateway's output. */
export async function until(
  what: string,
  gateway: GatewayProcess,
  ok: () => boolean | Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!(await ok())) {
    if (Date.now() > deadline) {
      throw new Error(`${what}: not in time\n${gateway.output.join('\n')}`);
    }
    await sleep(50);
  }
}

/** The writer of each audited response, by trace id (the writer names host, pid, start time). */
export async function auditedResponseWriters(url: string): Promise<Map<string, string>> {
  const db = openDatabase(url);
  try {
    const rows = await db
      .selectFrom('audit_events')
      .select(['trace_id', 'writer'])
      .where('event_type', '=', 'GATEWAY_RESPONSE')
      .execute();
    return new Map(rows.map((row) => [row.trace_id ?? '', row.writer]));
  } finally {
    await db.destroy();
  }
}
