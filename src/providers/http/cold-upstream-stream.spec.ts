import { firstValueFrom, toArray } from 'rxjs';
import { CallCancellation } from '../../common/cancellation/call-cancellation.js';
import type { CancelSignal } from '../../common/cancellation/cancel-signal.js';
import { StreamFlow } from '../../common/sse/stream-flow.js';
import {
  coldUpstreamStream,
  pumpSse,
  type SseChunkReader,
  type StreamPump,
} from './cold-upstream-stream.js';

describe('coldUpstreamStream', () => {
  it('does nothing until subscribed', () => {
    let started = 0;
    coldUpstreamStream<number>(
      undefined,
      () => {
        started += 1;
        return Promise.resolve();
      },
      (e) => e,
    );
    expect(started).toBe(0);
  });

  it('emits what the pump gives and completes when it resolves', async () => {
    const values = await firstValueFrom(
      coldUpstreamStream<number>(
        undefined,
        (s) => {
          s.next(1);
          s.next(2);
          return Promise.resolve();
        },
        (e) => e,
      ).pipe(toArray()),
    );
    expect(values).toEqual([1, 2]);
  });

  it('completes early when the pump says so, and ignores a failure while it drains', async () => {
    const values = await firstValueFrom(
      coldUpstreamStream<number>(
        undefined,
        async (s) => {
          s.next(1);
          s.complete();
          await Promise.resolve();
          throw new Error('while draining');
        },
        (e) => e,
      ).pipe(toArray()),
    );
    expect(values).toEqual([1]);
  });

  it('maps a failure once', async () => {
    const error = await firstValueFrom(
      coldUpstreamStream<number>(
        undefined,
        () => Promise.reject(new Error('boom')),
        (e) => new Error(`mapped: ${(e as Error).message}`),
      ),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe('mapped: boom');
  });

  it('aborts the pump when unsubscribed before the end, not after', async () => {
    let pumpSignal: CancelSignal | undefined;
    let release: () => void = () => undefined;
    const stream$ = coldUpstreamStream<number>(
      undefined,
      (s: StreamPump<number>) => {
        pumpSignal = s.signal;
        return new Promise<void>((resolve) => (release = resolve));
      },
      (e) => e,
    );
    const subscription = stream$.subscribe();
    subscription.unsubscribe();
    expect(pumpSignal?.aborted).toBe(true);

    const finished = stream$.subscribe();
    release();
    await Promise.resolve();
    await Promise.resolve();
    finished.unsubscribe();
    expect(pumpSignal?.aborted).toBe(false);
  });

  it("aborts the pump when the caller's signal does", () => {
    const caller = new AbortController();
    let pumpSignal: CancelSignal | undefined;
    coldUpstreamStream<number>(
      { signal: caller.signal },
      (s) => {
        pumpSignal = s.signal;
        return new Promise<void>(() => undefined);
      },
      (e) => e,
    ).subscribe();
    caller.abort();
    expect(pumpSignal?.aborted).toBe(true);
  });

  it("aborts the pump when the caller's CallCancellation does, and lets go of it after", () => {
    const caller = new CallCancellation();
    let pumpSignal: CancelSignal | undefined;
    const subscription = coldUpstreamStream<number>(
      { signal: caller },
      (s) => {
        pumpSignal = s.signal;
        return new Promise<void>(() => undefined);
      },
      (e) => e,
    ).subscribe();
    expect(caller.listenerCount('abort')).toBe(1);
    caller.abort();
    expect(pumpSignal?.aborted).toBe(true);
    subscription.unsubscribe();

    const other = new CallCancellation();
    coldUpstreamStream<number>(
      { signal: other },
      () => new Promise<void>(() => undefined),
      (e) => e,
    )
      .subscribe()
      .unsubscribe();
    expect(other.listenerCount('abort')).toBe(0);
  });
});

describe('pumpSse', () => {
  /** An SSE body that counts how many of its chunks were pulled. */
  function body(frames: string[]) {
    const state = { pulled: 0 };
    async function* chunks() {
      for (const frame of frames) {
        state.pulled += 1;
        yield await Promise.resolve(new TextEncoder().encode(frame));
      }
    }
    return { chunks: chunks(), state };
  }

  const reader = (): SseChunkReader<string> => {
    let done = false;
    return {
      get done() {
        return done;
      },
      read: (event) => {
        if (event.data === '[DONE]') done = true;
        return done ? undefined : event.data;
      },
      finish: () => undefined,
    };
  };

  it("pulls no more of the body while the caller's flow is held, and all of it after", async () => {
    const flow = new StreamFlow();
    const { chunks, state } = body([
      'data: a\n\n',
      'data: b\n\n',
      'data: c\n\n',
      'data: [DONE]\n\n',
    ]);
    const seen: string[] = [];
    const stream$ = coldUpstreamStream<string>(
      { flow },
      (pump) => pumpSse(chunks, reader(), pump),
      (e) => e,
    );
    const ended = new Promise<void>((resolve) =>
      stream$.subscribe({ next: (c) => seen.push(c), complete: resolve }),
    );

    flow.hold();
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toEqual(['a']);
    expect(state.pulled).toBe(1);

    flow.release();
    await ended;
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(state.pulled).toBe(4);
  });
});
