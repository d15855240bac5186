import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { AuditRepository } from '../../storage/audit.repository.js';
import type { DatabaseTarget } from '../../storage/database-target.js';
import { jsonSafe } from './audit-record.builder.js';
import type {
  AuditWorkerData,
  FromAuditWorker,
  StoreCall,
  TimedEvent,
  ToAuditWorker,
} from './audit-worker.protocol.js';
import type { AuditSettings } from './audit.settings.js';
import type { AuditEvent, AuditPayload } from './audit.types.js';
import { type AuditBatchStats, epochMicros, isoMicros } from './audit.writer.js';

/** What readiness, metrics and the bench read of the writer. */
export interface AuditWriterStats extends AuditBatchStats {
  readonly queueDepth: number;
  readonly maxQueue: number;
  /** New calls are refused with `audit_unavailable`: the queue is full or the writer stopped. */
  readonly saturated: boolean;
  /** The writer thread ended unexpectedly: calls are refused until the gateway is restarted. */
  readonly failed: boolean;
  /** Calls refused with `audit_unavailable` since the writer started. */
  readonly refused: number;
}

/** Events handed to the worker in one message at most; a full one goes at once. */
const POST_EVERY = 512;
/**
 * How long events wait on this thread to share a message: a message costs this thread far more
 * than the events in it (profiled: one per event-loop turn was 4% of the governed lane's CPU).
 */
const POST_DELAY_MS = 10;
/**
 * The worker's young generation, in MB (V8 sizes it from the machine otherwise: 16 MB of
 * semi-spaces here, all resident once start-up has filled them). What the worker allocates is one
 * batch of events at a time, and a small young generation keeps its idle RSS small; but at 6 MB
 * the scavenges cost the worker about 8-10 µs of CPU an event more than at 10 or 16 MB (sealing
 * allocates), for about 2 MB of idle RSS: bench/README.md (history, idle RSS; audit cost).
 */
const WORKER_YOUNG_GENERATION_MB = 10;
/** The worker drains for up to 15 s at shutdown (a refusing store); this bounds the wait for it. */
const STOP_WAIT_MS = 20_000;

const NO_BATCHES: AuditBatchStats = {
  written: 0,
  batches: 0,
  lastBatchSize: 0,
  largestBatch: 0,
  lastFlushMs: 0,
  slowestFlushMs: 0,
};

/**
 * The gateway thread's side of the audit writer (contract 12). `record` costs one array push:
 * events go to the worker thread (`audit-writer.worker.ts`) in one message every 10 ms at most,
 * and the worker seals, signs, commits and mirrors them. The queue depth is what
 * was recorded here minus what the worker reports committed, so admission needs no round trip:
 * past `maxQueue` new calls are refused until it is down to half, then one `AUDIT_OVERFLOW`
 * records how many were. A worker that ends unexpectedly fails closed: every call is refused.
 */
export class AuditWorkerClient {
  private readonly logger = new Logger('Audit');
  private worker?: Worker;
  private pending: TimedEvent[] = [];
  private postTimer?: NodeJS.Timeout;
  private recorded = 0;
  private committed = 0;
  private batches = NO_BATCHES;
  private latched = false;
  private overflow?: { count: number; first: string; last: string };
  private refused = 0;
  private failure?: string;
  private stopping?: Promise<void>;
  private nextFlush = 0;
  private readonly flushes = new Map<number, { done: () => void; fail: (e: Error) => void }>();
  private started?: { done: () => void; fail: (e: Error) => void };
  private whenStopped?: () => void;

  /**
   * @param store the gateway's own store, used for the worker's writes only when it cannot open
   *   a connection of its own (an in-memory SQLite database).
   * @param script the worker's entry point (the built `audit-writer.worker.js` by default).
   */
  constructor(
    private readonly settings: AuditSettings,
    private readonly store: AuditRepository,
    private readonly target: DatabaseTarget,
    private readonly script: URL = auditWorkerScript(),
  ) {}

