import { CircuitState } from 'cockatiel';
import { FailureRateBreaker } from './failure-rate.breaker.js';

describe(FailureRateBreaker.name, () => {
  const closed = CircuitState.Closed;

  it('opens at the threshold (5 failures of 10 at 50%), not only above it', () => {
    const breaker = new FailureRateBreaker(0.5, 10, 5);
    for (let i = 0; i < 5; i++) breaker.success(closed);
    const opened = [1, 2, 3, 4, 5].map(() => breaker.failure(closed));
    expect(opened).toEqual([false, false, false, false, true]);
  });

  it('waits for minimum-calls before judging the rate', () => {
    const breaker = new FailureRateBreaker(0.5, 10, 5);
    expect([1, 2, 3, 4].map(() => breaker.failure(closed))).toEqual([false, false, false, false]);
    expect(breaker.failure(closed)).toBe(true);
  });

  it('judges only the last `size` calls', () => {
    const breaker = new FailureRateBreaker(0.5, 4, 4);
    breaker.failure(closed);
    breaker.failure(closed);
    for (let i = 0; i < 4; i++) breaker.success(closed);
    // The two old failures slid out: 1 failure of 4 is 25%.
    expect(breaker.failure(closed)).toBe(false);
  });

  it('handles thresholds that are not exact binary fractions (3 of 10 at 30%)', () => {
    const breaker = new FailureRateBreaker(0.3, 10, 10);
    for (let i = 0; i < 7; i++) breaker.success(closed);
    expect([1, 2, 3].map(() => breaker.failure(closed))).toEqual([false, false, true]);
  });

  it('re-opens on a failed half-open trial and forgets old failures after a good one', () => {
    const breaker = new FailureRateBreaker(0.5, 4, 3);
    breaker.failure(closed);
    expect(breaker.failure(CircuitState.HalfOpen)).toBe(true);
    breaker.success(CircuitState.HalfOpen);
    // Without the reset this would be 3 failures of 4; after it, 1 of 2 is below minimum-calls.
    expect(breaker.failure(closed)).toBe(false);
  });

  it('refuses thresholds outside (0, 1]', () => {
    expect(() => new FailureRateBreaker(0, 10, 5)).toThrow(RangeError);
    expect(() => new FailureRateBreaker(1.5, 10, 5)).toThrow(RangeError);
    expect(() => new FailureRateBreaker(1, 10, 5)).not.toThrow();
  });
});
