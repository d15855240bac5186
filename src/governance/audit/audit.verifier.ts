import type { KeyObject } from 'node:crypto';
import {
  canonicalRecord,
  checkpointSigned,
  hmacHex,
  sameDigest,
  sha256Hex,
} from './audit-chain.js';
import type { AuditCheckpoint, AuditEntry, AuditRecord } from './audit.types.js';

/** Why a chain is broken (contract 12), plus `unreadable line` for a line that is no record. */
export type BreakReason =
  | 'hash mismatch'
  | 'hmac mismatch'
  | 'broken link'
  | 'gap in seq'
  | 'bad checkpoint signature'
  | 'unreadable line';

export interface ChainBreak {
  readonly writer: string | null;
  readonly seq: number | null;
  readonly reason: BreakReason;
  /** A sentence for the operator. */
  readonly detail: string;
  /** The JSONL line, when verifying a file. */
  readonly line?: number;
}

export interface WriterReport {
  readonly writer: string;
  readonly checked: number;
  readonly last_seq: number;
  /** The last seq a verified checkpoint signs; null without one (or without a public key). */
  readonly signed_through: number | null;
}

export interface VerifyReport {
  readonly valid: boolean;
  /** Events checked, every writer together. */
  readonly checked: number;
  readonly checkpoints: number;
  /** Whether the HMACs were checked (a secret was given). */
  readonly hmac_checked: boolean;
  /** Whether checkpoint signatures were checked (a public key was given). */
  readonly signatures_checked: boolean;
  readonly writers: readonly WriterReport[];
  readonly first_break: ChainBreak | null;
}

export interface VerifyOptions {
  /** The HMAC secret; without it, only the hashes and links are checked. */
  readonly secret?: string;
  /** The checkpoints' Ed25519 public key; without it, checkpoints are only matched to the chain. */
  readonly publicKey?: KeyObject;
  /** Only this writer's chain. */
  readonly writer?: string;
}

interface ChainState {
  checked: number;
  lastSeq: number;
  lastHash: string | null;
  signedThrough: number | null;
  /** Checkpoints read before the event they sign (a database merge never does this; a file may). */
  pending: AuditCheckpoint[];
}

/**
 * Checks every chain in `entries` (contract 12): for each writer, seq from 1 without gaps, each
 * `prev_hash` the previous `hash`, each `hash` (and with the secret, each `hmac`) recomputed from
 * the canonical form, and each checkpoint signed by the public key and equal to the chain at its
 * seq. Pure over the entries, so the database and a JSONL file are checked by the same code.
 * Stops at the first break.
 */
export async function verifyAuditChain(
  entries: AsyncIterable<AuditEntry> | Iterable<AuditEntry>,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const chains = new Map<string, ChainState>();
  let checkpoints = 0;
  let first: ChainBreak | null = null;
  const chainOf = (writer: string): ChainState => {
    let state = chains.get(writer);
    if (state === undefined) {
      state = { checked: 0, lastSeq: 0, lastHash: null, signedThrough: null, pending: [] };
      chains.set(writer, state);
    }
    return state;
  };

  for await (const entry of entries) {
    if (entry.kind === 'unreadable') {
      first = {
        writer: null,
        seq: null,
        reason: 'unreadable line',
        detail: `line ${entry.line} is not an audit record: ${entry.problem}`,
        line: entry.line,
      };
      break;
    }
    if (entry.kind === 'checkpoint') {
      if (options.writer !== undefined && entry.checkpoint.writer !== options.writer) continue;
      checkpoints += 1;
      first = acceptCheckpoint(chainOf(entry.checkpoint.writer), entry.checkpoint, options);
    } else {
      if (options.writer !== undefined && entry.record.writer !== options.writer) continue;
      first = acceptEvent(chainOf(entry.record.writer), entry.record, options);
    }
    if (first !== null) break;
  }
  if (first === null) first = dangling(chains);

  const writers = [...chains].map(([writer, state]) => ({
    writer,
    checked: state.checked,
    last_seq: state.lastSeq,
    signed_through: state.signedThrough,
  }));
  return {
    valid: first === null,
    checked: writers.reduce((sum, w) => sum + w.checked, 0),
    checkpoints,
    hmac_checked: options.secret !== undefined,
    signatures_checked: options.publicKey !== undefined,
    writers,
    first_break: first,
  };
}

