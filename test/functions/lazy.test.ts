import { describe, expect, it } from 'vitest';
import { lazy } from '../../functions/lazy.js';

describe('lazy', () => {
  it('builds once and shares the result between concurrent and later callers', async () => {
    let builds = 0;
    const get = lazy(async () => ({ n: ++builds }));
    const [a, b] = await Promise.all([get(), get()]);
    expect(a).toBe(b);
    expect(await get()).toBe(a);
    expect(builds).toBe(1);
  });

  it('does not cache a failure: the next call builds again', async () => {
    let builds = 0;
    const get = lazy(async () => {
      builds++;
      if (builds === 1) throw new Error('OTSOC_EVENTHUB_NAME: required');
      return 'ok';
    });
    await expect(get()).rejects.toThrow('OTSOC_EVENTHUB_NAME');
    expect(await get()).toBe('ok');
    expect(builds).toBe(2);
  });
});
