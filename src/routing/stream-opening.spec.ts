import { Observable, Subject } from 'rxjs';
import { CallCancellation } from '../common/cancellation/call-cancellation.js';
import { openStream } from './stream-opening.js';

describe(openStream.name, () => {
  const cancelled = () => new Error('cancelled');

  it('rejects with cancelled() and unsubscribes its source when the call is cancelled before the first chunk', async () => {
    const cancellation = new CallCancellation();
    let unsubscribed = false;
    const source$ = new Observable<number>(() => () => (unsubscribed = true));
    const opening = openStream(source$, cancellation, cancelled);

    cancellation.abort();
    await expect(opening).rejects.toThrow('cancelled');
    expect(unsubscribed).toBe(true);
  });

  it('opens at the first chunk and lets go of the cancellation once the stream ends', async () => {
    const cancellation = new CallCancellation();
    const source$ = new Subject<number>();
    const opening = openStream(source$, cancellation, cancelled);
    source$.next(1);
    const opened = await opening;
    const seen: number[] = [];
    opened.forward({ next: (n: number) => seen.push(n), complete: () => undefined } as never);

    expect(cancellation.listenerCount('abort')).toBe(1);
    source$.next(2);
    source$.complete();
    expect(seen).toEqual([1, 2]);
    expect(cancellation.listenerCount('abort')).toBe(0);
  });

  it('rejects at once, subscribing to nothing, when the call was cancelled already', async () => {
    const cancellation = new CallCancellation();
    cancellation.abort();
    let subscribed = false;
    const source$ = new Observable<number>(() => {
      subscribed = true;
    });

    await expect(openStream(source$, cancellation, cancelled)).rejects.toThrow('cancelled');
    expect(subscribed).toBe(false);
  });
});
