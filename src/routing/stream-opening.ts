import { type Observable, type Subscriber, Subscription } from 'rxjs';
import { type CancelSignal, onAbort } from '../common/cancellation/cancel-signal.js';
import { asError } from '../common/errors/as-error.js';

/** A stream whose first chunk has arrived: what follows goes to whoever takes it over. */
export interface OpenedStream<T> {
  /** Hands the stream to `subscriber`: the chunks held so far first, then the rest as it comes. */
  forward(subscriber: Subscriber<T>): void;
  /** Unsubscribes from the source, which aborts its upstream request. */
  cancel(): void;
}

/**
 * Subscribes to a cold chunk stream and settles at its first chunk (or at its end, should it end
 * without one): before that moment a failure rejects, so the caller may retry or fall over
 * (nothing has reached the client yet); after it, failures travel down the stream. Chunks that
 * arrive before {@link OpenedStream.forward} are held, not lost. `signal` unsubscribes at once;
 * before the first chunk the promise then rejects with `cancelled()`.
 */
export function openStream<T>(
  source$: Observable<T>,
  signal: CancelSignal,
  cancelled: () => Error,
): Promise<OpenedStream<T>> {
  return new Promise<OpenedStream<T>>((resolve, reject) => {
    if (signal.aborted) {
      reject(cancelled());
      return;
    }
    const held: T[] = [];
    let end: { readonly error: unknown } | 'complete' | undefined;
    let downstream: Subscriber<T> | undefined;
    let settled = false;
    const subscription = new Subscription();

    const cancel = () => {
      detach();
      subscription.unsubscribe();
    };
    const abandon = () => {
      cancel();
      if (!settled) {
        settled = true;
        reject(cancelled());
      }
    };
    const opened: OpenedStream<T> = {
      forward(subscriber) {
        for (const chunk of held.splice(0)) subscriber.next(chunk);
        if (end === 'complete') subscriber.complete();
        else if (end !== undefined) subscriber.error(end.error);
        else downstream = subscriber;
      },
      cancel,
    };
    const open = () => {
      if (settled) return;
      settled = true;
      resolve(opened);
    };

    const detach = onAbort(signal, abandon);
    subscription.add(
      source$.subscribe({
        next: (chunk) => {
          if (downstream !== undefined) return downstream.next(chunk);
          held.push(chunk);
          open();
        },
        error: (error: unknown) => {
          detach();
          if (!settled) {
            settled = true;
            reject(asError(error));
          } else if (downstream !== undefined) downstream.error(error);
          else end = { error };
        },
        complete: () => {
          detach();
          if (downstream !== undefined) return downstream.complete();
          end = 'complete';
          open();
        },
      }),
    );
  });
}
