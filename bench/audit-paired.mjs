// The cost of the audit trail on the governed lane (issue 12), paired: the governed gateway with
// its audit trail on a SQLite file and the same with audit off, in alternating rounds
// (paired-rounds.mjs says how).
//
//   node bench/audit-paired.mjs [--worker-core] [--rounds 6] [--seconds 6] [--warmup 2]
//                               [--connections 50]
//
// Without --worker-core the audit writer's worker thread shares the target's core with the
// request thread, as in `npm run bench`. With it, after the unmeasured first round the worker
// thread (the process's busiest thread after the request thread) is moved to the load core: what
// audit costs a host that has a core for the worker (a pod with two CPUs, say), where what stays
// on the request thread is what matters. The load core then carries the worker too; the report
// says how much of the load core the load generator and upstream left idle.
// (build first: npx nest build; BENCH_GATEWAY_ENTRY runs another build.)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { roundArgs, runMain, runPaired, startGoverned } from './paired-rounds.mjs';
import { processCpuSeconds } from './processes.mjs';
import { auditFigures } from './targets.mjs';

const log = (msg) => process.stderr.write(`audit-paired: ${msg}\n`);
const WORKER_CORE = process.argv.includes('--worker-core');

/** The thread of `pid`, other than its main thread, that has used the most CPU. */
function busiestOtherThread(pid) {
  let best;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    if (tid === String(pid)) continue;
    const seconds = processCpuSeconds(`${pid}/task/${tid}`);
    if (seconds !== null && (best === undefined || seconds > best.seconds)) best = { tid, seconds };
  }
  return best;
}

function variant(audit) {
  const name = audit ? 'audit on' : 'audit off';
  return {
    name,
    start: (ctx) => startGoverned(ctx, name, { audit }),
    async afterRounds(v) {
      if (!audit) return;
      const figures = await auditFigures(v.sut.origin);
      log(`the audit writer after the rounds: ${JSON.stringify(figures)}`);
      if (v.moved === undefined) return;
      // The moved thread's CPU since the move, per request of the measured rounds: about the
      // whole-process difference between audit on and off if it was the audit worker.
      const spent = processCpuSeconds(`${v.sut.pid}/task/${v.moved.tid}`) - v.moved.seconds;
      const { seconds, warmup } = roundArgs();
      // Each round's warm-up loads it too: its requests counted at the round's rate.
      const requests = v.rounds.reduce((sum, r) => sum + r.reqPerSec * (seconds + warmup), 0);
      log(
        `the moved thread used ${((spent * 1e6) / requests).toFixed(0)} µs of CPU per request ` +
          'since the move (the audit worker: about the whole-process difference above)',
      );
    },
    afterWarmup(v, ctx) {
      if (!audit || !WORKER_CORE) return;
      if (!ctx.pinning.pinned) throw new Error('--worker-core needs pinning (two or more CPUs)');
      const worker = busiestOtherThread(v.sut.pid);
      const main = processCpuSeconds(`${v.sut.pid}/task/${v.sut.pid}`);
      const comm = readFileSync(`/proc/${v.sut.pid}/task/${worker.tid}/comm`, 'utf8').trim();
      log(
        `moving thread ${worker.tid} (${comm}, ${worker.seconds.toFixed(1)} s of CPU against the ` +
          `request thread's ${main.toFixed(1)} s) to CPU ${ctx.pinning.loadCpu}`,
      );
      execFileSync('taskset', ['-p', '-c', String(ctx.pinning.loadCpu), worker.tid]);
      v.moved = worker;
    },
  };
}

runMain(async () => {
  await runPaired({
    label: `audit cost${WORKER_CORE ? ', the audit worker on a core of its own' : ''}`,
    variants: [variant(true), variant(false)],
    ...roundArgs(),
    log,
  });
}, log);
