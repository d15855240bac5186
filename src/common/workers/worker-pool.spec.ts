import { WorkerPool } from './worker-pool.js';
import { WorkerPoolError } from './worker-pool.error.js';

/**
 * A worker module that echoes what it is sent, or blocks its thread for good on `'hang'` (where
 * only termination stops it), or dies on `'crash'`, or tells its thread id on `'id'`.
 */
const ECHO_WORKER = new URL(
  `data:text/javascript,${encodeURIComponent(`
    import { parentPort, threadId } from 'node:worker_threads';
    parentPort.on('message', (input) => {
      if (input === 'hang') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
      if (input === 'crash') process.exit(3);
      parentPort.postMessage(input === 'id' ? threadId : input);
    });
  `)}`,
);

const pools: WorkerPool[] = [];
function pool(options: Partial<ConstructorParameters<typeof WorkerPool>[1]> = {}): WorkerPool {
  const created = new WorkerPool(ECHO_WORKER, {
    workers: 1,
    maxHeapMb: 32,
    maxQueued: 4,
    ...options,
  });
  pools.push(created);
  return created;
}

async function failureOf(promise: Promise<unknown>): Promise<WorkerPoolError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof WorkerPoolError) return error;
    throw error;
  }
  throw new Error('expected the task to fail');
}

afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

describe(WorkerPool.name, () => {
  it('runs tasks on a worker and keeps the worker for the next ones', async () => {
    const workers = pool();

    expect(await workers.run({ hello: 'world' }, 5000)).toEqual({ hello: 'world' });
    const first = await workers.run('id', 5000);
    expect(await workers.run('id', 5000)).toBe(first);
  });

  it('terminates a worker that misses its deadline, and serves the next task on a new one', async () => {
    const workers = pool();
    const before = await workers.run('id', 5000);

    const stuck = await failureOf(workers.run('hang', 200));

    expect(stuck.reason).toBe('timeout');
    expect(stuck.message).toBe('the worker did not answer within 200 ms');
    const after = await workers.run('id', 5000);
    expect(after).not.toBe(before);
  });

  it('hands a queued task to the replacement of a worker that was terminated', async () => {
    const workers = pool();

    const stuck = failureOf(workers.run('hang', 200));
    const queued = workers.run('behind it', 5000);

    expect((await stuck).reason).toBe('timeout');
    expect(await queued).toBe('behind it');
  });

  it('reports a worker that exits mid-task as crashed, and replaces it', async () => {
    const workers = pool();

    expect((await failureOf(workers.run('crash', 5000))).reason).toBe('crashed');
    expect(await workers.run('again', 5000)).toBe('again');
  });

  it('runs tasks side by side up to its size: a stuck one does not hold another', async () => {
    const workers = pool({ workers: 2 });

    const stuck = failureOf(workers.run('hang', 10_000));
    expect(await workers.run('meanwhile', 5000)).toBe('meanwhile');
    await workers.close();
    expect((await stuck).reason).toBe('closed');
  });

  it('refuses a task at once when every worker is busy and the queue is full', async () => {
    const workers = pool({ workers: 1, maxQueued: 1 });
    const stuck = failureOf(workers.run('hang', 10_000));
    const queued = failureOf(workers.run('queued', 5000));

    const refused = await failureOf(workers.run('one too many', 5000));

    expect(refused.reason).toBe('busy');
    expect(refused.message).toBe('all 1 workers are busy and 1 tasks are already waiting');
    await workers.close();
    expect((await stuck).reason).toBe('closed');
    expect((await queued).reason).toBe('closed');
  });

  it('withdraws a queued task whose signal fires, before it reaches a worker', async () => {
    const workers = pool({ workers: 1 });
    const stuck = failureOf(workers.run('hang', 300));
    const controller = new AbortController();
    const withdrawn = failureOf(workers.run('never run', 5000, controller.signal));

    controller.abort();

    expect((await withdrawn).reason).toBe('cancelled');
    expect((await stuck).reason).toBe('timeout');
    expect(await workers.run('next', 5000)).toBe('next');
  });

  it('refuses tasks once closed', async () => {
    const workers = pool();
    await workers.close();

    expect((await failureOf(workers.run('late', 5000))).reason).toBe('closed');
  });
});
