#!/usr/bin/env node
// Runs the unit tests, the end-to-end tests, then the console's browser tests, each with jest's
// normal output, and ends with one plain summary line ("N passed, N failed") that CI and humans
// can read at a glance. Extra arguments go to every jest run (e.g. `npm test -- --testNamePattern=mock`).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Suites that run the gateway as real processes (replicas, the CLI) start `dist/`: build it first,
// so they test this tree and never skip.
const build = spawnSync('npm', ['run', '-s', 'build'], { stdio: 'inherit' });
if (build.status !== 0) {
  console.error('npm run build failed: no test was run');
  console.log('\n0 passed, 1 failed');
  process.exit(1);
}

const suites = [
  { name: 'unit', config: 'jest.config.js', extra: [] },
  // --forceExit: every suite closes what it opened, but one handle (not a socket, timer or child
  // process: none is listed when it happens) outlives the last suite of a full run now and then,
  // and jest would wait for it forever; the results are written before it exits.
  { name: 'e2e', config: 'jest.e2e.config.js', extra: ['--runInBand', '--forceExit'] },
  // The web console in a real headless Chromium (Debian's /usr/bin/chromium), against a gateway
  // started in the test: `npm run build` above bundled the console into dist/console/.
  { name: 'browser', config: 'jest.browser.config.js', extra: ['--runInBand', '--forceExit'] },
];
const passthrough = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'gateway-tests-'));
let passed = 0;
let failed = 0;
let exitCode = 0;

for (const suite of suites) {
  const out = join(dir, `${suite.name}.json`);
  const run = spawnSync(
    process.execPath,
    [
      '--experimental-vm-modules',
      '--disable-warning=ExperimentalWarning',
      'node_modules/jest/bin/jest.js',
      '--config',
      suite.config,
      '--json',
      '--outputFile',
      out,
      ...suite.extra,
      ...passthrough,
    ],
    { stdio: 'inherit' },
  );
  if (run.status !== 0) exitCode = 1;
  try {
    const result = JSON.parse(readFileSync(out, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    // A suite that failed to load counts as a failure even if no test inside it ran.
    failed += result.numRuntimeErrorTestSuites;
  } catch {
    console.error(`${suite.name} tests produced no result file`);
    exitCode = 1;
  }
}
rmSync(dir, { recursive: true, force: true });
if (passed === 0) exitCode = 1;
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(exitCode || (failed > 0 ? 1 : 0));
