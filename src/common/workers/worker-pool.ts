import { Worker } from 'node:worker_threads';
import { WorkerPoolError } from './worker-pool.error.js';

export interface WorkerPoolOptions {
  /** Threads at most; each is started when a task first needs it. */
  readonly workers: number;
  /** Each thread's V8 old-generation heap limit (`resourceLimits.maxOldGenerationSizeMb`). */
  readonly maxHeapMb: number;
  /** Tasks that may wait for a free thread; one more is refused at once with `busy`. */
  readonly maxQueued: number;
}

interface Task {
  readonly input: unknown;
  readonly deadlineMs: number;
  readonly resolve: (output: unknown) => void;
  readonly reject: (error: WorkerPoolError) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

interface Slot {
  readonly worker: Worker;
  online: boolean;
  task?: Task;
  deadline?: NodeJS.Timeout;
  /** What the worker reported before it exited (its heap limit, an uncaught error). */
  failure?: unknown;
}

/**
 * A small pool of `worker_threads` running one module, one task per thread at a time, so that
 * CPU-bound work (untrusted-ish scripts) never blocks the event loop. Threads start on demand and
 * live on; a thread that misses a task's deadline is terminated, one that reaches its heap limit
 * or crashes is dropped, and either is replaced when work is waiting. Tasks beyond the free
 * threads wait in a bounded FIFO queue. The worker module answers each `postMessage(input)` with
 * exactly one `postMessage(output)`.
 */
export class WorkerPool {
  private readonly slots = new Set<Slot>();
  private readonly queue: Task[] = [];
  private closed = false;

  constructor(
    private readonly module: URL,
    private readonly options: WorkerPoolOptions,
  ) {}

  /**
   * Runs `input` on a free thread (or once one frees up). `deadlineMs` counts from the moment
   * the thread starts on it; `signal` withdraws the task while it is still queued.
   * @throws WorkerPoolError
   */
  run(input: unknown, deadlineMs: number, signal?: AbortSignal): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      if (this.closed) {
        reject(new WorkerPoolError('closed', 'the worker pool is closed'));
        return;
      }
      if (signal?.aborted) {
        reject(new WorkerPoolError('cancelled', 'the task was cancelled before it started'));
        return;
      }
      const task: Task = {
        input,
        deadlineMs,
        resolve,
        reject,
        signal,
        onAbort: () => this.withdraw(task),
      };
      const slot = this.freeSlot();
      if (slot !== undefined) {
        this.assign(slot, task);
        return;
      }
      if (this.queue.length >= this.options.maxQueued) {
        reject(
          new WorkerPoolError(
            'busy',
            `all ${this.options.workers} workers are busy and ${this.queue.length} tasks are already waiting`,
          ),
        );
        return;
      }
      this.queue.push(task);
      signal?.addEventListener('abort', task.onAbort, { once: true });
    });
  }

  /** Refuses new tasks, fails the waiting and running ones with `closed`, stops every thread. */
  async close(): Promise<void> {
    this.closed = true;
    const closed = () => new WorkerPoolError('closed', 'the worker pool is closed');
    for (const task of this.queue.splice(0)) this.settle(task).reject(closed());
    const stopping = [...this.slots].map((slot) => {
      this.slots.delete(slot);
      clearTimeout(slot.deadline);
      if (slot.task !== undefined) this.settle(slot.task).reject(closed());
      slot.task = undefined;
      return slot.worker.terminate();
    });
    await Promise.all(stopping);
  }

  /** An idle thread, or a new one while the pool is below its size. */
  private freeSlot(): Slot | undefined {
    for (const slot of this.slots) if (slot.task === undefined) return slot;
    return this.slots.size < this.options.workers ? this.spawn() : undefined;
  }

  private spawn(): Slot {
    const worker = new Worker(this.module, {
      resourceLimits: { maxOldGenerationSizeMb: this.options.maxHeapMb },
      // The thread gets no copy of the environment (secrets) and none of the host's CLI flags.
      env: {},
      execArgv: [],
    });
    const slot: Slot = { worker, online: false };
    this.slots.add(slot);
    worker.on('online', () => {
      slot.online = true;
      if (slot.task !== undefined) this.startDeadline(slot, slot.task);
    });
    worker.on('message', (output: unknown) => this.answered(slot, output));
    worker.on('error', (error) => (slot.failure = error));
    worker.on('messageerror', (error) => (slot.failure = error));
    worker.on('exit', () => this.exited(slot));
    return slot;
  }

  private assign(slot: Slot, task: Task): void {
    task.signal?.removeEventListener('abort', task.onAbort);
    slot.task = task;
    // A busy thread keeps the process alive until it answers; an idle one does not.
    slot.worker.ref();
    slot.worker.postMessage(task.input);
    if (slot.online) this.startDeadline(slot, task);
  }

  private startDeadline(slot: Slot, task: Task): void {
    slot.deadline = setTimeout(() => {
      this.retire(
        slot,
        new WorkerPoolError('timeout', `the worker did not answer within ${task.deadlineMs} ms`),
      );
    }, task.deadlineMs);
  }

  private answered(slot: Slot, output: unknown): void {
    const task = slot.task;
    if (task === undefined || !this.slots.has(slot)) return;
    clearTimeout(slot.deadline);
    slot.task = undefined;
    task.resolve(output);
    this.next(slot);
  }

  /** Terminates a thread whose task failed; the task gets `failure`, the queue a new thread. */
  private retire(slot: Slot, failure: WorkerPoolError): void {
    if (!this.slots.delete(slot)) return;
    clearTimeout(slot.deadline);
    const task = slot.task;
    slot.task = undefined;
    task?.reject(failure);
    void slot.worker.terminate();
    this.refill();
  }

  private exited(slot: Slot): void {
    this.retire(slot, exitFailure(slot.failure));
  }

  /** Gives a thread that just finished the next waiting task, or lets it idle. */
  private next(slot: Slot): void {
    const task = this.queue.shift();
    if (task === undefined) slot.worker.unref();
    else this.assign(slot, task);
  }

  /** After a thread was dropped: start another if tasks are waiting. */
  private refill(): void {
    if (this.closed || this.queue.length === 0) return;
    if (this.slots.size >= this.options.workers) return;
    this.next(this.spawn());
  }

  private withdraw(task: Task): void {
    const index = this.queue.indexOf(task);
    if (index === -1) return;
    this.queue.splice(index, 1);
    task.reject(new WorkerPoolError('cancelled', 'the task was cancelled before it started'));
  }

  private settle(task: Task): Task {
    task.signal?.removeEventListener('abort', task.onAbort);
    return task;
  }
}

function exitFailure(reported: unknown): WorkerPoolError {
  const code =
    typeof reported === 'object' && reported !== null && 'code' in reported
      ? reported.code
      : undefined;
  if (code === 'ERR_WORKER_OUT_OF_MEMORY') {
    return new WorkerPoolError('out-of-memory', 'the worker reached its heap limit');
  }
  return new WorkerPoolError('crashed', 'the worker stopped unexpectedly');
}
