import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';
import {
  CLUSTER_COLLECT_TIMEOUT_MS,
  type ClusterMetricsMessage,
  isClusterMetricsMessage,
  METRICS_COLLECT,
  METRICS_COLLECTED,
  METRICS_READY,
  METRICS_SCRAPE,
  METRICS_SCRAPED,
} from './cluster-metrics.protocol.js';

/** One scrape in progress: the workers it still waits for, and what the others reported. */
interface Collection {
  answer(worker: Worker, metrics: object[] | undefined, error: string | undefined): void;
  forget(worker: Worker): void;
}

/**
 * The primary's side of cluster-wide metrics: a worker forwards a scrape here, the primary reads
 * the registry of every worker that said it is ready, merges them with prom-client's
 * {@link AggregatorRegistry.aggregate} (counters and histograms summed, gauges by each metric's
 * `aggregator`) and answers the worker with the exposition text. prom-client's own
 * `clusterMetrics()` is not used: it asks every connected worker, including one still booting,
 * which cannot answer yet and would fail the scrape by timing out.
 */
export class ClusterMetricsAggregator {
  private readonly ready = new Set<Worker>();
  private readonly collections = new Map<number, Collection>();
  private nextId = 0;

  constructor(private readonly timeoutMs = CLUSTER_COLLECT_TIMEOUT_MS) {}

  /** Starts answering the workers' scrapes. */
  attach(): void {
    cluster.on('message', (worker, message: unknown) => this.receive(worker, message));
    cluster.on('exit', (worker) => this.gone(worker));
  }

  private receive(worker: Worker, message: unknown): void {
    if (!isClusterMetricsMessage(message)) return;
    switch (message.type) {
      case METRICS_READY:
        this.ready.add(worker);
        return;
      case METRICS_SCRAPE: {
        const id = message.id;
        this.collect().then(
          (text) => send(worker, { type: METRICS_SCRAPED, id, text }),
          (err: unknown) =>
            send(worker, {
              type: METRICS_SCRAPED,
              id,
              error: err instanceof Error ? err.message : String(err),
            }),
        );
        return;
      }
      case METRICS_COLLECTED:
        this.collections.get(message.id)?.answer(worker, message.metrics, message.error);
        return;
      case METRICS_COLLECT:
      case METRICS_SCRAPED:
        return;
    }
  }

  /** A worker that exited reports nothing more: scrapes waiting for it go on without it. */
  private gone(worker: Worker): void {
    this.ready.delete(worker);
    for (const collection of this.collections.values()) collection.forget(worker);
  }

  /** Every ready worker's registry, merged into one exposition text. */
  collect(): Promise<string> {
    const id = this.nextId++;
    const workers = [...this.ready].filter((worker) => worker.isConnected());
    const pending = new Set(workers);
    const reports: object[][] = [];
    return new Promise<string>((resolve, reject) => {
      const finish = (error?: Error) => {
        if (!this.collections.delete(id)) return;
        clearTimeout(timer);
        if (error !== undefined) return reject(error);
        AggregatorRegistry.aggregate(reports).metrics().then(resolve, reject);
      };
      const settle = () => {
        if (pending.size === 0) finish();
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `${pending.size} of ${workers.length} workers did not report their metrics within ${this.timeoutMs} ms`,
            ),
          ),
        this.timeoutMs,
      );
      timer.unref();
      this.collections.set(id, {
        answer: (worker, metrics, error) => {
          if (!pending.delete(worker)) return;
          if (error !== undefined || metrics === undefined) {
            finish(
              new Error(`worker ${worker.id} could not read its metrics: ${error ?? 'no answer'}`),
            );
            return;
          }
          reports.push(metrics);
          settle();
        },
        forget: (worker) => {
          pending.delete(worker);
          settle();
        },
      });
      for (const worker of workers) {
        // A worker whose channel closed meanwhile (it is stopping) is left out, as if it had exited.
        send(worker, { type: METRICS_COLLECT, id }, () => this.collections.get(id)?.forget(worker));
      }
      settle();
    });
  }
}

function send(worker: Worker, message: ClusterMetricsMessage, failed?: () => void): void {
  if (!worker.isConnected()) {
    failed?.();
    return;
  }
  worker.send(message, (err: Error | null) => {
    if (err !== null) failed?.();
  });
}
