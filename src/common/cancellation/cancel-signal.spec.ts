import { CallCancellation } from './call-cancellation.js';
import { onAbort, toAbortSignal } from './cancel-signal.js';

describe('cancel-signal', () => {
  describe(onAbort.name, () => {
    it.each([
      ['a CallCancellation', () => new CallCancellation()],
      ['an AbortSignal', () => new AbortController()],
    ])('calls the listener once when %s fires', (_, make) => {
      const source = make();
      const signal = source instanceof CallCancellation ? source : source.signal;
      let calls = 0;
      onAbort(signal, () => calls++);

      source.abort();
      source.abort();
      expect(calls).toBe(1);
    });

    it.each([
      ['a CallCancellation', () => new CallCancellation()],
      ['an AbortSignal', () => new AbortController()],
    ])('never calls a listener removed from %s', (_, make) => {
      const source = make();
      const signal = source instanceof CallCancellation ? source : source.signal;
      let calls = 0;
      const detach = onAbort(signal, () => calls++);

      detach();
      source.abort();
      expect(calls).toBe(0);
    });
  });

  describe(toAbortSignal.name, () => {
    it('hands an AbortSignal back as it is', () => {
      const signal = new AbortController().signal;
      expect(toAbortSignal(signal)).toBe(signal);
      expect(toAbortSignal(undefined)).toBeUndefined();
    });

    it("gives a CallCancellation's own AbortSignal", () => {
      const cancellation = new CallCancellation();
      const signal = toAbortSignal(cancellation);

      expect(signal).toBe(cancellation.signal);
      cancellation.abort();
      expect(signal.aborted).toBe(true);
    });
  });
});
