import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
import { resolve } from 'node:path';
import ts from 'typescript';
import type { Manifest } from './helm-chart.js';

/**
 * Models generated from the Kubernetes API's OpenAPI schemas (and the Prometheus Operator's
 * CRDs), by `apiVersion` and `kind`: every kind the chart renders, and no other.
 */
const MODELS: Record<string, { validate(data: unknown): void } | undefined> = {
  'v1/ConfigMap': { validate: (d) => new ConfigMap(d as never).validate() },
  'v1/Service': { validate: (d) => new Service(d as never).validate() },
  'v1/ServiceAccount': { validate: (d) => new ServiceAccount(d as never).validate() },
  'apps/v1/Deployment': { validate: (d) => new Deployment(d as never).validate() },
  'autoscaling/v2/HorizontalPodAutoscaler': {
    validate: (d) => new HorizontalPodAutoscaler(d as never).validate(),
  },
  'policy/v1/PodDisruptionBudget': {
    validate: (d) => new PodDisruptionBudget(d as never).validate(),
  },
  'networking.k8s.io/v1/Ingress': { validate: (d) => new Ingress(d as never).validate() },
  'monitoring.coreos.com/v1/ServiceMonitor': {
    validate: (d) => new ServiceMonitor(d as never).validate(),
  },
};

/**
 * Validates a manifest against its API schema (types, required fields, enums, formats).
 * @throws Error naming the manifest and the first problems, or an unknown kind.
 */
export function validateManifest(manifest: Manifest): void {
  const id = `${manifest.apiVersion}/${manifest.kind}`;
  const model = MODELS[id];
  if (model === undefined) throw new Error(`no API schema known for ${id}: add it to MODELS`);
  try {
    model.validate(manifest);
  } catch (err) {
    throw new Error(`${id} ${manifest.metadata?.name}: ${(err as Error).message}`, { cause: err });
  }
}

/** The TypeScript interface of each kind (from the same generated models), for field names. */
const TYPES: Record<string, [module: string, type: string]> = {
  'v1/ConfigMap': ['kubernetes-models/v1/ConfigMap', 'IConfigMap'],
  'v1/Service': ['kubernetes-models/v1/Service', 'IService'],
  'v1/ServiceAccount': ['kubernetes-models/v1/ServiceAccount', 'IServiceAccount'],
  'apps/v1/Deployment': ['kubernetes-models/apps/v1/Deployment', 'IDeployment'],
  'autoscaling/v2/HorizontalPodAutoscaler': [
    'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler',
    'IHorizontalPodAutoscaler',
  ],
  'policy/v1/PodDisruptionBudget': [
    'kubernetes-models/policy/v1/PodDisruptionBudget',
    'IPodDisruptionBudget',
  ],
  'networking.k8s.io/v1/Ingress': ['kubernetes-models/networking.k8s.io/v1/Ingress', 'IIngress'],
  'monitoring.coreos.com/v1/ServiceMonitor': [
    '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor',
    'IServiceMonitor',
  ],
};

/**
 * Fields the API does not know. The OpenAPI schemas allow unknown fields (the API server drops
 * them, or refuses them under strict field validation, as Helm 4's server-side apply asks), so
 * the manifests are type-checked as object literals against the models' interfaces, where
 * TypeScript's excess-property check names every unknown or misplaced field.
 * @returns one message per problem, empty when every field is known.
 */
export function unknownFields(manifests: readonly Manifest[]): string[] {
  const file = resolve('test/helpers/.rendered-manifests.ts');
  const lines: string[] = [];
  manifests.forEach((manifest, i) => {
    const id = `${manifest.apiVersion}/${manifest.kind}`;
    const type = TYPES[id];
    if (type === undefined) throw new Error(`no API type known for ${id}: add it to TYPES`);
    lines.push(`import type { ${type[1]} as T${i} } from '${type[0]}';`);
    lines.push(`export const m${i}: T${i} = ${JSON.stringify(manifest)};`);
  });
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2023,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const text = lines.join('\n');
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, ...rest) =>
    name === file
      ? ts.createSourceFile(name, text, version, true)
      : getSourceFile(name, version, ...rest);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;
  return ts.getPreEmitDiagnostics(program, source).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    // Two lines per manifest: its import, then its literal.
    const line = source.getLineAndCharacterOfPosition(d.start ?? 0).line;
    const index = Math.floor(line / 2);
    const manifest = manifests[index];
    return `${manifest ? `${manifest.kind} ${manifest.metadata?.name}: ` : ''}${message}`;
  });
}