function acceptEvent(state: ChainState, record: AuditRecord, options: VerifyOptions) {
  const at = (reason: BreakReason, detail: string): ChainBreak => ({
    writer: record.writer,
    seq: typeof record.seq === 'number' ? record.seq : null,
    reason,
    detail,
  });
  if (record.seq !== state.lastSeq + 1) {
    return at('gap in seq', `expected seq ${state.lastSeq + 1}, found ${String(record.seq)}`);
  }
  if (record.prev_hash !== state.lastHash) {
    return at('broken link', `prev_hash is not the hash of seq ${state.lastSeq}`);
  }
  let canonical: string;
  try {
    canonical = canonicalRecord(record);
  } catch (err) {
    return at('hash mismatch', `the record has no canonical form (${(err as Error).message})`);
  }
  if (typeof record.hash !== 'string' || !sameDigest(sha256Hex(canonical), record.hash)) {
    return at('hash mismatch', 'the record does not hash to its `hash`');
  }
  if (options.secret !== undefined) {
    const hmac = typeof record.hmac === 'string' ? record.hmac : '';
    if (!sameDigest(hmacHex(options.secret, canonical), hmac)) {
      return at('hmac mismatch', 'the record was not sealed with this secret');
    }
  }
  state.checked += 1;
  state.lastSeq = record.seq;
  state.lastHash = record.hash;
  while (state.pending.length > 0 && state.pending[0].seq === record.seq) {
    const broken = matchHead(state, state.pending.shift() as AuditCheckpoint, options);
    if (broken !== null) return broken;
  }
  return null;
}

function acceptCheckpoint(state: ChainState, checkpoint: AuditCheckpoint, options: VerifyOptions) {
  if (options.publicKey !== undefined && !checkpointSigned(checkpoint, options.publicKey)) {
    return {
      writer: checkpoint.writer,
      seq: checkpoint.seq,
      reason: 'bad checkpoint signature' as const,
      detail: 'the checkpoint is not signed by this public key',
    };
  }
  if (checkpoint.seq > state.lastSeq) {
    state.pending.push(checkpoint);
    state.pending.sort((a, b) => a.seq - b.seq);
    return null;
  }
  if (checkpoint.seq < state.lastSeq) {
    return {
      writer: checkpoint.writer,
      seq: checkpoint.seq,
      reason: 'bad checkpoint signature' as const,
      detail: `the checkpoint of seq ${checkpoint.seq} comes after seq ${state.lastSeq}`,
    };
  }
  return matchHead(state, checkpoint, options);
}

/** A checkpoint read when the chain is at its seq: it must sign that very hash. */
function matchHead(state: ChainState, checkpoint: AuditCheckpoint, options: VerifyOptions) {
  if (state.lastHash === null || !sameDigest(checkpoint.hash, state.lastHash)) {
    return {
      writer: checkpoint.writer,
      seq: checkpoint.seq,
      reason: 'hash mismatch' as const,
      detail: `the chain at seq ${checkpoint.seq} is not the one its checkpoint signed`,
    };
  }
  if (options.publicKey !== undefined) state.signedThrough = checkpoint.seq;
  return null;
}

/** A checkpoint beyond the end of its chain: events it signed were removed. */
function dangling(chains: Map<string, ChainState>): ChainBreak | null {
  for (const [writer, state] of chains) {
    const beyond = state.pending[0];
    if (beyond !== undefined) {
      return {
        writer,
        seq: beyond.seq,
        reason: 'gap in seq',
        detail: `a checkpoint signs seq ${beyond.seq}, but the chain ends at seq ${state.lastSeq}`,
      };
    }
  }
  return null;
}
