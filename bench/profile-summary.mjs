// Summarises a V8 CPU profile (.cpuprofile, as `node --cpu-prof` writes): where the time went, by
// function and by package, self and inclusive.
//
//   node bench/profile-summary.mjs <file.cpuprofile | folder> [--top 25] [--match text]
//                                  [--from s] [--to s] [--requests n]
//
// A folder means its newest .cpuprofile. Percentages are of the busy time (every sample but
// "(idle)"); the header gives the idle share. Tables:
//   - functions by inclusive time (time with the function anywhere on the stack, once per sample
//     even when recursive) and by self time (time with it at the top of the stack);
//   - packages (an npm package, a folder of our src/, a Node core module, or one of V8's "(gc)",
//     "(program)", "(native)") by inclusive and self time;
//   - "owners": each sample charged to the nearest frame that is not Node core or native code, so
//     that Node's stream machinery under undici counts as undici and JSON.parse in Fastify as
//     Fastify; except the socket write system calls themselves (native writev / write*String at the
//     top of the stack), which are their own owner, "(socket writes)": every proxy pays them, and
//     their cost depends on the machine more than on the code above them;
//   - groups: owners gathered into framework / our code / validation / upstream client / ...
// Frames of dist/*.js are shown as their src/*.ts line, through the build's source maps when found.
// --match text keeps only functions whose name or location contains the text (for a closer look).
// --from / --to keep the samples of that window, in seconds from the start of the profile (the
// process's start with --cpu-prof): profile.mjs passes the measured load's window.
// --requests n (the requests answered in that window) shows time as µs per request instead of ms,
// which compares targets of different throughput (the gateway against the reference proxy).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { groupOf, isSocketWrite, locationOf, ownerless, packageOf } from './profile-frames.mjs';

// ---- arguments ----

function parseArgs(argv) {
  const out = { top: 25, match: null, file: null, from: 0, to: Infinity, requests: null };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--top') out.top = Number(argv[++i]);
    else if (a === '--match') out.match = argv[++i];
    else if (a === '--from') out.from = Number(argv[++i]);
    else if (a === '--to') out.to = Number(argv[++i]);
    else if (a === '--requests') out.requests = Number(argv[++i]);
    else if (a === '-h' || a === '--help') out.help = true;
    else out.file = a;
  }
  return out;
}

