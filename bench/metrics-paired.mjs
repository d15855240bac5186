// The cost of Prometheus metrics on the governed lane (issue 14), paired: the governed gateway
// with metrics on and the same with metrics off, in alternating rounds (paired-rounds.mjs says
// how). The paired difference is the cost of metrics.
//
//   node bench/metrics-paired.mjs [--rounds 6] [--seconds 6] [--warmup 2] [--connections 50]
//                                 [--aa]
//
// --aa starts both with metrics off (an A/A run): what the method itself reports as a cost when
// there is none (the first-started process, placement on the core). Each variant gets one
// unmeasured round first.
// (build first: npx nest build; BENCH_GATEWAY_ENTRY runs another build.)
import { checkMetrics } from './observability.mjs';
import { roundArgs, runMain, runPaired, startGoverned } from './paired-rounds.mjs';

const log = (msg) => process.stderr.write(`metrics-paired: ${msg}\n`);
const AA = process.argv.includes('--aa');

function variant(metrics) {
  const name = metrics ? 'metrics on' : 'metrics off';
  const enabled = metrics && !AA;
  return {
    name,
    async start(ctx) {
      const started = await startGoverned(ctx, name, { metrics: enabled });
      await checkMetrics(name, started.sut.origin, enabled);
      return started;
    },
  };
}

runMain(async () => {
  if (AA) log('A/A: both started with metrics off; "on" is the first started');
  await runPaired({
    label: 'metrics cost',
    variants: [variant(true), variant(false)],
    ...roundArgs(),
    log,
  });
}, log);
