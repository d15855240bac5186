import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Service, ServiceAccount } from 'kubernetes-models/v1';
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
