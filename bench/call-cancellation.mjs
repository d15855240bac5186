// µs of CPU per proxied call spent on cancellation: the call's disconnect cancellation
// (`abortOnDisconnect`), one attempt's `CallDeadline`, undici's abort listener added and removed,
// the deadline disposed, the reply closed. 5 rounds of 200,000 calls; median and range.
//   node bench/call-cancellation.mjs [dist folder, default ./dist]   (build first)
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const dist = pathToFileURL(resolve(process.argv[2] ?? 'dist')).href;
const { CallDeadline } = await import(`${dist}/providers/http/call-deadline.js`);
const { abortOnDisconnect } = await import(`${dist}/inference/call-abort.js`);
const limits = { totalMs: 30000, totalMessage: 'x' };
// What undici's addAbortListener does with the signal it is given (undici/lib/core/util.js).
const undiciListen = (signal, listener) => {
  if ('addEventListener' in signal) {
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  }
  signal.once('abort', listener);
  return () => signal.removeListener('abort', listener);
};

function oneCall() {
  const raw = new EventEmitter();
  raw.writableFinished = false;
  const caller = abortOnDisconnect({ raw });
  const deadline = new CallDeadline(caller, limits);
  // Before CallCancellation the deadline had no `cancellation`: undici got its AbortSignal.
  const off = undiciListen(deadline.cancellation ?? deadline.signal, () => {});
  off();
  deadline.dispose();
  raw.writableFinished = true;
  raw.emit('close');
}
const N = 200_000;
for (let i = 0; i < 50_000; i++) oneCall();
const rounds = [];
for (let r = 0; r < 5; r++) {
  const start = process.cpuUsage();
  for (let i = 0; i < N; i++) oneCall();
  const used = process.cpuUsage(start);
  rounds.push((used.user + used.system) / N);
}
rounds.sort((a, b) => a - b);
const f = (n) => n.toFixed(2);
console.log(`cancellation: ${f(rounds[2])} µs of CPU per call (${f(rounds[0])}-${f(rounds[4])})`);
