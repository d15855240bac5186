import { createSecretKey, type KeyObject, randomUUID } from 'node:crypto';
import type { AuditRepository } from '../../storage/audit.repository.js';
import { sealRecord, signCheckpoint } from './audit-chain.js';
import type { AuditFileMirror } from './audit-file.mirror.js';
import { asJsonSafe } from './audit-record.builder.js';
import type { AuditSettings } from './audit.settings.js';
import type {
  AuditCheckpoint,
  AuditEvent,
  AuditPayload,
  AuditRecord,
  ChainHead,
} from './audit.types.js';

interface Queued {
  readonly event: AuditEvent;
  readonly eventId: string;
  readonly timestamp: string;
}

/** What the writer needs of the store: its chain head, and appends. */
export type AuditSink = Pick<AuditRepository, 'head' | 'lastCheckpoint' | 'append'>;

/** How the writer keeps up: what readiness and the bench report. */
export interface AuditBatchStats {
  readonly written: number;
  readonly batches: number;
  readonly lastBatchSize: number;
  readonly largestBatch: number;
  /** Milliseconds the last commit took (database and mirror). */
  readonly lastFlushMs: number;
  readonly slowestFlushMs: number;
}

/** Told after every commit: how many events it held, and the figures so far. */
export type CommitListener = (events: number, stats: AuditBatchStats) => void;

const RETRY_MS = 250;
const ERROR_LOG_EVERY_MS = 5_000;
const SHUTDOWN_DRAIN_MS = 15_000;

/**
 * One process's audit chain (contract 12). `record` only queues (nothing on the request path
 * waits for a database); batches of up to `batchSize` are sealed (seq, prev_hash, hash, hmac),
 * committed in one transaction each, at most `flushIntervalMs` apart, then mirrored to the JSONL
 * file. With a signing key the chain head is signed every `checkpointEvery` events or
 * `checkpointIntervalMs`, and at shutdown. A batch the store refuses is kept, sealed, and retried;
 * the queue grows, and the listener hears of nothing until it is committed (the gateway's thread
 * counts what is outstanding and refuses calls past `maxQueue`: {@link AuditWorkerClient}). It
 * runs in the audit worker thread, off the thread that serves requests.
 */
/**
 * Where the writer reports what went wrong (a structured entry; never record content). The worker
 * forwards it to the gateway's logger; a parameter rather than Nest's Logger, so the worker thread
 * does not load Nest (about 18 MB of its own heap).
 */
export interface AuditLog {
  error(entry: Readonly<Record<string, unknown>>): void;
}

export class AuditChainWriter {
  private queue: Queued[] = [];
  /** Sealed but not yet committed: retried as they are, so seqs never skip. */
  private unsaved: AuditRecord[] = [];
  private unsavedCheckpoints: AuditCheckpoint[] = [];
  private head?: ChainHead;
  private sealedHead?: ChainHead;
  private lastCheckpointSeq = 0;
  private lastCheckpointAt = Date.now();
  private lastMicros = 0;
  private timer?: NodeJS.Timeout;
  private checkpointTimer?: NodeJS.Timeout;
  private flushing?: Promise<void>;
  private stopping = false;
  private lastErrorLog = 0;
  private stats = {
    written: 0,
    batches: 0,
    lastBatchSize: 0,
    largestBatch: 0,
    lastFlushMs: 0,
    slowestFlushMs: 0,
  };

  /** The HMAC secret as a key imported once (the same bytes: the secret's UTF-8). */
  private readonly hmacKey: KeyObject;

  constructor(
    private readonly settings: AuditSettings,
    private readonly store: AuditSink,
    private readonly log: AuditLog,
    private readonly mirror?: AuditFileMirror,
    private readonly onCommit?: CommitListener,
  ) {
    this.hmacKey = createSecretKey(settings.secret, 'utf8');
  }

  get writer(): string {
    return this.settings.writer;
  }

