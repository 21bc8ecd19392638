import { describe, expect, it } from 'vitest';
import { Lanes } from '../../cli/lanes.js';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('Lanes', () => {
  it('runs work in order within a lane and at once across lanes', async () => {
    const lanes = new Lanes();
    const log: string[] = [];
    const job = (name: string, ms: number) => async () => {
      log.push(`${name}>`);
      await tick(ms);
      log.push(`<${name}`);
    };
    lanes.track(lanes.run('a', job('a1', 30)));
    lanes.track(lanes.run('b', job('b1', 5)));
    lanes.track(lanes.run('a', job('a2', 5)));
    await lanes.settle();
    // b1 starts (and ends) while a1 runs; a2 starts only after a1 ended.
    expect(log).toEqual(['a1>', 'b1>', '<b1', '<a1', 'a2>', '<a2']);
  });

  it('settle(n) returns once at most n tracked works are in flight', async () => {
    const lanes = new Lanes();
    let ended = 0;
    for (const [lane, ms] of [
      ['a', 5],
      ['b', 40],
      ['c', 40],
    ] as const)
      lanes.track(lanes.run(lane, async () => tick(ms).then(() => ended++)));
    await lanes.settle(2);
    expect(ended).toBe(1);
    await lanes.settle();
    expect(ended).toBe(3);
  });

  it('after a failure nothing new starts, settle waits for what runs and then throws the failure', async () => {
    const lanes = new Lanes();
    const started: string[] = [];
    let slowEnded = false;
    lanes.track(
      lanes.run('a', async () => {
        started.push('a1');
        throw new Error('store down');
      }),
    );
    lanes.track(
      lanes.run('b', async () => {
        started.push('b1');
        await tick(30);
        slowEnded = true;
      }),
    );
    lanes.track(lanes.run('a', async () => void started.push('a2')));
    lanes.track(lanes.run('b', async () => void started.push('b2')));
    await tick(1); // the failure is known by now; b1 still runs
    await expect(lanes.settle(10)).rejects.toThrow('store down');
    expect(slowEnded).toBe(true);
    expect(started).toEqual(['a1', 'b1']);
  });
});
