// The prompt-token estimate's cost per call (issue 17): `estimatePromptTokens` from dist/ with the
// o200k tokenizer loaded (as with a budget configured), on the bench's chat messages, parsed
// from JSON beforehand so each call holds fresh strings as a parsed request body does.
//
//   node bench/token-estimate.mjs [--calls 100000] [--rounds 5]
//
// Three prompt mixes: every call the same (the bench's lane), the same system prompt with a
// different question each call, and every text different (nothing to look up). CPU is this
// thread's own (/proc/self/task/<tid>/stat), so other load on the machine lengthens a round but
// does not add to its figure. Figures: µs of CPU per call, median of the rounds (and range).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const DIST = join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist');
const CLK_TCK = 100;

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i === -1 ? fallback : Number(process.argv[i + 1]);
};
const CALLS = arg('calls', 100_000);
const ROUNDS = arg('rounds', 5);

const { estimatePromptTokens, loadTokenizer } = await import(
  pathToFileURL(join(DIST, 'providers/usage-estimate.js')).href
);
await loadTokenizer(16_384);

function threadCpuMicros() {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / CLK_TCK;
}

const SYSTEM = 'You are a concise assistant. Answer in two sentences at most.';
const QUESTION = 'What is the capital of France, and since when has it been the capital?';
const MIXES = {
  'same prompt every call': () => [SYSTEM, QUESTION],
  'same system prompt, new question': (i, r) => [SYSTEM, `${QUESTION} (case ${r}-${i})`],
  'every text new': (i, r) => [`${SYSTEM} (${r}-${i})`, `${QUESTION} (case ${r}-${i})`],
};

function bodies(mix, round) {
  const out = [];
  for (let i = 0; i < CALLS; i++) {
    const [system, user] = mix(i, round);
    out.push(
      JSON.parse(
        JSON.stringify({
          messages: [
            { role: 'system', content: system },
            { role: 'user', content: user },
          ],
        }),
      ).messages,
    );
  }
  return out;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
let sink = 0;
for (const [name, mix] of Object.entries(MIXES)) {
  estimatePromptTokens(bodies(mix, -1)[0]); // warm
  const perCall = [];
  for (let r = 0; r < ROUNDS; r++) {
    const all = bodies(mix, r);
    const before = threadCpuMicros();
    for (const messages of all) sink += estimatePromptTokens(messages);
    perCall.push((threadCpuMicros() - before) / CALLS);
  }
  const lo = Math.min(...perCall).toFixed(2);
  const hi = Math.max(...perCall).toFixed(2);
  console.log(`${name}: ${median(perCall).toFixed(2)} µs per call (${lo}-${hi})`);
}
if (sink === 0) console.log('unexpected: no tokens counted');
