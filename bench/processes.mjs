// Child processes for the benchmark: CPU pinning with taskset, a registry so every child dies with
// the run (normal end, error, Ctrl-C, or the run itself being killed: see watchdog.mjs), and
// readers for /proc (RSS, CPU time).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const TASKSET = '/usr/bin/taskset';
const children = new Set();
let watchdog = null;

function startWatchdog() {
  if (watchdog) return;
  watchdog = spawn(process.execPath, [fileURLToPath(new URL('./watchdog.mjs', import.meta.url))], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', () => {
    watchdog = null;
  });
  watchdog.stdin.on('error', () => {});
  watchdog.unref();
  watchdog.stdin.unref?.();
}

function tellWatchdog(line) {
  if (watchdog?.stdin.writable) watchdog.stdin.write(`${line}\n`);
}

/** Parses a CPU list such as "0-3,6". */
function parseCpuList(text) {
  const cpus = [];
  for (const part of text.trim().split(',')) {
    const [a, b] = part.split('-').map(Number);
    for (let c = a; c <= (b ?? a); c++) cpus.push(c);
  }
  return cpus;
}

/**
 * Decides the pinning: the load side on the first allowed CPU, the system under test alone on the
 * second. Returns { pinned, loadCpu, sutCpu, reason }.
 */
export function planPinning({ wanted = true } = {}) {
  if (!wanted) return { pinned: false, reason: 'disabled with BENCH_PIN=0' };
  const taskset = existsSync(TASKSET) ? TASKSET : 'taskset';
  const probe = spawnSync(taskset, ['-p', '-c', String(process.pid)], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    return { pinned: false, reason: 'taskset not found: running unpinned' };
  }
  const list = probe.stdout.split(':').pop();
  const cpus = parseCpuList(list);
  if (cpus.length < 2) {
    return { pinned: false, reason: `only CPU ${list.trim()} available: running unpinned` };
  }
  return { pinned: true, taskset, loadCpu: cpus[0], sutCpu: cpus[1], allowedCpus: cpus };
}

/** Moves this process (all its threads) to a CPU; returns false if that failed. */
export function pinSelf(pinning, cpu) {
  if (!pinning.pinned) return false;
  const r = spawnSync(pinning.taskset, ['-a', '-p', '-c', String(cpu), String(process.pid)]);
  return r.status === 0;
}

/**
 * Spawns `node <args>` (pinned to `cpu` when pinning), registered for cleanup. stdout and stderr
 * are piped; their last lines are kept for error messages.
 */
export function spawnNode(name, args, { pinning, cpu, env, cwd, stdin = 'pipe' }) {
  startWatchdog();
  const [command, argv] = pinning.pinned
    ? [pinning.taskset, ['-c', String(cpu), process.execPath, ...args]]
    : [process.execPath, args];
  const child = spawn(command, argv, { env, cwd, stdio: [stdin, 'pipe', 'pipe'] });
  child.benchName = name;
  child.tail = [];
  child.listeners = [];
  const keep = (chunk) => {
    child.tail.push(...chunk.toString().split('\n').filter(Boolean));
    if (child.tail.length > 40) child.tail.splice(0, child.tail.length - 40);
  };
  child.keep = keep;
  child.stderr.on('data', keep);
  parseStdout(child);
  child.stdin?.on('error', () => {});
  child.exited = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      if (child.pid) tellWatchdog(`-${child.pid}`);
      resolve({ code, signal });
    });
    child.on('error', (err) => {
      children.delete(child);
      keep(Buffer.from(String(err)));
      resolve({ code: null, signal: null, error: err });
    });
  });
  children.add(child);
  if (child.pid) tellWatchdog(`+${child.pid}`);
  return child;
}

/** Calls onEvent for every JSON line the child prints on stdout. */
export function onJsonLines(child, onEvent) {
  child.listeners.push(onEvent);
}

function parseStdout(child) {
  let pending = '';
  child.stdout.on('data', (chunk) => {
    pending += chunk.toString();
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      let event = null;
      if (line.startsWith('{')) {
        try {
          event = JSON.parse(line);
        } catch {
          event = null;
        }
      }
      if (event?.event) for (const listener of child.listeners) listener(event);
      else if (line.trim()) child.keep(line);
    }
  });
}

function describeExit(child, { code, signal, error }) {
  const why = error ? error.message : signal ? `signal ${signal}` : `exit code ${code}`;
  const tail = child.tail.length ? `\n  last output:\n    ${child.tail.join('\n    ')}` : '';
  return `${child.benchName} stopped (${why})${tail}`;
}

/** Resolves with the first stdout JSON event of the given type; rejects if the child dies first. */
export function waitForEvent(child, type, timeoutMs) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`${child.benchName} did not report "${type}" in ${timeoutMs} ms`)),
      timeoutMs,
    );
    onJsonLines(child, (event) => {
      if (event.event === type) {
        clearTimeout(timer);
        resolve(event);
      }
    });
    child.exited.then((exit) => {
      clearTimeout(timer);
      reject(new Error(describeExit(child, exit)));
    });
  });
}

/** Runs a lanes.mjs child to completion and returns its result; onEvent sees progress events. */
export async function runToResult(child, onEvent = () => {}) {
  let result;
  onJsonLines(child, (event) => {
    if (event.event === 'result') result = event.result;
    else onEvent(event);
  });
  const exit = await child.exited;
  if (exit.code !== 0 || result === undefined) throw new Error(describeExit(child, exit));
  return result;
}

export async function stopChild(child, graceMs = 2000) {
  if (child.exitCode !== null || child.signalCode !== null || !children.has(child)) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await child.exited;
  clearTimeout(timer);
}

export async function stopAll(graceMs = 2000) {
  await Promise.all([...children].map((c) => stopChild(c, graceMs)));
}

/** Last resort, synchronous (for process 'exit'). */
export function killAllNow() {
  for (const child of children) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

export function exitMessage(child, exit) {
  return describeExit(child, exit);
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set size in MB, or null if the process is gone. */
export function rssMb(pid) {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

const CLOCK_TICKS = (() => {
  const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
  const n = Number(r.stdout);
  return Number.isFinite(n) && n > 0 ? n : 100;
})();

/** CPU seconds (user + system) a process has used so far. */
export function processCpuSeconds(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return null;
  }
}

/**
 * CPU seconds (user + system) a process's main thread has used so far: for the gateway, the
 * request thread alone, without its worker threads (the audit writer) and V8's helper threads.
 */
export function mainThreadCpuSeconds(pid) {
  return processCpuSeconds(`${pid}/task/${pid}`);
}

/** Per-CPU { busy, total } jiffies from /proc/stat. */
export function cpuTimes() {
  const out = {};
  try {
    for (const line of readFileSync('/proc/stat', 'utf8').split('\n')) {
      const m = /^cpu(\d+)\s+(.*)$/.exec(line);
      if (!m) continue;
      const v = m[2].split(/\s+/).map(Number);
      const idle = v[3] + (v[4] || 0);
      const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
      out[m[1]] = { busy: total - idle, total };
    }
  } catch {
    // no /proc/stat: CPU figures stay empty
  }
  return out;
}

export function cpuBusyPercent(before, after, cpu) {
  const a = before[cpu];
  const b = after[cpu];
  if (!a || !b || b.total === a.total) return null;
  return (100 * (b.busy - a.busy)) / (b.total - a.total);
}
