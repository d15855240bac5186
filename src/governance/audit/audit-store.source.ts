import type { AuditCursor, AuditFilter, AuditRepository } from '../../storage/audit.repository.js';
import type { AuditCheckpoint, AuditEntry, AuditRecord } from './audit.types.js';

const PAGE = 1_000;

/**
 * Every chain in the store as the verifier reads it: writer by writer, records in seq order with
 * each checkpoint right after the record it signs, one page at a time (never a whole table).
 */
export async function* storedEntries(
  store: AuditRepository,
  writer?: string,
): AsyncGenerator<AuditEntry> {
  const writers = writer === undefined ? await store.writers() : [writer];
  for (const name of writers) {
    const checkpoints = checkpointsOf(store, name);
    let next = await checkpoints.next();
    let after = 0;
    for (;;) {
      const records = await store.chain(name, after, PAGE);
      for (const record of records) {
        yield { kind: 'event', record };
        after = record.seq;
        while (!next.done && next.value.seq <= record.seq) {
          yield { kind: 'checkpoint', checkpoint: next.value };
          next = await checkpoints.next();
        }
      }
      if (records.length < PAGE) break;
    }
    // Checkpoints beyond the last record: the verifier reports the records they sign as missing.
    while (!next.done) {
      yield { kind: 'checkpoint', checkpoint: next.value };
      next = await checkpoints.next();
    }
  }
}

async function* checkpointsOf(store: AuditRepository, writer: string) {
  let after = 0;
  for (;;) {
    const page: AuditCheckpoint[] = await store.checkpoints(writer, after, PAGE);
    yield* page;
    if (page.length < PAGE) return;
    after = page[page.length - 1].seq;
  }
}

/** Every record matching `filter`, newest first, one page at a time. */
export async function* searchAll(
  store: AuditRepository,
  filter: AuditFilter,
): AsyncGenerator<AuditRecord> {
  let cursor: AuditCursor | undefined;
  for (;;) {
    const page = await store.search(filter, PAGE, cursor);
    yield* page;
    const last = page[page.length - 1];
    if (page.length < PAGE || last === undefined) return;
    cursor = { timestamp: last.timestamp, writer: last.writer, seq: last.seq };
  }
}
