// The PII scan's cost per KB (docs/performance.md: "PII scan under 10 µs per KB"): the detector
// compiled by the engine in dist/ for every type (the installation default, `types: []`), run
// over generated texts in a tight loop, and its time on hostile inputs.
//
//   node bench/pii-scan.mjs [--json] [--quick] [--dist DIR]     (build first: npx nest build)
//
// --dist reads the engine from another build output (default: dist/ beside bench/).
// Figures, each the median of several timed runs (interleaved between the cases) after a warm-up,
// in µs per KB (1,024 UTF-16 code units) of text:
//   prose        English prose with a few PII values (one in about 700 characters)
//   dense        prose where every sentence carries PII: emails, phones, cards, IBANs, SSNs,
//                addresses, dates of birth, names, keys
//   json/code    a chat-completions request body and TypeScript source: numbers, ids, hashes,
//                timestamps, `key: value` pairs, URLs, and a few values among them
//   worst 1 MiB  text built to fire every trigger of the engine with a near miss (checksum
//                failures, version strings, 10-digit runs, `@` without a domain, keywords
//                without a value, hex and colons, key prefixes, salutations): the most work
//                per character that text can ask of it, over a whole MiB
// Hostile inputs (pathological for backtracking regexes), each scanned once after a warm-up,
// in ms: 20 MiB of digits, 1M `a` then `!`, 1M `@`, 1.1.1.1... over 20 MiB, a PEM header
// without END then 5 MB, aaaa@aaaa@... over 20 MiB.
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
const DIST = join(dirname(BENCH_DIR), 'dist');
/** The performance.md target, per KB of text. */
export const PII_SCAN_LIMIT_US_PER_KB = 10;
const MIB = 1024 * 1024;

async function loadEngine(dist) {
  const file = join(dist, 'governance/pii/detection/pii-detector.js');
  if (!existsSync(file)) {
    throw new Error(`${file} is missing: build first (npx nest build, or npm run bench)`);
  }
  return import(pathToFileURL(file).href);
}

/** A small deterministic generator (mulberry32), so every run scans the same texts. */
function random(seed) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const PROSE = [
  'The quarterly review covered the migration of the billing service to the new cluster.',
  'Most of the latency came from retries against the upstream provider during peak hours.',
  'We agreed to keep the rollout behind a feature flag until the error budget recovers.',
  'Could you summarise the customer feedback from last week and group it by theme?',
  'The onboarding guide still refers to the old dashboard; please update the screenshots.',
  'Several teams asked for a clearer explanation of how rate limits are applied per tenant.',
  'In the meantime, support will answer tickets with the workaround described below.',
  'Write a friendly reply that thanks the customer and explains the next steps in plain words.',
  "The model's answer was accurate but too long, so we trimmed it to three short paragraphs.",
  'Translate the following paragraph into French, keeping the product names unchanged.',
  'Our policy is to delete uploaded documents after thirty days unless the user opts in.',
  'The report shows 12 incidents in March, down from 19 in February, with no data loss.',
];
const PII_SENTENCES = [
  'You can reach me at jane.doe@example.com if anything is unclear.',
  'Call the office on (415) 555-0132 before noon.',
  'My date of birth is 04/12/1987, as on the form.',
  'Please ask Dr. Maria Gonzalez to review the draft.',
  'The invoice was paid with card 4111 1111 1111 1111 last Tuesday.',
  'Wire the refund to GB82 WEST 1234 5698 7654 32 please.',
  'His SSN is 219-09-9999 according to the intake sheet.',
  'The VPN endpoint is 203.0.113.42 and the backup is 2001:db8::8a2e:370:7334.',
  'The staging key is api_key=Zx8Qp2Lm7Vn4Rt1Ws9Ky3 and must be rotated.',
  'Reach Mr. Tom Becker on +44 20 7946 0958 for the contract.',
  'Her Aadhaar is 2345 6789 0124 and PAN ABCPE1234F.',
  'NPI: 1234567893, DEA number AB1234563, MRN: 00123456.',
];

function prose(size, piiEvery, seed) {
  const next = random(seed);
  const parts = [];
  let length = 0;
  let sincePii = 0;
  while (length < size) {
    const pii = sincePii >= piiEvery;
    const list = pii ? PII_SENTENCES : PROSE;
    const sentence = list[Math.floor(next() * list.length)];
    sincePii = pii ? 0 : sincePii + sentence.length;
    parts.push(sentence, next() < 0.2 ? '\n\n' : ' ');
    length += sentence.length + 1;
  }
  return parts.join('').slice(0, size);
}

