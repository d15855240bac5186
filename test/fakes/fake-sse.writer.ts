import type { ServerResponse } from 'node:http';
import { pause, splitAt, writePieces } from './fake-upstream.stream.js';

/** How a fake writes its SSE frames: the quirks real upstreams show (wire-formats sections 0, 20). */
export interface FakeStreamFormat {
  /**
   * Write each frame in several pieces, cut mid-line, inside every multi-byte UTF-8 character and
   * between `\r` and `\n`, with a short pause between pieces so they leave as separate packets.
   */
  readonly splitWrites?: boolean;
  /** End lines with `\r\n` instead of `\n`. */
  readonly crlf?: boolean;
  /** `data:{...}` instead of `data: {...}`. */
  readonly noSpaceAfterColon?: boolean;
  /** Send a `: keep-alive` comment before every frame. */
  readonly keepAliveComments?: boolean;
  /** Pause between frames, e.g. to measure inter-chunk gaps. */
  readonly frameDelayMs?: number;
  /** Pause between the last frame and the end of the body (its closing chunk then travels alone). */
  readonly endDelayMs?: number;
}

/**
 * Writes SSE frames to one response in a given {@link FakeStreamFormat}: `data:` only (OpenAI's
 * framing, {@link event}) or named events (`event:` then `data:`, as Anthropic and Cohere send and
 * their SDKs require, {@link named}).
 */
export class FakeSseWriter {
  private readonly eol: string;

  constructor(
    private readonly res: ServerResponse,
    private readonly format: FakeStreamFormat,
  ) {
    this.eol = format.crlf ? '\r\n' : '\n';
  }

  /** Writes one `data:` event; false when the client has gone away. */
  event(data: string): Promise<boolean> {
    return this.write(undefined, data);
  }

  /** Writes one named event (`event: <name>` then `data:`); false when the client has gone away. */
  named(name: string, data: string): Promise<boolean> {
    return this.write(name, data);
  }

  private async write(name: string | undefined, data: string): Promise<boolean> {
    if (this.format.frameDelayMs) await pause(this.format.frameDelayMs);
    const { eol } = this;
    const space = this.format.noSpaceAfterColon ? '' : ' ';
    const comment = this.format.keepAliveComments ? `: keep-alive${eol}${eol}` : '';
    const event = name === undefined ? '' : `event:${space}${name}${eol}`;
    const frame = Buffer.from(`${comment}${event}data:${space}${data}${eol}${eol}`, 'utf8');
    return writePieces(this.res, this.format.splitWrites ? splitAwkwardly(frame) : [frame]);
  }

  /** Ends the body, after `endDelayMs`. */
  async end(): Promise<void> {
    if (this.format.endDelayMs) await pause(this.format.endDelayMs);
    if (!this.res.destroyed) this.res.end();
  }
}

/**
 * Cuts in the middle of the frame, inside the `data` field name (so a named event's two lines
 * arrive apart), after the lead byte of each multi-byte character, and inside CRLF. Also used
 * for NDJSON lines (Ollama's native stream).
 */
export function splitAwkwardly(frame: Buffer): Uint8Array[] {
  const cuts = new Set<number>([Math.floor(frame.length / 2), frame.indexOf('data') + 2]);
  for (let i = 0; i < frame.length; i++) {
    const byte = frame[i];
    if (byte >= 0xc0) cuts.add(i + 1);
    if (byte === 0x0d && frame[i + 1] === 0x0a) cuts.add(i + 1);
  }
  return splitAt(
    frame,
    [...cuts].filter((c) => c > 0 && c < frame.length).sort((a, b) => a - b),
  );
}
