import { parentPort, workerData } from 'node:worker_threads';
import { createDatabase } from '../../storage/database.factory.js';
import type { GatewayDatabase } from '../../storage/database.types.js';
import { KyselyAuditRepository } from '../../storage/kysely-audit.repository.js';
import { SqliteAuditAppender } from '../../storage/sqlite-audit.appender.js';
import { AuditFileMirror } from './audit-file.mirror.js';
import type {
  AuditWorkerData,
  FromAuditWorker,
  LogLevel,
  StoreCall,
  TimedEvent,
  ToAuditWorker,
} from './audit-worker.protocol.js';
import type { AuditCheckpoint, AuditRecord, ChainHead } from './audit.types.js';
import { AuditChainWriter, type AuditLog, type AuditSink } from './audit.writer.js';

/*
 * The audit worker thread (contract 12): it owns this process's chain. Events arrive as plain
 * objects from the gateway's thread; here they are sealed (RFC 8785, SHA-256, HMAC), signed at
 * checkpoints, committed in batches over a database connection of the worker's own and mirrored
 * to the JSONL file, so none of that costs the thread that serves requests. After each commit
 * the gateway's thread hears how many events it held (its queue depth and the 503 past
 * max-queue are counted there). On a SQLite file the worker appends through statements it
 * prepared once (`SqliteAuditAppender`); on PostgreSQL through Kysely.
 */

const port = parentPort;
if (port === null) throw new Error('audit-writer.worker runs as a worker thread only');
const data = workerData as AuditWorkerData;

function send(message: FromAuditWorker): void {
  port?.postMessage(message);
}

/**
 * Log lines go to the gateway's logger, so they are formatted and filtered like the others.
 * Nothing here loads Nest: its logger alone would cost this thread about 18 MB of heap.
 */
function forward(level: LogLevel, message: unknown): void {
  send({ type: 'log', level, message });
}

const log: AuditLog = { error: (entry) => forward('error', entry) };

/** The store over the gateway's thread, for a database only its connection holds (`:memory:`). */
class RelayedSink implements AuditSink {
  private next = 0;
  private readonly waiting = new Map<
    number,
    { done: (v: unknown) => void; fail: (e: Error) => void }
  >();

  settle(id: number, value: unknown, error?: string): void {
    const pending = this.waiting.get(id);
    this.waiting.delete(id);
    if (error === undefined) pending?.done(value);
    else pending?.fail(new Error(error));
  }

  head(): Promise<ChainHead | undefined> {
    return this.call({ op: 'head' }) as Promise<ChainHead | undefined>;
  }
  lastCheckpoint(): Promise<number> {
    return this.call({ op: 'lastCheckpoint' }) as Promise<number>;
  }
  async append(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[]) {
    await this.call({ op: 'append', records, checkpoints });
  }

  private call(call: StoreCall): Promise<unknown> {
    const id = ++this.next;
    return new Promise((done, fail) => {
      this.waiting.set(id, { done, fail });
      send({ type: 'store', id, call });
    });
  }
}

async function main(): Promise<void> {
  const settings = { ...data.settings, warnings: [] };
  const relay = data.target === undefined ? new RelayedSink() : undefined;
  let db: GatewayDatabase | undefined;
  let appender: SqliteAuditAppender | undefined;
  let writer: AuditChainWriter | undefined;
  let stopping: Promise<void> | undefined;
  /** Events handed over before the chain resumed: recorded, in order, once it has. */
  const early: TimedEvent[] = [];

  const stop = async () => {
    try {
      await writer?.stop();
      await db?.destroy();
      appender?.close();
    } catch (err) {
      send({ type: 'log', level: 'error', message: `Audit writer shutdown: ${describe(err)}` });
    } finally {
      send({ type: 'stopped' });
    }
  };

  // Listening first: start-up itself may need the relay's answers.
  port?.on('message', (message: ToAuditWorker) => {
    switch (message.type) {
      case 'events':
        if (writer === undefined) early.push(...message.events);
        else for (const [event, at] of message.events) writer.record(event, at);
        return;
      case 'flush':
        void (writer?.flush() ?? Promise.resolve()).then(
          () => send({ type: 'flushed', id: message.id }),
          (err: unknown) => send({ type: 'flushed', id: message.id, error: describe(err) }),
        );
        return;
      case 'stop':
        stopping ??= stop();
        return;
      case 'store-result':
        relay?.settle(message.id, message.value, message.error);
        return;
    }
  });

  try {
    const mirror =
      settings.file === undefined ? undefined : await AuditFileMirror.open(settings.file);
    const target = data.target;
    if (target?.kind === 'sqlite') appender = await SqliteAuditAppender.open(target.path);
    else if (target !== undefined)
      db = createDatabase(target, (message) => forward('warn', message));
    const sink = relay ?? appender ?? new KyselyAuditRepository(db as GatewayDatabase);
    const chain = new AuditChainWriter(settings, sink, log, mirror, (events, stats) =>
      send({ type: 'committed', events, stats }),
    );
    await chain.start();
    for (const [event, at] of early.splice(0)) chain.record(event, at);
    writer = chain;
  } catch (err) {
    await db?.destroy().catch(() => undefined);
    appender?.close();
    send({ type: 'failed', message: describe(err) });
    return;
  }
  send({ type: 'ready' });
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

void main();
