/*
 * The messages cluster mode's workers and primary exchange over node:cluster's IPC channel so
 * that one scrape of `GET /metrics`, whichever worker takes it, reports the whole process group.
 * A worker announces that its registry can be read (`ready`), forwards a scrape (`scrape`); the
 * primary reads every ready worker's registry (`collect` / `collected`), merges them with
 * prom-client's `AggregatorRegistry.aggregate` and hands the text back (`scraped`).
 */

export const METRICS_READY = 'gateway:metrics-ready';
export const METRICS_SCRAPE = 'gateway:metrics-scrape';
export const METRICS_COLLECT = 'gateway:metrics-collect';
export const METRICS_COLLECTED = 'gateway:metrics-collected';
export const METRICS_SCRAPED = 'gateway:metrics-scraped';

/**
 * How long the primary waits for every worker's registry. Below Prometheus's default scrape
 * timeout (10 s), so a hung worker makes one failed scrape, not a stuck one.
 */
export const CLUSTER_COLLECT_TIMEOUT_MS = 4_000;
/** How long a worker waits for the primary's answer: the primary's own timeout, plus room. */
export const CLUSTER_SCRAPE_TIMEOUT_MS = CLUSTER_COLLECT_TIMEOUT_MS + 1_000;

export type ClusterMetricsMessage =
  | { readonly type: typeof METRICS_READY }
  | { readonly type: typeof METRICS_SCRAPE; readonly id: number }
  | { readonly type: typeof METRICS_COLLECT; readonly id: number }
  | {
      readonly type: typeof METRICS_COLLECTED;
      readonly id: number;
      /** `Registry.getMetricsAsJSON()` of the worker's registry. */
      readonly metrics?: object[];
      readonly error?: string;
    }
  | {
      readonly type: typeof METRICS_SCRAPED;
      readonly id: number;
      readonly text?: string;
      readonly error?: string;
    };

const TYPES: ReadonlySet<string> = new Set([
  METRICS_READY,
  METRICS_SCRAPE,
  METRICS_COLLECT,
  METRICS_COLLECTED,
  METRICS_SCRAPED,
]);

/** One of ours (other IPC traffic, e.g. prom-client's own, is left alone). */
export function isClusterMetricsMessage(message: unknown): message is ClusterMetricsMessage {
  if (typeof message !== 'object' || message === null) return false;
  const { type, id } = message as { type?: unknown; id?: unknown };
  if (typeof type !== 'string' || !TYPES.has(type)) return false;
  return type === METRICS_READY || typeof id === 'number';
}
