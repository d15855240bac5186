import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { canonicalRecord, sameDigest, sha256Hex } from './audit-chain.js';
import {
  AUDIT_RECORD_FIELDS,
  type AuditCheckpoint,
  type AuditEntry,
  type AuditRecord,
} from './audit.types.js';

/*
 * The JSONL mirror (contract 12): one record per line, an event line holding exactly the record's
 * fields, a checkpoint line `"record": "checkpoint"` plus the checkpoint's fields. Readers accept
 * CRLF line ends and blank lines (an operator's editor or a log shipper may add them).
 */

const CHECKPOINT_FIELDS = ['writer', 'seq', 'hash', 'timestamp', 'key_id', 'signature'] as const;

export function eventLine(record: AuditRecord): string {
  const line: Record<string, unknown> = {};
  for (const field of AUDIT_RECORD_FIELDS) line[field] = record[field];
  return JSON.stringify(line);
}

export function checkpointLine(checkpoint: AuditCheckpoint): string {
  const line: Record<string, unknown> = { record: 'checkpoint' };
  for (const field of CHECKPOINT_FIELDS) line[field] = checkpoint[field];
  return JSON.stringify(line);
}

/** One line of a mirror, read back; `line` numbers count from 1, for the operator. */
export function parseLine(text: string, line: number): AuditEntry {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', line, problem: 'it is not valid JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { kind: 'unreadable', line, problem: 'it is not a JSON object' };
  }
  const fields = value as Record<string, unknown>;
  if (fields.record === 'checkpoint') {
    const problem = shapeProblem(fields, ['record', ...CHECKPOINT_FIELDS]);
    if (problem !== undefined) return { kind: 'unreadable', line, problem };
    if (typeof fields.writer !== 'string' || typeof fields.seq !== 'number') {
      return { kind: 'unreadable', line, problem: 'its writer or seq has the wrong type' };
    }
    return { kind: 'checkpoint', checkpoint: fields as unknown as AuditCheckpoint };
  }
  const problem = shapeProblem(fields, AUDIT_RECORD_FIELDS);
  if (problem !== undefined) return { kind: 'unreadable', line, problem };
  if (typeof fields.writer !== 'string') {
    return { kind: 'unreadable', line, problem: 'its writer is not a string' };
  }
  return { kind: 'event', record: fields as unknown as AuditRecord };
}

function shapeProblem(
  fields: Record<string, unknown>,
  expected: readonly string[],
): string | undefined {
  const missing = expected.filter((name) => !Object.hasOwn(fields, name));
  if (missing.length > 0) return `it lacks ${missing.join(', ')}`;
  const extra = Object.keys(fields).filter((name) => !expected.includes(name));
  if (extra.length > 0) return `it has fields a record does not have: ${extra.join(', ')}`;
  return undefined;
}

/** Every entry of a JSONL mirror, streamed (any size). */
export async function* readJsonl(path: string): AsyncGenerator<AuditEntry> {
  const lines = createInterface({
    input: createReadStream(path, { encoding: 'utf8' }),
    crlfDelay: Infinity,
  });
  let number = 0;
  for await (const raw of lines) {
    number += 1;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') continue;
    yield parseLine(text, number);
  }
}

const TAIL_CHUNK = 64 * 1024;

/**
 * What is wrong with the last line of a mirror about to be appended to, if anything: a torn
 * write (no line break at the end), a line that is not a record, or an event line whose hash does
 * not match its content. Appending after such a line would leave two chains in one file.
 */
export async function tailProblem(path: string): Promise<string | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  try {
    const { size } = await handle.stat();
    let end = size;
    let tail = '';
    // Read backwards until the last non-blank line is whole.
    for (;;) {
      const start = Math.max(0, end - TAIL_CHUNK);
      const buffer = Buffer.alloc(end - start);
      await handle.read(buffer, 0, buffer.length, start);
      tail = buffer.toString('utf8') + tail;
      end = start;
      const trimmed = tail.replace(/[\r\n\s]+$/, '');
      if (trimmed === '' ? start === 0 : trimmed.includes('\n') || start === 0) break;
    }
    if (tail.trim() === '') return undefined;
    if (!tail.endsWith('\n')) {
      return 'its last line has no line break at its end (a write was cut short)';
    }
    const trimmed = tail.replace(/[\r\n\s]+$/, '');
    const last = trimmed.slice(trimmed.lastIndexOf('\n') + 1);
    const entry = parseLine(last, 0);
    if (entry.kind === 'unreadable')
      return `its last line is not an audit record: ${entry.problem}`;
    if (entry.kind === 'event') {
      let hash = '';
      try {
        hash = sha256Hex(canonicalRecord(entry.record));
      } catch {
        // An uncanonicalizable record fails the comparison below.
      }
      if (!sameDigest(hash, String(entry.record.hash))) {
        return 'its last line does not hash to its own `hash` (it was edited or damaged)';
      }
    }
    return undefined;
  } finally {
    await handle.close();
  }
}
