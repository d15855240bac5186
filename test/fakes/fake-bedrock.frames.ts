/**
 * AWS event-stream framing for the fake's ConverseStream (wire-formats 5.3, 20.1), encoded with
 * `@smithy/eventstream-codec` exactly as Bedrock frames it: big-endian lengths, prelude and
 * message CRC32s, three string headers, the inner JSON as payload.
 */
import type { ServerResponse } from 'node:http';
import { EventStreamCodec } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { FakeStreamEvent } from './fake-bedrock.payloads.js';
import { splitAt, writePieces } from './fake-upstream.stream.js';

const codec = new EventStreamCodec(toUtf8, fromUtf8);

const string = (value: string) => ({ type: 'string' as const, value });

/** `:message-type: event` with its `:event-type`. */
export function eventFrame(event: FakeStreamEvent): Uint8Array {
  return codec.encode({
    headers: {
      ':event-type': string(event.type),
      ':content-type': string('application/json'),
      ':message-type': string('event'),
    },
    body: fromUtf8(JSON.stringify(event.payload)),
  });
}

/** `:message-type: exception`, named in camelCase as the stream's union members are. */
export function exceptionFrame(
  exceptionType: string,
  payload: Record<string, unknown>,
): Uint8Array {
  return codec.encode({
    headers: {
      ':exception-type': string(exceptionType),
      ':content-type': string('application/json'),
      ':message-type': string('exception'),
    },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** Writes frames whole, or cut inside the prelude, the headers and the payload. */
export class FakeFrameWriter {
  constructor(
    private readonly res: ServerResponse,
    private readonly splitWrites: boolean,
  ) {}

  /** False once the client has gone away. */
  write(frame: Uint8Array): Promise<boolean> {
    const cuts = this.splitWrites
      ? [5, 13, Math.floor(frame.length / 2), frame.length - 3].filter(
          (c) => c > 0 && c < frame.length,
        )
      : [];
    return writePieces(this.res, splitAt(frame, cuts));
  }
}
