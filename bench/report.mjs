// The table run.mjs prints: one column per target, added figures against the direct upstream, the
// gateway as a percentage of the reference, then the gateway against the targets of performance.md.
const GOVERNED = 'n/a (governance not built yet)';
const COLUMNS = [
  ['direct', 'direct upstream'],
  ['reference', 'reference proxy'],
  ['gateway', 'gateway'],
];

const int = (n) => (n === null || n === undefined ? '-' : Math.round(n).toLocaleString('en-US'));
const ms = (n, digits = 3) => (n === null || n === undefined ? '-' : n.toFixed(digits));
const signed = (n, digits = 3) => (n >= 0 ? `+${n.toFixed(digits)}` : n.toFixed(digits));
const pct = (n) => (n === null || n === undefined ? '-' : `${Math.round(n)}%`);

function withDelta(value, base, digits = 3) {
  if (value === null || value === undefined) return '-';
  if (base === null || base === undefined) return ms(value, digits);
  return `${ms(value, digits)} (${signed(value - base, digits)})`;
}

function table(rows, header) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  const line = (r) =>
    r
      .map((c, i) => (c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function throughputCell(key, r, ref) {
  const t = r.throughput;
  if (!t) return '-';
  const base = int(t.reqPerSec);
  if (key === 'gateway' && ref?.throughput) {
    return `${base} (${((100 * t.reqPerSec) / ref.throughput.reqPerSec).toFixed(1)}% of ref)`;
  }
  return base;
}

function failuresCell(r) {
  const t = r.throughput;
  if (!t) return '-';
  const lat = r.latency?.failures ?? 0;
  const str = (r.stream?.failures ?? 0) + (r.stream?.incomplete ?? 0);
  const parts = [t.non2xx, t.errors, t.timeouts, lat, str];
  return parts.every((p) => !p) ? 'none' : parts.join('/');
}

function cpuCell(key, r) {
  const c = r.throughput?.cpu;
  if (!c) return '-';
  if (key === 'direct') return 'n/a';
  return `${pct(c.targetProcessPercent)} / ${pct(c.othersOnSutCpuPercent)}`;
}

function loadCpuCell(r) {
  const c = r.throughput?.cpu;
  if (!c || c.loadCpuBusyPercent === undefined) return '-';
  return `${pct(c.loadCpuBusyPercent)} (${pct(c.othersOnLoadCpuPercent)})`;
}

function rssCell(r) {
  if (r.rssIdleMb === undefined) return 'n/a';
  return [r.rssIdleMb, r.throughput?.rssUnderLoadMb?.max, r.rssAfterLoadMb].map(int).join(' / ');
}

function verdict(ok) {
  if (ok === null) return 'n/a';
  return ok ? 'met' : 'MISSED';
}

function targetLines(results) {
  const gw = results.gateway;
  const ref = results.reference;
  const direct = results.direct;
  if (!gw) return [];
  const lines = [];
  const add = (what, target, figure, ok) => lines.push([what, target, figure, verdict(ok)]);
  const against = (have, why, fn) => (have ? fn() : { figure: why, ok: null });
  const added = (lane, pick) => (r) => pick(r[lane]) - pick(direct[lane]);

  let t = against(gw.throughput && ref?.throughput, 'not measured in this run', () => {
    const share = gw.throughput.reqPerSec / ref.throughput.reqPerSec;
    return { figure: `${(100 * share).toFixed(1)}%`, ok: share >= 0.6 };
  });
  add('non-streaming throughput (ungoverned)', '>= 60% of reference', t.figure, t.ok);
  add('non-streaming throughput, governed', '>= 60% of reference, >= 5x Portkey', GOVERNED, null);

  for (const [p, limit] of [
    ['p50', 0.3],
    ['p99', 1.5],
  ]) {
    t = against(gw.latency && direct?.latency, 'not measured in this run', () => {
      const v = added('latency', (l) => l.ms[p])(gw);
      return { figure: `${signed(v)} ms`, ok: v < limit };
    });
    add(`added latency ${p}, one connection`, `< ${limit} ms`, t.figure, t.ok);
  }

  t = against(gw.stream && direct?.stream, 'not measured in this run', () => {
    const v = added('stream', (l) => l.ttftMs.p50)(gw);
    return { figure: `${signed(v)} ms`, ok: v <= 1 };
  });
  add('time to first token vs direct (p50)', 'within 1 ms', t.figure, t.ok);

  // Buffering shows as chunks arriving together: fewer socket reads per stream and smaller gaps.
  t = against(gw.stream && direct?.stream, 'not measured in this run', () => {
    const readsGw = gw.stream.readsPerStream.p50;
    const readsDirect = direct.stream.readsPerStream.p50;
    const gapGw = gw.stream.meanGapPerStreamMs.p50;
    const gapDirect = direct.stream.meanGapPerStreamMs.p50;
    return {
      figure: `${readsGw} reads/stream (direct ${readsDirect}), gap ${ms(gapGw, 2)} ms (direct ${ms(gapDirect, 2)})`,
      ok: readsGw >= readsDirect * 0.75 && gapGw >= gapDirect * 0.75,
    };
  });
  add('no buffering of chunks', 'chunks arrive as sent', t.figure, t.ok);
  add('RSS idle', '< 150 MB', `${int(gw.rssIdleMb)} MB`, gw.rssIdleMb < 150);
  add('RSS with 1,000 concurrent streams', '< 300 MB', 'not measured by this bench', null);
  return lines;
}

function warnings(report) {
  const out = [];
  const { results, machine } = report;
  if (!machine.pinned) out.push(`not pinned (${machine.pinning.reason}): figures share both cores`);
  const busy = Object.entries(machine.busyBeforeRunPercent ?? {}).filter(([, p]) => p > 15);
  if (busy.length) {
    out.push(
      `the machine was busy before the run (${busy.map(([c, p]) => `CPU ${c} ${pct(p)}`).join(', ')}): compare ratios only, or rerun on a quiet machine`,
    );
  }
  for (const [key, label] of COLUMNS) {
    const r = results[key];
    if (!r) continue;
    const c = r.throughput?.cpu ?? {};
    if (key !== 'direct' && c.loadCpuBusyPercent > 90 && c.targetProcessPercent < 90) {
      out.push(
        `${label}: the load core was saturated (${pct(c.loadCpuBusyPercent)}) while the target used ${pct(c.targetProcessPercent)} of its core: its throughput is a floor`,
      );
    }
    for (const lane of ['latency', 'stream', 'throughput']) {
      const lc = r[lane]?.cpu ?? {};
      if (lc.othersOnSutCpuPercent > 10) {
        out.push(
          `${label}, ${lane} lane: other processes took ${pct(lc.othersOnSutCpuPercent)} of the target's core: figures unreliable`,
        );
      }
      if (lc.othersOnLoadCpuPercent > 10) {
        out.push(
          `${label}, ${lane} lane: other processes took ${pct(lc.othersOnLoadCpuPercent)} of the load core`,
        );
      }
    }
    if (r.throughput && (r.throughput.non2xx || r.throughput.errors || r.throughput.timeouts)) {
      out.push(
        `${label}: throughput run had failures ${JSON.stringify(r.throughput.statusCodes)}, errors ${r.throughput.errors}, timeouts ${r.throughput.timeouts}: only 2xx count`,
      );
    }
    if (r.stream?.wrongFrameCount) {
      out.push(
        `${label}: ${r.stream.wrongFrameCount} streams had ${r.stream.framesPerStream} data frames, expected ${report.config.streamDataFramesExpected}`,
      );
    }
  }
  return out;
}

export function printReport(report) {
  const { results, machine, config } = report;
  const present = COLUMNS.filter(([key]) => results[key]);
  const cell = (fn) => present.map(([key]) => fn(key, results[key]));
  const direct = results.direct;
  const ref = results.reference;

  const rows = [
    [
      `throughput, req/s (${config.connections} conn)`,
      ...cell((k, r) => throughputCell(k, r, ref)),
    ],
    ['  failures (non2xx/err/timeout/lat/stream)', ...cell((_, r) => failuresCell(r))],
    ['  CPU: target process / others on its core', ...cell((k, r) => cpuCell(k, r))],
    ['  CPU: load core busy (others)', ...cell((_, r) => loadCpuCell(r))],
    [
      'latency p50, 1 conn, ms (added)',
      ...cell((k, r) =>
        withDelta(r.latency?.ms.p50, k === 'direct' ? null : direct?.latency?.ms.p50),
      ),
    ],
    [
      'latency p99, 1 conn, ms (added)',
      ...cell((k, r) =>
        withDelta(r.latency?.ms.p99, k === 'direct' ? null : direct?.latency?.ms.p99),
      ),
    ],
    [
      'stream TTFT p50, ms (added)',
      ...cell((k, r) =>
        withDelta(r.stream?.ttftMs.p50, k === 'direct' ? null : direct?.stream?.ttftMs.p50),
      ),
    ],
    [
      'stream TTFT p99, ms (added)',
      ...cell((k, r) =>
        withDelta(r.stream?.ttftMs.p99, k === 'direct' ? null : direct?.stream?.ttftMs.p99),
      ),
    ],
    [
      'stream inter-chunk gap mean, ms',
      ...cell((k, r) =>
        withDelta(r.stream?.gapMs.mean, k === 'direct' ? null : direct?.stream?.gapMs.mean, 2),
      ),
    ],
    ['RSS idle / load / after, MB', ...cell((_, r) => rssCell(r))],
    ['governed lane', ...cell((k) => (k === 'gateway' ? GOVERNED : '-'))],
  ];

  const pin = machine.pinned
    ? `pinned: upstream + load on CPU ${machine.pinning.loadAndUpstreamCpu}, system under test alone on CPU ${machine.pinning.systemUnderTestCpu}`
    : `NOT pinned: ${machine.pinning.reason}`;
  console.log('');
  console.log(
    `LLM gateway benchmark, ${report.startedAt}${config.quick ? ' (quick mode: smoke figures only)' : ''}`,
  );
  console.log(`node ${machine.node}, ${machine.cpuModel} x${machine.cpuCount}; ${pin}`);
  console.log(
    `throughput: ${config.warmupS} s warm-up + ${config.durationS} s; latency: ${config.latencyS} s at one connection; ` +
      `streams: ${config.streams} x ${config.streamDataFramesExpected} chunks, ${config.chunkDelayMs} ms apart`,
  );
  console.log('');
  console.log(table(rows, ['', ...present.map(([, label]) => label)]));

  const goals = targetLines(results);
  if (goals.length) {
    console.log('\ngateway against performance.md targets');
    console.log(table(goals, ['lane', 'target', 'this run', '']));
  }
  const warn = warnings(report);
  if (warn.length) {
    console.log('\nnotes');
    for (const w of warn) console.log(`- ${w}`);
  }
}