function jsonAndCode(size) {
  const request = JSON.stringify(
    {
      model: 'gpt-4o-mini',
      temperature: 0.2,
      max_tokens: 1024,
      metadata: { request_id: 'req_8f14e45fceea167a5a36dedd4bea2543', created: 1717171717 },
      messages: [
        { role: 'system', content: 'You are a careful assistant. Answer in JSON.' },
        {
          role: 'user',
          content:
            'Extract the order lines: order 55231, 3 items, total 149.97 USD, ship to 10115.',
        },
        {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_9a8b7c6d5e4f',
              type: 'function',
              function: {
                name: 'lookup_customer',
                arguments:
                  '{"customer_id": 884213, "email": "ops@example.org", "since": "2024-01-31"}',
              },
            },
          ],
        },
      ],
      tools: [
        { type: 'function', function: { name: 'lookup_customer', parameters: { type: 'object' } } },
      ],
    },
    null,
    2,
  );
  const code = [
    "import { createHash } from 'node:crypto';",
    'export async function fetchOrders(client: HttpClient, since: Date): Promise<Order[]> {',
    '  const url = `https://api.example.com/v2/orders?since=${since.toISOString()}&limit=100`;',
    "  const res = await client.get(url, { timeout: 30_000, headers: { 'x-trace': traceId } });",
    '  if (res.status !== 200) throw new Error(`orders: HTTP ${res.status} after ${res.ms} ms`);',
    "  const digest = createHash('sha256').update(res.body).digest('hex'); // e3b0c44298fc1c14",
    '  return res.json().orders.map((o) => ({ id: o.id, total: o.total_cents / 100, at: o.ts }));',
    '}',
    'const RETRY_DELAYS_MS = [100, 250, 500, 1000, 2000];',
    "const VERSION = '1.12.3'; // build 20240601.4",
  ].join('\n');
  let text = '';
  while (text.length < size) text += `${request}\n${code}\n`;
  return text.slice(0, size);
}

/** Near misses for every trigger, cycled over a MiB. */
function worstCase(size) {
  const fragments = [
    '4111 1111 1111 1112 ',
    '5551234567 ',
    'v1.2.3.4.5 ',
    '000-12-3456 ',
    '@handle ',
    'user@host ',
    'password: string; ',
    'token: process.env.TOKEN ',
    'born in the spring ',
    'DOB 02/30/1990 ',
    'passport photos ',
    'NPI 1234567890 ',
    'GB82 WEST 1234 5698 7654 33 ',
    'AB1234567 ',
    'ABCPE1234 ',
    'dead:beef:cafe ',
    '12:30:45 ',
    '256.1.1.1 ',
    'AKIA12345 ',
    'sk-short ',
    'eyJnot.a ',
    'Dr. who ',
    'Mr ',
    '(555) 12-345 ',
    '+12 ',
    '1.1.1.1.1.1.1 ',
    '2345 6789 0123 ',
    'Bearer x ',
  ];
  let text = '';
  let i = 0;
  while (text.length < size) text += fragments[i++ % fragments.length];
  return text.slice(0, size);
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};

/** Times one run of `iterations` scans of `text`: µs per KB. */
function timeRun(detector, text, iterations) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) sink += detector.scan(text).length;
  const ns = Number(process.hrtime.bigint() - t0);
  // Keeps the work observable, so that nothing is optimised away.
  if (sink === -1) console.log('');
  return ns / iterations / 1000 / (text.length / 1024);
}

/**
 * Times every case: each warmed up, then the runs interleaved (A B C D, A B C D, ...) so that the
 * machine's drift touches every case alike; per case the median, min and max of its runs.
 */
function timeCases(detector, cases, { runs, budgetKb }) {
  const iterationsOf = (text) => Math.max(1, Math.round(budgetKb / (text.length / 1024)));
  for (const text of Object.values(cases)) timeRun(detector, text, iterationsOf(text));
  const perRun = Object.fromEntries(Object.keys(cases).map((name) => [name, []]));
  for (let r = 0; r < runs; r++) {
    for (const [name, text] of Object.entries(cases)) {
      perRun[name].push(timeRun(detector, text, iterationsOf(text)));
    }
  }
  return Object.fromEntries(
    Object.entries(cases).map(([name, text]) => {
      const values = perRun[name];
      return [
        name,
        {
          kb: text.length / 1024,
          findings: detector.scan(text).length,
          usPerKb: median(values),
          min: Math.min(...values),
          max: Math.max(...values),
          runsUsPerKb: values,
        },
      ];
    }),
  );
}

