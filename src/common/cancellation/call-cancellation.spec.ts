import { CallCancellation } from './call-cancellation.js';

describe(CallCancellation.name, () => {
  it('starts uncancelled, with no reason', () => {
    const cancellation = new CallCancellation();

    expect(cancellation.aborted).toBe(false);
    expect(cancellation.reason).toBeUndefined();
  });

  it('cancels once: its listeners hear it once, and a second reason is ignored', () => {
    const cancellation = new CallCancellation();
    const heard: unknown[] = [];
    cancellation.once('abort', () => heard.push(cancellation.reason));
    const first = new Error('first');

    cancellation.abort(first);
    cancellation.abort(new Error('second'));

    expect(cancellation.aborted).toBe(true);
    expect(cancellation.reason).toBe(first);
    expect(heard).toEqual([first]);
  });

  it('gives the AbortError DOMException as reason when none is given, as AbortController does', () => {
    const cancellation = new CallCancellation();
    cancellation.abort();

    const reference = new AbortController();
    reference.abort();
    expect(cancellation.reason).toBeInstanceOf(DOMException);
    expect((cancellation.reason as DOMException).name).toBe(
      (reference.signal.reason as DOMException).name,
    );
  });

  it('builds a standard AbortSignal on request that fires with it, with the same reason', () => {
    const cancellation = new CallCancellation();
    const signal = cancellation.signal;
    const reasons: unknown[] = [];
    signal.addEventListener('abort', () => reasons.push(signal.reason));

    expect(signal).toBeInstanceOf(AbortSignal);
    expect(cancellation.signal).toBe(signal);
    expect(signal.aborted).toBe(false);
    const reason = new Error('gone');
    cancellation.abort(reason);
    expect(reasons).toEqual([reason]);
  });

  it('builds an already aborted AbortSignal once it has been cancelled', () => {
    const cancellation = new CallCancellation();
    const reason = new Error('gone');
    cancellation.abort(reason);

    expect(cancellation.signal.aborted).toBe(true);
    expect(cancellation.signal.reason).toBe(reason);
  });
});
