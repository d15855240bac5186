/**
 * Why a {@link WorkerPool} task produced no answer:
 * - `timeout`: the worker did not answer within the task's deadline and was terminated;
 * - `out-of-memory`: the worker reached its heap limit and was terminated;
 * - `crashed`: the worker exited for another reason;
 * - `busy`: every worker was busy and the queue was full, so the task was refused at once;
 * - `cancelled`: the caller's signal fired while the task was still queued;
 * - `closed`: the pool is shutting down.
 */
export type WorkerPoolFailure =
  'timeout' | 'out-of-memory' | 'crashed' | 'busy' | 'cancelled' | 'closed';

/** A task a {@link WorkerPool} could not get answered; `reason` says why. */
export class WorkerPoolError extends Error {
  override readonly name = 'WorkerPoolError';

  constructor(
    readonly reason: WorkerPoolFailure,
    message: string,
  ) {
    super(message);
  }
}
