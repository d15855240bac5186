import { mkdirSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { dirname } from 'node:path';
import { checkpointLine, eventLine, tailProblem } from './audit-jsonl.js';
import type { AuditCheckpoint, AuditRecord } from './audit.types.js';

/**
 * The optional JSONL mirror of a writer (contract 12). Each batch is one append of whole lines
 * (O_APPEND), so writers sharing a file never interleave inside a line.
 */
export class AuditFileMirror {
  private constructor(
    readonly path: string,
    private readonly handle: FileHandle,
  ) {}

  /**
   * Opens the file for appending, creating it (mode 0600) if needed.
   * @throws Error when its last line is damaged: appending would start a second chain.
   */
  static async open(path: string): Promise<AuditFileMirror> {
    const problem = await tailProblem(path);
    if (problem !== undefined) {
      throw new Error(
        `The audit file ${path} is damaged: ${problem}. Records appended after it would verify ` +
          'as a second chain, so the gateway does not start: move the file aside (keep it for the ' +
          'audit) or repair its last line, then start again.',
      );
    }
    mkdirSync(dirname(path), { recursive: true });
    return new AuditFileMirror(path, await open(path, 'a', 0o600));
  }

  async append(records: readonly AuditRecord[], checkpoints: readonly AuditCheckpoint[]) {
    const lines = [...records.map(eventLine), ...checkpoints.map(checkpointLine)];
    if (lines.length === 0) return;
    await this.handle.appendFile(`${lines.join('\n')}\n`, 'utf8');
  }

  async close(): Promise<void> {
    await this.handle.close();
  }
}
