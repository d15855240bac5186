import { CircuitState, type IBreaker } from 'cockatiel';

interface WindowState {
  readonly samples: (boolean | null)[];
  readonly next: number;
}

/**
 * Opens once the share of failures over the last `size` calls reaches `threshold`, when the window
 * holds at least `minimumCalls` calls. cockatiel's own `CountBreaker` opens only above the
 * threshold (5 failures of 10 would not open it at 0.5) and refuses a threshold of 1; the
 * contract, like resilience4j which DVARA used, opens *at* the rate ("50% failures over the last
 * 10 calls").
 */
export class FailureRateBreaker implements IBreaker {
  /** `true` a success, `false` a failure, `null` no call yet; a ring of the last `size` calls. */
  private samples: (boolean | null)[];
  private next = 0;

  constructor(
    private readonly threshold: number,
    size: number,
    private readonly minimumCalls: number,
  ) {
    if (!(threshold > 0 && threshold <= 1)) {
      throw new RangeError(`failure rate threshold must be in (0, 1], got ${threshold}`);
    }
    if (!Number.isSafeInteger(size) || size < 1) {
      throw new RangeError(`sliding window size must be a positive integer, got ${size}`);
    }
    this.samples = Array.from({ length: size }, () => null);
  }

  get state(): unknown {
    const state: WindowState = { samples: [...this.samples], next: this.next };
    return state;
  }

  set state(value: unknown) {
    const { samples, next } = value as WindowState;
    this.samples = [...samples];
    this.next = next;
  }

  success(state: CircuitState): void {
    // The half-open trial succeeded: the failures that opened the breaker are history.
    if (state === CircuitState.HalfOpen) this.samples.fill(null);
    this.record(true);
  }

  failure(state: CircuitState): boolean {
    this.record(false);
    if (state !== CircuitState.Closed) return true;
    let calls = 0;
    let failures = 0;
    for (const sample of this.samples) {
      if (sample === null) continue;
      calls++;
      if (!sample) failures++;
    }
    // Divide rather than multiply: 0.3 * 10 is 3.0000000000000004, while 3 / 10 is exactly 0.3.
    return calls >= this.minimumCalls && failures / calls >= this.threshold;
  }

  private record(success: boolean): void {
    this.samples[this.next] = success;
    this.next = (this.next + 1) % this.samples.length;
  }
}
