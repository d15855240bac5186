import { firstValueFrom, toArray } from 'rxjs';
import { coldUpstreamStream, type StreamPump } from './cold-upstream-stream.js';

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
    let pumpSignal: AbortSignal | undefined;
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
    let pumpSignal: AbortSignal | undefined;
    coldUpstreamStream<number>(
      caller.signal,
      (s) => {
        pumpSignal = s.signal;
        return new Promise<void>(() => undefined);
      },
      (e) => e,
    ).subscribe();
    caller.abort();
    expect(pumpSignal?.aborted).toBe(true);
  });
});
