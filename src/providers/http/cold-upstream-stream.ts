import { Observable } from 'rxjs';
import { CallCancellation } from '../../common/cancellation/call-cancellation.js';
import { type CancelSignal, onAbort } from '../../common/cancellation/cancel-signal.js';
import type { ProviderCall } from '../llm-provider.js';
import { type SseEvent, SseEventParser } from './sse-event.parser.js';

/** What a pump gets: where chunks go, and the signal that cancels its upstream call. */
export interface StreamPump<T> {
  /** Fires when the caller unsubscribes before the end (client gone) or the caller's signal aborts. */
  readonly signal: CancelSignal;
  next(chunk: T): void;
  /**
   * Awaited before pulling more of the upstream body: `undefined` when the caller keeps up, a
   * promise while it reads slowly (its socket is full), so the upstream is held back rather than
   * buffered.
   */
  ready(): Promise<void> | undefined;
  /**
   * Ends the caller's stream now. A pump may keep reading the body afterwards so the keep-alive
   * connection goes back to the pool instead of being destroyed.
   */
  complete(): void;
}

/**
 * The cold Observable every HTTP adapter's `chat$` returns (house-style practice 3): `pump` (the
 * upstream call and the reading of its body) starts on subscribe; unsubscribing before the stream
 * settles aborts it; a failure is mapped once by `mapError` and ends the stream. The call's
 * signal cancels it too, and its flow paces the pump.
 */
export function coldUpstreamStream<T>(
  call: Pick<ProviderCall, 'signal' | 'flow'> | undefined,
  pump: (stream: StreamPump<T>) => Promise<void>,
  mapError: (error: unknown) => unknown,
): Observable<T> {
  const callerSignal = call?.signal;
  const flow = call?.flow;
  const ready = () => flow?.ready();
  return new Observable<T>((subscriber) => {
    const cancellation = new CallCancellation();
    const abort = () => cancellation.abort();
    let detach: (() => void) | undefined;
    if (callerSignal?.aborted) abort();
    else if (callerSignal !== undefined) detach = onAbort(callerSignal, abort);

    let settled = false;
    const complete = () => {
      if (settled) return;
      settled = true;
      subscriber.complete();
    };
    pump({
      signal: cancellation,
      next: (chunk) => subscriber.next(chunk),
      ready,
      complete,
    }).then(complete, (error: unknown) => {
      if (settled) return;
      settled = true;
      subscriber.error(mapError(error));
    });
    return () => {
      detach?.();
      if (!settled) cancellation.abort();
    };
  });
}

/** Turns a vendor's SSE events into chunks; `done` once the vendor's end marker arrived. */
export interface SseChunkReader<T> {
  readonly done: boolean;
  read(event: SseEvent): T | readonly T[] | undefined;
  /** The closing chunk (usage), if any; throws when the stream ended unfinished. */
  finish(): T | undefined;
}

/**
 * Reads an SSE body into `stream` through `reader`: chunks go out as they come; at the vendor's
 * end marker the caller's stream ends, and the rest of the body is still read so the keep-alive
 * connection goes back to the pool. A body that ends early gets `finish`'s verdict.
 */
export async function pumpSse<T>(
  body: AsyncIterable<Uint8Array>,
  reader: SseChunkReader<T>,
  stream: StreamPump<T>,
): Promise<void> {
  const parser = new SseEventParser();
  const emit = (out: T | readonly T[] | undefined) => {
    if (out === undefined) return;
    if (Array.isArray(out)) for (const chunk of out as readonly T[]) stream.next(chunk);
    else stream.next(out as T);
  };
  const finish = () => {
    const last = reader.finish();
    if (last !== undefined) stream.next(last);
    stream.complete();
  };
  for await (const bytes of body) {
    if (reader.done) continue;
    for (const event of parser.push(bytes)) {
      emit(reader.read(event));
      if (reader.done) break;
    }
    if (reader.done) finish();
    // Not pulling the next bytes is what holds the upstream back.
    else await stream.ready();
  }
  if (!reader.done) {
    for (const event of parser.end()) emit(reader.read(event));
    finish();
  }
}
