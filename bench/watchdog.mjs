// Started detached by run.mjs. It reads "+pid" / "-pid" lines on stdin to track the benchmark's
// children; when stdin closes (run.mjs ended, however it ended, even by SIGKILL), it kills every
// pid still listed. This is what keeps a gateway from outliving a killed benchmark.
const pids = new Set();
let pending = '';

process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  pending += text;
  const lines = pending.split('\n');
  pending = lines.pop();
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') pids.add(pid);
    else if (line[0] === '-') pids.delete(pid);
  }
});

const killAll = () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  process.exit(0);
};
process.stdin.on('end', killAll);
process.stdin.on('error', killAll);
process.on('SIGHUP', () => {});
process.on('SIGINT', () => {});