function hostileInputs() {
  return {
    digits20MiB: '7'.repeat(20 * MIB),
    aThenBang1M: `${'a'.repeat(1_000_000)}!`,
    at1M: '@'.repeat(1_000_000),
    dotted20MiB: '1.'.repeat(10 * MIB),
    pemWithoutEnd5MB: `-----BEGIN PRIVATE KEY-----\n${'A'.repeat(5_000_000)}`,
    aAtA20MiB: 'aaaa@'.repeat(4 * MIB),
  };
}

function timeHostile(detector) {
  const out = {};
  for (const [name, text] of Object.entries(hostileInputs())) {
    detector.scan(text.slice(0, 64 * 1024));
    const times = [];
    let findings = 0;
    for (let r = 0; r < 3; r++) {
      const t0 = process.hrtime.bigint();
      findings = detector.scan(text).length;
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    out[name] = { mib: text.length / MIB, ms: median(times), findings };
  }
  return out;
}

/** The texts timed, by case. */
export function piiScanTexts() {
  return {
    prose: prose(16 * 1024, 700, 1),
    dense: prose(16 * 1024, 0, 2),
    jsonCode: jsonAndCode(16 * 1024),
    worst1MiB: worstCase(MIB),
  };
}

/** Runs the micro-benchmark; returns the figures (what --json prints). */
export async function runPiiScan({ quick = false, dist = DIST } = {}) {
  const { compilePiiDetector } = await loadEngine(dist);
  const detector = compilePiiDetector({ types: new Set(), customPatterns: [] });
  const cases = piiScanTexts();
  const opts = quick ? { runs: 5, budgetKb: 4 * 1024 } : { runs: 9, budgetKb: 32 * 1024 };
  const figures = timeCases(detector, cases, opts);
  const hostile = timeHostile(detector);
  const typical = Math.max(figures.prose.usPerKb, figures.jsonCode.usPerKb);
  return {
    node: process.version,
    runs: opts.runs,
    kbPerRun: opts.budgetKb,
    ...figures,
    hostile,
    limitUsPerKb: PII_SCAN_LIMIT_US_PER_KB,
    met: typical < PII_SCAN_LIMIT_US_PER_KB,
  };
}

const us = (n) => `${n.toFixed(2)} µs/KB`;

/** The lines printed for the micro-benchmark. */
export function piiScanLines(r) {
  const row = (label, f) =>
    `  ${label.padEnd(28)} ${us(f.usPerKb).padStart(13)}   (runs ${us(f.min)} .. ${us(f.max)}; ${f.findings} findings in ${f.kb.toFixed(0)} KB)`;
  const hostile = Object.entries(r.hostile).map(
    ([name, h]) =>
      `  ${name.padEnd(28)} ${`${h.ms.toFixed(1)} ms`.padStart(13)}   (${h.mib.toFixed(1)} MiB, ${(h.mib / (h.ms / 1000)).toFixed(0)} MiB/s, ${h.findings} findings)`,
  );
  return [
    `PII scan, every type, median of ${r.runs} runs of ${r.kbPerRun.toLocaleString('en-US')} KB each:`,
    row('prose', r.prose),
    row('prose dense with PII', r.dense),
    row('json/code', r.jsonCode),
    row('worst case (1 MiB)', r.worst1MiB),
    'hostile inputs (median of 3 scans):',
    ...hostile,
    `  typical text (prose, json/code): target < ${r.limitUsPerKb} µs/KB: ${r.met ? 'met' : 'MISSED'}`,
  ];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const quick =
    args.includes('--quick') ||
    process.env.BENCH_QUICK === '1' ||
    process.env.BENCH_QUICK === 'true';
  const distAt = args.indexOf('--dist');
  const dist = distAt >= 0 ? resolve(args[distAt + 1]) : DIST;
  runPiiScan({ quick, dist }).then(
    (result) => {
      if (args.includes('--json')) {
        process.stdout.write(`${JSON.stringify({ event: 'result', result })}\n`);
      } else {
        console.log(piiScanLines(result).join('\n'));
      }
    },
    (err) => {
      console.error(`pii-scan: ${err.message}`);
      process.exit(1);
    },
  );
}
