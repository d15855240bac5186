// The governed gateway's memory (issue 14), the `gateway-governed-rss` target: idle RSS, the peak
// with 1,000 streams open at once, and RSS after a short soak of mixed load. It has its own fake
// upstream, which spaces its chunks BENCH_RSS_CHUNK_DELAY_MS apart (1 s: a stream lasts about 13 s,
// so all of them overlap), and its own governed gateway, allowed as many upstream connections as
// there are streams. VmRSS is read from /proc/<pid>/status while the load runs.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { STREAM_DATA_FRAMES } from './fake-upstream.mjs';
import { bearerHeaders } from './payloads.mjs';
import { DENIED_MODEL } from './policies.mjs';
import { rssMb, runToResult, spawnNode, stopChild } from './processes.mjs';
import { checkKeyIsVerified, removeTempDir, startGateway, startUpstream } from './targets.mjs';
import { checkMetrics } from './observability.mjs';

/** Issue 14's target: 1,000 concurrent streams under 300 MB RSS. */
export const STREAMS_RSS_LIMIT_MB = 300;

/** Runs an rss-lanes.mjs child beside the upstream, sampling the target's RSS every `everyMs`. */
async function sampledLane(ctx, spec, pid, everyMs) {
  const samples = [];
  const t0 = Date.now();
  const sample = () => {
    const rss = rssMb(pid);
    if (rss !== null) samples.push([Date.now() - t0, rss]);
  };
  const timer = setInterval(sample, everyMs);
  let result;
  try {
    result = await runToResult(
      spawnNode(
        `load (${spec.lane})`,
        [join(ctx.benchDir, 'rss-lanes.mjs'), JSON.stringify(spec)],
        {
          pinning: ctx.pinning,
          cpu: ctx.pinning.loadCpu,
          env: process.env,
          cwd: ctx.root,
        },
      ),
    );
  } finally {
    clearInterval(timer);
  }
  sample();
  const values = samples.map(([, v]) => v);
  return { ...result, rssPeakMb: Math.max(...values), rssSamples: samples };
}

/** Lowest RSS over a slice of the samples (the floor a leak would raise). */
function floorMb(samples, from, to) {
  const slice = samples.slice(Math.floor(samples.length * from), Math.ceil(samples.length * to));
  return slice.length ? Math.min(...slice.map(([, v]) => v)) : null;
}

export async function measureRss(ctx, { apiKey, log }) {
  const { cfg } = ctx;
  const upstream = await startUpstream(ctx, { chunkDelayMs: cfg.rssChunkDelayMs });
  let sut;
  try {
    sut = await startGateway(ctx, {
      apiKey,
      governed: true,
      upstreamOrigin: upstream.origin,
      upstreamConnections: cfg.rssStreams + 24,
      label: 'gateway (governed, RSS)',
    });
    const name = 'gateway (governed, RSS)';
    await checkKeyIsVerified(name, sut.origin);
    await checkMetrics(name, sut.origin, true);
    await sleep(cfg.settleS * 1000);
    const out = { startupMs: sut.startupMs, rssIdleMb: rssMb(sut.pid) };
    const common = {
      origin: sut.origin,
      apiKey,
      expectedFrames: STREAM_DATA_FRAMES.withUsage,
    };
    log(
      `${name}: ${cfg.rssStreams} streams at once (chunks ${cfg.rssChunkDelayMs} ms apart), RSS every 100 ms`,
    );
    out.concurrent = await sampledLane(
      ctx,
      { lane: 'concurrent', count: cfg.rssStreams, ...common },
      sut.pid,
      100,
    );
    await sleep(cfg.settleS * 1000);
    out.rssAfterStreamsMb = rssMb(sut.pid);
    log(
      `${name}: soak, ${cfg.soakS} s of mixed load (JSON at ${cfg.soakConnections} connections, ` +
        `${cfg.soakStreams} streams open, refusals), RSS every second`,
    );
    out.soak = await sampledLane(
      ctx,
      {
        lane: 'soak',
        seconds: cfg.soakS,
        connections: cfg.soakConnections,
        streams: cfg.soakStreams,
        deniedModel: DENIED_MODEL,
        ...common,
      },
      sut.pid,
      1000,
    );
    out.soak.rssFloorSecondQuarterMb = floorMb(out.soak.rssSamples, 0.25, 0.5);
    out.soak.rssFloorLastQuarterMb = floorMb(out.soak.rssSamples, 0.75, 1);
    await sleep(cfg.settleS * 1000);
    out.rssAfterSoakMb = rssMb(sut.pid);
    if (out.concurrent.completed === 0) {
      throw new Error(
        `${name}: none of the ${cfg.rssStreams} streams completed (last error: ${out.concurrent.lastError})`,
      );
    }
    return out;
  } finally {
    if (sut) {
      await stopChild(sut.child);
      removeTempDir(sut.dir);
    }
    await stopChild(upstream.child);
  }
}

export function rssLines(report) {
  const r = report.results?.['gateway-governed-rss'];
  if (!r) return [];
  const mb = (n) => (n === null || n === undefined ? 'n/a' : `${Math.round(n)} MB`);
  const c = r.concurrent;
  const s = r.soak;
  const verdict = c.rssPeakMb < STREAMS_RSS_LIMIT_MB ? 'ok' : 'OVER TARGET';
  const lines = [
    `memory, governed gateway (VmRSS): idle ${mb(r.rssIdleMb)}`,
    `  ${c.count.toLocaleString('en-US')} streams opened at once: peak ${mb(c.rssPeakMb)} ` +
      `(target under ${STREAMS_RSS_LIMIT_MB} MB: ${verdict}); at most ${c.maxOpen} open together; ` +
      `${c.completed} complete, ${c.incomplete} incomplete, ${c.failed} failed` +
      `${c.lastError ? ` (last: ${c.lastError})` : ''}; ${c.seconds.toFixed(1)} s; after: ${mb(r.rssAfterStreamsMb)}`,
  ];
  if (s) {
    lines.push(
      `  soak ${s.seconds} s: ${s.json.ok.toLocaleString('en-US')} JSON calls ` +
        `(${s.json.non2xx + s.json.errors + s.json.timeouts} failed), ${s.streams.completed} streams ` +
        `(${s.streams.incomplete + s.streams.failed} failed), ${s.refusals.expected} refusals ` +
        `(${s.refusals.wrong} wrong); RSS peak ${mb(s.rssPeakMb)}, floor ${mb(s.rssFloorSecondQuarterMb)} ` +
        `in the 2nd quarter, ${mb(s.rssFloorLastQuarterMb)} in the last; after: ${mb(r.rssAfterSoakMb)}`,
    );
  }
  return lines;
}
