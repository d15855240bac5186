/**
 * How every fake puts stream bytes on the wire, whatever the framing (SSE, AWS event-stream):
 * pieces written in order, each its own packet when a test asks for split writes, with
 * backpressure waited out and a client that went away noticed.
 */
import type { ServerResponse } from 'node:http';

/**
 * Writes `pieces` in order, pausing 1 ms between two so that each leaves as its own packet;
 * false once the client has gone away.
 */
export async function writePieces(
  res: ServerResponse,
  pieces: readonly Uint8Array[],
): Promise<boolean> {
  for (const [i, piece] of pieces.entries()) {
    if (res.destroyed || res.writableEnded) return false;
    if (i > 0) await pause(1);
    if (res.destroyed) return false;
    if (!res.write(piece)) await drained(res);
  }
  return !res.destroyed;
}

/** `bytes` cut at `cuts` (ascending, each inside the bytes): one piece more than cuts. */
export function splitAt(bytes: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const pieces: Uint8Array[] = [];
  let start = 0;
  for (const cut of [...cuts, bytes.length]) {
    pieces.push(bytes.subarray(start, cut));
    start = cut;
  }
  return pieces;
}

export function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves once `res` can take more, or has closed. */
function drained(res: ServerResponse): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      res.off('drain', done);
      res.off('close', done);
      resolve();
    };
    res.once('drain', done);
    res.once('close', done);
  });
}
