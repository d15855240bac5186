import type { DatabaseTarget } from '../../storage/database-target.js';
import type { AuditSettings } from './audit.settings.js';
import type { AuditCheckpoint, AuditEvent, AuditRecord } from './audit.types.js';
import type { AuditBatchStats } from './audit.writer.js';

/*
 * The messages between the gateway's thread and its audit worker thread (structured clone, in
 * order). The gateway's thread only sends plain events; the worker owns the chain and the writes.
 */

/** What the worker starts with (`workerData`). */
export interface AuditWorkerData {
  /** `warnings` left out: the gateway's thread logs them. A KeyObject clones across threads. */
  readonly settings: Omit<AuditSettings, 'warnings'>;
  /**
   * The store the worker opens a connection of its own to; undefined when it cannot (an
   * in-memory SQLite database lives in the gateway's connection only), and the worker asks the
   * gateway's thread to run the store calls instead ({@link StoreCall}).
   */
  readonly target?: DatabaseTarget;
}

/** An event and when it happened (epoch microseconds, taken on the gateway's thread). */
export type TimedEvent = readonly [event: AuditEvent, atMicros: number];

/** From the gateway's thread. */
export type ToAuditWorker =
  | { readonly type: 'events'; readonly events: readonly TimedEvent[] }
  | { readonly type: 'flush'; readonly id: number }
  | { readonly type: 'stop' }
  | {
      readonly type: 'store-result';
      readonly id: number;
      readonly value?: unknown;
      readonly error?: string;
    };

/** A store call the worker cannot make itself (see {@link AuditWorkerData.target}). */
export type StoreCall =
  | { readonly op: 'head' }
  | { readonly op: 'lastCheckpoint' }
  | {
      readonly op: 'append';
      readonly records: readonly AuditRecord[];
      readonly checkpoints: readonly AuditCheckpoint[];
    };

export type LogLevel = 'log' | 'warn' | 'error';

/** From the worker. */
export type FromAuditWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'committed'; readonly events: number; readonly stats: AuditBatchStats }
  | { readonly type: 'flushed'; readonly id: number; readonly error?: string }
  | { readonly type: 'stopped' }
  | { readonly type: 'store'; readonly id: number; readonly call: StoreCall }
  | { readonly type: 'log'; readonly level: LogLevel; readonly message: unknown };
