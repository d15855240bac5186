import { StreamFlow } from './stream-flow.js';

describe(StreamFlow.name, () => {
  it('lets readers go on at once while not held, without a promise', () => {
    expect(new StreamFlow().ready()).toBeUndefined();
  });

  it('makes readers wait while held, and lets all of them go at the release', async () => {
    const flow = new StreamFlow();
    flow.hold();
    const resumed: number[] = [];

    const waits = [flow.ready(), flow.ready()].map(async (ready, i) => {
      await ready;
      resumed.push(i);
    });
    await Promise.resolve();
    expect(resumed).toEqual([]);

    flow.release();
    await Promise.all(waits);
    expect(resumed).toEqual([0, 1]);
    expect(flow.ready()).toBeUndefined();
  });
});