  /** Resumes the chain from the store: a restart with the same writer id continues it. */
  async start(): Promise<void> {
    this.head = await this.store.head(this.settings.writer);
    this.sealedHead = this.head;
    this.lastCheckpointSeq = await this.store.lastCheckpoint(this.settings.writer);
    if (this.head !== undefined) this.lastMicros = parseMicros(this.head.timestamp);
    if (this.settings.signingKey !== undefined) {
      this.checkpointTimer = setInterval(() => {
        if (this.checkpointDue()) this.schedule(0);
      }, this.settings.checkpointIntervalMs);
      this.checkpointTimer.unref();
    }
  }

  /**
   * Queues an event; the chain fields are added when its batch is sealed. `atMicros` is when it
   * happened (epoch microseconds, taken where it happened); the chain's timestamps never go back.
   */
  record(event: AuditEvent, atMicros?: number): void {
    this.queue.push({ event, eventId: randomUUID(), timestamp: this.timestamp(atMicros) });
    // A full batch goes at once; past that, the next flush is already due (or backing off from a
    // refusing store), and rescheduling on every event would defeat the back-off.
    this.schedule(this.queue.length >= this.settings.batchSize ? 0 : this.settings.flushIntervalMs);
  }

  /** Events not yet committed. */
  get depth(): number {
    return this.queue.length + this.unsaved.length;
  }

  snapshot(): AuditBatchStats {
    return { ...this.stats };
  }

  /** Commits everything queued so far (several batches if need be). */
  async flush(): Promise<void> {
    while (this.depth > 0) {
      if (!(await this.flushOnce())) throw new Error('the audit store refused a batch');
    }
  }

  /** Shutdown: everything queued is committed, the head signed, the mirror closed. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.timer);
    clearInterval(this.checkpointTimer);
    const deadline = Date.now() + SHUTDOWN_DRAIN_MS;
    while (this.depth > 0 || this.checkpointDue()) {
      if (await this.flushOnce()) continue;
      if (Date.now() > deadline) {
        this.log.error({
          msg: `Shutdown: the audit store kept refusing; ${this.depth} audit events were not written`,
          writer: this.settings.writer,
        });
        break;
      }
      await new Promise((done) => setTimeout(done, RETRY_MS));
    }
    await this.mirror?.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    if (this.timer !== undefined) {
      if (delayMs > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flushOnce().then(
        (ok) => {
          if (this.depth > 0 || this.checkpointDue()) this.schedule(ok ? 0 : RETRY_MS);
        },
        (err: unknown) => {
          this.reportFailure(err);
          this.schedule(RETRY_MS);
        },
      );
    }, delayMs);
  }

  /** One batch (and a due checkpoint), committed; false when the store refused it. */
  private flushOnce(): Promise<boolean> {
    const previous = this.flushing ?? Promise.resolve();
    const run = previous.then(() => this.commitBatch());
    this.flushing = run.then(
      () => undefined,
      () => undefined,
    );
    return run;
  }

  private async commitBatch(): Promise<boolean> {
    if (this.unsaved.length === 0) this.seal();
    if (this.unsavedCheckpoints.length === 0 && this.checkpointDue()) this.sign();
    const records = this.unsaved;
    const checkpoints = this.unsavedCheckpoints;
    if (records.length === 0 && checkpoints.length === 0) return true;
    const started = performance.now();
    try {
      await this.store.append(records, checkpoints);
    } catch (err) {
      if (!(await this.committedAnyway(records))) {
        this.reportFailure(err);
        return false;
      }
    }
    this.unsaved = [];
    this.unsavedCheckpoints = [];
    this.head = this.sealedHead;
    if (checkpoints.length > 0) {
      this.lastCheckpointSeq = checkpoints[checkpoints.length - 1].seq;
      this.lastCheckpointAt = Date.now();
    }
    try {
      await this.mirror?.append(records, checkpoints);
    } catch (err) {
      this.log.error({
        msg: `The audit file ${this.mirror?.path} could not be appended to: ${describe(err)}`,
      });
    }
    this.account(records.length, performance.now() - started);
    this.onCommit?.(records.length, this.snapshot());
    return true;
  }

