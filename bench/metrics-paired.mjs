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
import { randomBytes } from 'node:crypto';
import { bearerHeaders } from './payloads.mjs';
import { checkMetrics } from './observability.mjs';
import { arg, runMain, runPaired } from './paired-rounds.mjs';
import { checkPoliciesEnforced, checkTarget, startGateway } from './targets.mjs';

const log = (msg) => process.stderr.write(`metrics-paired: ${msg}\n`);
const AA = process.argv.includes('--aa');

function variant(metrics) {
  const name = metrics ? 'metrics on' : 'metrics off';
  const enabled = metrics && !AA;
  return {
    name,
    async start(ctx) {
      const apiKey = `gw_${randomBytes(20).toString('hex')}`;
      const sut = await startGateway(ctx, {
        apiKey,
        governed: true,
        metrics: enabled,
        label: name,
      });
      const headers = bearerHeaders(apiKey);
      await checkPoliciesEnforced(name, sut, apiKey);
      await checkTarget(name, sut.origin, headers);
      await checkMetrics(name, sut.origin, enabled);
      return { sut, headers };
    },
  };
}

runMain(async () => {
  if (AA) log('A/A: both started with metrics off; "on" is the first started');
  await runPaired({
    label: 'metrics cost',
    variants: [variant(true), variant(false)],
    rounds: arg('rounds', 6),
    seconds: arg('seconds', 6),
    warmup: arg('warmup', 2),
    connections: arg('connections', 50),
    log,
  });
}, log);