  /**
   * Starts the worker, which resumes the chain from the store.
   * @throws Error with the worker's reason (a damaged JSONL tail, an unreachable store).
   */
  async start(): Promise<void> {
    if (this.script.protocol === 'file:' && !existsSync(this.script)) {
      throw new Error(
        `The audit writer's worker script ${fileURLToPath(this.script)} does not exist: build the gateway (npm run build).`,
      );
    }
    const { warnings: _logged, ...settings } = this.settings;
    const inMemory = this.target.kind === 'sqlite' && this.target.path === ':memory:';
    const workerData: AuditWorkerData = { settings, target: inMemory ? undefined : this.target };
    const worker = new Worker(this.script, {
      workerData,
      name: 'audit-writer',
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB },
    });
    this.worker = worker;
    const ready = new Promise<void>((done, fail) => (this.started = { done, fail }));
    worker.on('message', (message: FromAuditWorker) => this.receive(message));
    worker.on('error', (err) => this.ended(`it threw: ${err.message}`));
    worker.on('exit', (code) => this.ended(`it exited with code ${code}`));
    try {
      await ready;
    } catch (err) {
      this.stopping = Promise.resolve();
      await worker.terminate();
      throw err;
    }
  }

  /** Queues an event for the worker; never waits. */
  record(event: AuditEvent): void {
    this.recorded += 1;
    if (this.failure !== undefined || this.worker === undefined) return;
    this.pending.push([event, epochMicros()]);
    if (this.pending.length >= POST_EVERY) this.post();
    else this.postTimer ??= setTimeout(() => this.post(), POST_DELAY_MS);
  }

  /** Events recorded and not yet committed. */
  get depth(): number {
    return this.recorded - this.committed;
  }

  /** Past `maxQueue`, or without a worker to write: new calls must be refused. */
  get saturated(): boolean {
    if (this.failure !== undefined) return true;
    if (!this.latched && this.depth >= this.settings.maxQueue) {
      this.latched = true;
      this.logger.error({
        msg: `The audit queue is full (${this.depth} events): new calls are refused with 503 audit_unavailable until it drains`,
        writer: this.settings.writer,
      });
    }
    return this.latched;
  }

  /** A call refused with `audit_unavailable`: it cannot queue an event of its own. */
  countRefusal(): void {
    const now = isoMicros(epochMicros());
    this.refused += 1;
    if (this.overflow === undefined) this.overflow = { count: 1, first: now, last: now };
    else {
      this.overflow.count += 1;
      this.overflow.last = now;
    }
  }

  snapshot(): AuditWriterStats {
    return {
      ...this.batches,
      queueDepth: this.depth,
      maxQueue: this.settings.maxQueue,
      saturated: this.failure !== undefined || this.latched,
      failed: this.failure !== undefined,
      refused: this.refused,
    };
  }

  /**
   * Commits everything recorded so far.
   * @throws Error when the store refused a batch, or the worker is gone.
   */
  flush(): Promise<void> {
    const worker = this.worker;
    if (this.failure !== undefined || worker === undefined) {
      return Promise.reject(
        new Error(`the audit writer has stopped: ${this.failure ?? 'never started'}`),
      );
    }
    this.post();
    const id = ++this.nextFlush;
    return new Promise((done, fail) => {
      this.flushes.set(id, { done, fail });
      this.send({ type: 'flush', id });
    });
  }

  /** Shutdown: the worker commits everything queued, signs the head and closes; then it ends. */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(): Promise<void> {
    const worker = this.worker;
    if (worker === undefined) return;
    if (this.failure === undefined) {
      this.post();
      const stopped = new Promise<void>((done) => (this.whenStopped = done));
      this.send({ type: 'stop' });
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<void>((done) => (timer = setTimeout(done, STOP_WAIT_MS)));
      await Promise.race([stopped, late]);
      clearTimeout(timer);
    }
    await worker.terminate();
    if (this.depth > 0) {
      this.logger.error({
        msg: `Shutdown: ${this.depth} audit events were not written`,
        writer: this.settings.writer,
      });
    }
  }

  private post(): void {
    clearTimeout(this.postTimer);
    this.postTimer = undefined;
    while (this.pending.length > 0) {
      const events = this.pending.splice(0, POST_EVERY);
      try {
        this.send({ type: 'events', events });
      } catch {
        // A value structured clone cannot take (a function): each event goes alone, made JSON-safe.
        for (const [event, at] of events) {
          const safe = { ...event, payload: jsonSafe(event.payload) as AuditPayload };
          this.send({ type: 'events', events: [[safe, at]] });
        }
      }
    }
  }

  private send(message: ToAuditWorker): void {
    this.worker?.postMessage(message);
  }

  private receive(message: FromAuditWorker): void {
    switch (message.type) {
      case 'ready':
        this.started?.done();
        this.started = undefined;
        return;
      case 'failed':
        this.started?.fail(new Error(message.message));
        this.started = undefined;
        return;
      case 'committed':
        this.committed += message.events;
        this.batches = message.stats;
        this.release();
        return;
      case 'flushed': {
        const flush = this.flushes.get(message.id);
        this.flushes.delete(message.id);
        if (message.error === undefined) flush?.done();
        else flush?.fail(new Error(message.error));
        return;
      }
      case 'stopped':
        this.whenStopped?.();
        return;
      case 'store':
        this.relay(message.id, message.call);
        return;
      case 'log':
        this.logger[message.level](message.message);
        return;
    }
  }

  /** A store call of the worker's, run on this thread's connection. */
  private relay(id: number, call: StoreCall): void {
    const writer = this.settings.writer;
    const run =
      call.op === 'head'
        ? this.store.head(writer)
        : call.op === 'lastCheckpoint'
          ? this.store.lastCheckpoint(writer)
          : this.store.append(call.records, call.checkpoints);
    void run.then(
      (value) => this.send({ type: 'store-result', id, value }),
      (err: unknown) =>
        this.send({
          type: 'store-result',
          id,
          error: err instanceof Error ? err.message : String(err),
        }),
    );
  }

  /** The worker ended: expected at shutdown, otherwise the trail fails closed. */
  private ended(reason: string): void {
    if (this.started !== undefined) {
      this.started.fail(new Error(`The audit writer thread did not start: ${reason}`));
      this.started = undefined;
      return;
    }
    if (this.stopping !== undefined || this.failure !== undefined) return;
    this.failure = reason;
    this.pending = [];
    this.logger.error({
      msg: `The audit writer thread stopped (${reason}): ${this.depth} audit events were not written, and every new call is refused with 503 audit_unavailable until the gateway is restarted`,
      writer: this.settings.writer,
    });
    for (const flush of this.flushes.values())
      flush.fail(new Error('the audit writer has stopped'));
    this.flushes.clear();
  }

  /** Lifts the refusal once the queue is down to half, and records how many calls it refused. */
  private release(): void {
    if (this.latched && this.depth <= this.settings.maxQueue / 2) {
      this.latched = false;
      this.logger.log({ msg: 'The audit queue drained: calls are admitted again' });
    }
    const overflow = this.overflow;
    if (!this.latched && overflow !== undefined) {
      this.overflow = undefined;
      this.record({
        eventType: 'AUDIT_OVERFLOW',
        tenant: null,
        keyId: null,
        payload: {
          refused_calls: overflow.count,
          first_refused_at: overflow.first,
          last_refused_at: overflow.last,
          max_queue: this.settings.maxQueue,
        },
      });
    }
  }
}

/**
 * The worker's entry point: beside this module once built. Run from the TypeScript sources (jest,
 * whose transform a worker thread does not inherit), it is the built one under `dist/`.
 */
export function auditWorkerScript(): URL {
  const here = fileURLToPath(import.meta.url);
  if (!here.endsWith('.ts')) return new URL('./audit-writer.worker.js', import.meta.url);
  const at = here.lastIndexOf(`${sep}src${sep}`);
  const built = `${here.slice(0, at)}${sep}dist${sep}${here.slice(at + 5)}`;
  return pathToFileURL(built.replace(/audit-worker\.client\.ts$/, 'audit-writer.worker.js'));
}