  /** Seals the next batch from the queue, chaining from the last sealed record. */
  private seal(): void {
    const batch = this.queue.splice(0, this.settings.batchSize);
    let head = this.sealedHead;
    this.unsaved = batch.map((queued) => {
      const unsealed = {
        seq: (head?.seq ?? 0) + 1,
        event_id: queued.eventId,
        timestamp: queued.timestamp,
        writer: this.settings.writer,
        tenant: queued.event.tenant,
        key_id: queued.event.keyId,
        event_type: queued.event.eventType,
        // Producers hand over payloads as they are: here they become what JCS can take (no
        // undefined, NaN or lone surrogate), off the request's thread.
        payload: asJsonSafe(queued.event.payload) as AuditPayload,
        prev_hash: head?.hash ?? null,
      };
      const record = sealRecord(unsealed, this.hmacKey);
      head = { seq: record.seq, hash: record.hash, timestamp: record.timestamp };
      return record;
    });
    this.sealedHead = head;
  }

  private sign(): void {
    const key = this.settings.signingKey;
    const head = this.sealedHead;
    if (key === undefined || head === undefined) return;
    this.unsavedCheckpoints = [
      signCheckpoint(
        {
          writer: this.settings.writer,
          seq: head.seq,
          hash: head.hash,
          timestamp: this.timestamp(),
        },
        key,
      ),
    ];
  }

  private checkpointDue(): boolean {
    const head = this.sealedHead;
    if (this.settings.signingKey === undefined || head === undefined) return false;
    const unsigned = head.seq - this.lastCheckpointSeq;
    if (unsigned <= 0) return false;
    // At shutdown, the head is signed with the last batch (once nothing is left to seal).
    if (this.stopping) return this.queue.length === 0;
    return (
      unsigned >= this.settings.checkpointEvery ||
      Date.now() - this.lastCheckpointAt >= this.settings.checkpointIntervalMs
    );
  }

  /** A commit that failed on the way back (a lost connection) may have landed all the same. */
  private async committedAnyway(records: readonly AuditRecord[]): Promise<boolean> {
    const last = records[records.length - 1];
    if (last === undefined) return false;
    try {
      const stored = await this.store.head(this.settings.writer);
      return stored !== undefined && stored.seq === last.seq && stored.hash === last.hash;
    } catch {
      return false;
    }
  }

  private reportFailure(err: unknown): void {
    const now = Date.now();
    if (now - this.lastErrorLog < ERROR_LOG_EVERY_MS) return;
    this.lastErrorLog = now;
    this.log.error({
      msg: `The audit store refused a batch (kept, retrying): ${describe(err)}`,
      writer: this.settings.writer,
      queue_depth: this.depth,
    });
  }

  private account(size: number, ms: number): void {
    const stats = this.stats;
    stats.written += size;
    stats.batches += 1;
    stats.lastBatchSize = size;
    stats.largestBatch = Math.max(stats.largestBatch, size);
    stats.lastFlushMs = ms;
    stats.slowestFlushMs = Math.max(stats.slowestFlushMs, ms);
  }

  /** ISO-8601 UTC with microseconds, never earlier than the previous one of this chain. */
  private timestamp(atMicros = epochMicros()): string {
    const micros = Math.max(atMicros, this.lastMicros);
    this.lastMicros = micros;
    return isoMicros(micros);
  }
}

/** Now, in microseconds since the epoch. */
export function epochMicros(): number {
  return Math.floor((performance.timeOrigin + performance.now()) * 1000);
}

export function isoMicros(epochMicros: number): string {
  const iso = new Date(Math.floor(epochMicros / 1000)).toISOString();
  return `${iso.slice(0, -1)}${String(epochMicros % 1000).padStart(3, '0')}Z`;
}

function parseMicros(timestamp: string): number {
  const match = /\.(\d{6})Z$/.exec(timestamp);
  const ms = Date.parse(timestamp);
  if (match === null || Number.isNaN(ms)) return 0;
  return Math.floor(ms / 1000) * 1_000_000 + Number(match[1]);
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
