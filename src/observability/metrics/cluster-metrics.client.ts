import type { Registry } from 'prom-client';
import {
  CLUSTER_SCRAPE_TIMEOUT_MS,
  type ClusterMetricsMessage,
  isClusterMetricsMessage,
  METRICS_COLLECT,
  METRICS_COLLECTED,
  METRICS_READY,
  METRICS_SCRAPE,
  METRICS_SCRAPED,
} from '../../cluster/cluster-metrics.protocol.js';
import { ErrorCode } from '../../common/errors/error-code.js';
import { GatewayError } from '../../common/errors/gateway-error.js';

interface Waiting {
  resolve(text: string): void;
  reject(error: Error): void;
  readonly timer: NodeJS.Timeout;
}

/**
 * A cluster worker's side of cluster-wide metrics: it lets the primary read this worker's
 * registry, and turns a scrape into a request to the primary, which answers with every worker's
 * registry merged (`cluster-metrics.aggregator.ts`). Only made in a worker of cluster mode.
 */
export class ClusterMetricsClient {
  private readonly waiting = new Map<number, Waiting>();
  private nextId = 0;
  private readonly onMessage = (message: unknown) => this.receive(message);

  constructor(
    private readonly registry: Registry,
    private readonly timeoutMs = CLUSTER_SCRAPE_TIMEOUT_MS,
  ) {}

  /** Answers the primary's reads from now on, and tells it so. */
  start(): void {
    process.on('message', this.onMessage);
    this.send({ type: METRICS_READY });
  }

  stop(): void {
    process.off('message', this.onMessage);
    for (const waiting of this.waiting.values()) {
      clearTimeout(waiting.timer);
      waiting.reject(unavailable('the worker is stopping'));
    }
    this.waiting.clear();
  }

  /** The exposition text of the whole process group. */
  scrape(): Promise<string> {
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(unavailable(`the primary did not answer within ${this.timeoutMs} ms`));
      }, this.timeoutMs);
      this.waiting.set(id, { resolve, reject, timer });
      if (!this.send({ type: METRICS_SCRAPE, id })) {
        clearTimeout(timer);
        this.waiting.delete(id);
        reject(unavailable('the channel to the primary is closed'));
      }
    });
  }

  private receive(message: unknown): void {
    if (!isClusterMetricsMessage(message)) return;
    if (message.type === METRICS_COLLECT) {
      const id = message.id;
      this.registry.getMetricsAsJSON().then(
        (metrics) => this.send({ type: METRICS_COLLECTED, id, metrics }),
        (err: unknown) =>
          this.send({
            type: METRICS_COLLECTED,
            id,
            error: err instanceof Error ? err.message : String(err),
          }),
      );
      return;
    }
    if (message.type !== METRICS_SCRAPED) return;
    const waiting = this.waiting.get(message.id);
    if (waiting === undefined) return;
    this.waiting.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.text !== undefined) waiting.resolve(message.text);
    else waiting.reject(unavailable(message.error ?? 'no answer'));
  }

  /** False when the channel to the primary is gone (the worker is stopping). */
  private send(message: ClusterMetricsMessage): boolean {
    if (process.send === undefined || process.connected !== true) return false;
    return process.send(message, undefined, undefined, (err: Error | null) => {
      if (err === null || !('id' in message)) return;
      const waiting = this.waiting.get(message.id);
      if (message.type !== METRICS_SCRAPE || waiting === undefined) return;
      this.waiting.delete(message.id);
      clearTimeout(waiting.timer);
      waiting.reject(unavailable('the channel to the primary is closed'));
    });
  }
}

function unavailable(reason: string): GatewayError {
  return new GatewayError(
    ErrorCode.MetricsUnavailable,
    `The metrics of the other workers could not be gathered: ${reason}.`,
  );
}