function resolveProfile(path) {
  if (!statSync(path).isDirectory()) return path;
  const files = readdirSync(path)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => join(path, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (!files.length) throw new Error(`no .cpuprofile in ${path}`);
  return files[0];
}

// ---- the profile ----

function load(file, fromS = 0, toS = Infinity) {
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  const nodes = new Map();
  for (const n of profile.nodes) nodes.set(n.id, { ...n, parent: null, self: 0 });
  for (const n of nodes.values()) {
    for (const c of n.children ?? []) nodes.get(c).parent = n;
  }
  // Sample i lasts until sample i+1 (timeDeltas[i+1]); the last one gets the mean interval.
  const { samples, timeDeltas } = profile;
  const total = profile.endTime - profile.startTime;
  const mean = samples.length ? total / samples.length : 0;
  let at = 0; // µs since the profile started
  let kept = 0;
  let first = null;
  let last = 0;
  for (let i = 0; i < samples.length; i++) {
    at += timeDeltas[i];
    const s = at / 1e6;
    if (s < fromS || s >= toS) continue;
    const dt = i + 1 < timeDeltas.length ? timeDeltas[i + 1] : mean;
    nodes.get(samples[i]).self += Math.max(0, dt);
    kept++;
    first ??= at;
    last = at + Math.max(0, dt);
  }
  return {
    profile,
    nodes,
    totalUs: total,
    windowUs: first === null ? 0 : last - first,
    sampleCount: kept,
    allSamples: samples.length,
  };
}

function functionKey(frame) {
  return `${frame.functionName || '(anonymous)'}\u0000${frame.url}\u0000${frame.lineNumber}\u0000${frame.columnNumber}`;
}

function summarise({ nodes }) {
  const fn = new Map(); // key -> { frame, self, incl }
  const pkg = new Map(); // pkg -> { self, incl }
  const owner = new Map(); // owner pkg -> time
  const ownerFn = new Map(); // key of the owning frame -> { frame, time }
  const entry = (map, key, init) => {
    let e = map.get(key);
    if (!e) map.set(key, (e = init()));
    return e;
  };
  let busy = 0;
  let idle = 0;
  for (const node of nodes.values()) {
    if (node.self === 0) continue;
    const leaf = node.callFrame;
    if (leaf.functionName === '(idle)') {
      idle += node.self;
      continue;
    }
    busy += node.self;
    const seenFn = new Set();
    const seenPkg = new Set();
    let ownerPkg = isSocketWrite(leaf) ? '(socket writes)' : null;
    let ownerFrame = ownerPkg ? leaf : null;
    for (let n = node; n; n = n.parent) {
      const frame = n.callFrame;
      if (frame.functionName === '(root)') break;
      const key = functionKey(frame);
      const p = packageOf(frame);
      const f = entry(fn, key, () => ({ frame, self: 0, incl: 0 }));
      if (n === node) f.self += node.self;
      if (!seenFn.has(key)) {
        seenFn.add(key);
        f.incl += node.self;
      }
      const pe = entry(pkg, p, () => ({ self: 0, incl: 0 }));
      if (n === node) pe.self += node.self;
      if (!seenPkg.has(p)) {
        seenPkg.add(p);
        pe.incl += node.self;
      }
      if (ownerPkg === null && !ownerless(p)) {
        ownerPkg = p;
        ownerFrame = frame;
      }
    }
    // Only Node core and native frames on the stack (timers, socket callbacks): Node owns it.
    if (ownerPkg === null) {
      ownerPkg = packageOf(leaf);
      ownerFrame = leaf;
    }
    owner.set(ownerPkg, (owner.get(ownerPkg) ?? 0) + node.self);
    const of = entry(ownerFn, functionKey(ownerFrame), () => ({ frame: ownerFrame, time: 0 }));
    of.time += node.self;
  }
  return { fn, pkg, owner, ownerFn, busy, idle };
}

// ---- printing ----

/** The time column: ms in the window, or µs per request with --requests. */
const time = { label: 'ms', fmt: (us) => (us / 1000).toFixed(0) };
const fmtMs = (us) => time.fmt(us);
const fmtPct = (us, busy) => `${((100 * us) / busy).toFixed(1)}%`;

function table(rows, header) {
  const all = [header, ...rows];
  const widths = header.map((_, i) => Math.max(...all.map((r) => String(r[i] ?? '').length)));
  const right = header.map((h) => /ms|%|req/.test(h));
  const line = (r) =>
    r
      .map((c, i) => (right[i] ? String(c).padStart(widths[i]) : String(c).padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

function printFunctions(title, list, value, busy, top) {
  console.log(`\n${title}`);
  const rows = list
    .sort((a, b) => value(b) - value(a))
    .slice(0, top)
    .map((e, i) => [
      String(i + 1),
      fmtPct(value(e), busy),
      fmtMs(value(e)),
      fmtPct(e.self, busy),
      e.frame.functionName || '(anonymous)',
      packageOf(e.frame),
      locationOf(e.frame),
    ]);
  console.log(table(rows, ['#', '% busy', time.label, 'self %', 'function', 'package', 'where']));
}

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (args.help || !args.file) {
    console.log(
      'usage: node bench/profile-summary.mjs <file.cpuprofile | folder> [--top 25] [--match text]',
    );
    process.exit(args.help ? 0 : 2);
  }
  const file = resolveProfile(args.file);
  const loaded = load(file, args.from, args.to);
  const s = summarise(loaded);
  const { busy, idle, top } = { ...s, top: args.top };
  const total = busy + idle;
  if (args.requests > 0) {
    time.label = 'µs/req';
    time.fmt = (us) => (us / args.requests).toFixed(1);
  }
  console.log(`profile: ${file}`);
  console.log(
    `${loaded.sampleCount.toLocaleString('en-US')} samples over ${(loaded.windowUs / 1e6).toFixed(1)} s` +
      (loaded.sampleCount < loaded.allSamples
        ? ` (window ${args.from}..${args.to} s of a ${(loaded.totalUs / 1e6).toFixed(1)} s profile)`
        : '') +
      '; ' +
      `busy ${(busy / 1e6).toFixed(2)} s, idle ${(idle / 1e6).toFixed(2)} s ` +
      `(${((100 * idle) / total).toFixed(1)}% idle). Percentages are of the busy time.`,
  );
  if (args.requests > 0) {
    console.log(
      `${args.requests.toLocaleString('en-US')} requests: ${(busy / args.requests).toFixed(1)} µs of busy time per request`,
    );
  }

  let fns = [...s.fn.values()];
  if (args.match) {
    const m = args.match.toLowerCase();
    fns = fns.filter((e) =>
      `${e.frame.functionName} ${e.frame.url} ${locationOf(e.frame)}`.toLowerCase().includes(m),
    );
  }
  printFunctions(`top ${top} functions by inclusive time`, fns, (e) => e.incl, busy, top);
  printFunctions(`top ${top} functions by self time`, fns, (e) => e.self, busy, top);
  if (args.match) return;

  console.log(`\npackages (inclusive: on the stack; self: at the top of the stack)`);
  const pkgRows = [...s.pkg.entries()]
    .sort((a, b) => b[1].incl - a[1].incl)
    .slice(0, top)
    .map(([p, e]) => [p, groupOf(p), fmtPct(e.incl, busy), fmtPct(e.self, busy)]);
  console.log(table(pkgRows, ['package', 'group', 'incl %', 'self %']));

  console.log(
    '\nowners (each sample charged to its nearest frame outside Node core and native code)',
  );
  const ownerRows = [...s.owner.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([p, t]) => [p, groupOf(p), fmtPct(t, busy), fmtMs(t)]);
  console.log(table(ownerRows, ['owner', 'group', '% busy', time.label]));

  const groups = new Map();
  for (const [p, t] of s.owner) groups.set(groupOf(p), (groups.get(groupOf(p)) ?? 0) + t);
  console.log('\ngroups (owners gathered)');
  console.log(
    table(
      [...groups.entries()]
        .sort((a, b) => b[1] - a[1])
        .map(([g, t]) => [g, fmtPct(t, busy), fmtMs(t)]),
      ['group', '% busy', time.label],
    ),
  );

  console.log(`\ntop ${top} owning frames (the frame each sample was charged to)`);
  const ofRows = [...s.ownerFn.values()]
    .sort((a, b) => b.time - a.time)
    .slice(0, top)
    .map((e, i) => [
      String(i + 1),
      fmtPct(e.time, busy),
      e.frame.functionName || '(anonymous)',
      packageOf(e.frame),
      locationOf(e.frame),
    ]);
  console.log(table(ofRows, ['#', '% busy', 'function', 'package', 'where']));
}

main();
