import { CallCancellation } from './call-cancellation.js';

/** What cancels a call: the gateway's {@link CallCancellation}, or a standard `AbortSignal`. */
export type CancelSignal = AbortSignal | CallCancellation;

/**
 * Calls `listener` once when `signal` fires (never when it has fired already: check `aborted`
 * first); returns what removes it.
 */
export function onAbort(signal: CancelSignal, listener: () => void): () => void {
  if (signal instanceof CallCancellation) {
    signal.once('abort', listener);
    return () => signal.removeListener('abort', listener);
  }
  signal.addEventListener('abort', listener, { once: true });
  return () => signal.removeEventListener('abort', listener);
}

/** `signal` as a standard `AbortSignal` (a {@link CallCancellation} builds one on first use). */
export function toAbortSignal(signal: CancelSignal): AbortSignal;
export function toAbortSignal(signal: CancelSignal | undefined): AbortSignal | undefined;
export function toAbortSignal(signal: CancelSignal | undefined): AbortSignal | undefined {
  return signal instanceof CallCancellation ? signal.signal : signal;
}
