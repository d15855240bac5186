/**
 * Demand travelling back up a stream, against the direction of its chunks: the writer holds the
 * flow when the caller's socket is full and releases it once the socket drained; whatever reads
 * the upstream waits on {@link ready} before it pulls more. An upstream body that is not pulled
 * stops being read off its socket (undici pauses it), TCP's window closes, and the upstream stops
 * sending: nothing piles up in between, however slowly the caller reads.
 *
 * Observables push and cannot say "not now"; this one small object, created per call and handed
 * to both ends, is how the SSE writer and the upstream reader agree.
 */
export class StreamFlow {
  private held = false;
  private waiting: (() => void)[] = [];

  /** Whether readers are asked to wait. */
  get isHeld(): boolean {
    return this.held;
  }

  /** The caller's socket is full: stop pulling. */
  hold(): void {
    this.held = true;
  }

  /** The caller's socket drained, or went away: pulling goes on. */
  release(): void {
    this.held = false;
    for (const resume of this.waiting.splice(0)) resume();
  }

  /**
   * `undefined` when pulling may go on now (no promise, no extra tick on the hot path); otherwise
   * a promise that resolves at the next {@link release}.
   */
  ready(): Promise<void> | undefined {
    if (!this.held) return undefined;
    return new Promise<void>((resume) => this.waiting.push(resume));
  }
}
