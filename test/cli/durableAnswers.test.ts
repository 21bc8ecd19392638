import { createHttpHeaders, type PipelineRequest, type PipelineResponse } from '@azure/core-rest-pipeline';
import { describe, expect, it } from 'vitest';
import { UNSAVED_HEADER } from '../../cli/state/azuriteLauncher.js';
import { durableAfterAnswers } from '../../cli/state/durableAnswers.js';

/** An answer through the policy, with or without the header. */
async function answer(policy: ReturnType<typeof durableAfterAnswers>['policy'], unsaved: boolean) {
  const headers = createHttpHeaders(unsaved ? { [UNSAVED_HEADER]: '1' } : {});
  await policy.sendRequest(
    {} as PipelineRequest,
    async (request) => ({ request, headers, status: 200 }) as PipelineResponse,
  );
}

describe('durableAfterAnswers', () => {
  it('flushes before the first rows, then only after an answer that asked for a whole save', async () => {
    let flushes = 0;
    const d = durableAfterAnswers(async () => void flushes++);
    await d.durable();
    await answer(d.policy, false);
    await d.durable();
    await d.durable();
    expect(flushes).toBe(1);
    await answer(d.policy, true);
    await d.durable();
    expect(flushes).toBe(2);
  });

  it('a caller during a flush waits for it; an answer asking for one during it gets one more', async () => {
    let release!: () => void;
    let flushes = 0;
    const d = durableAfterAnswers(
      () =>
        new Promise<void>((r) => {
          flushes++;
          release = r;
        }),
    );
    let firstDone = false;
    let secondDone = false;
    const first = d.durable().then(() => (firstDone = true));
    await answer(d.policy, true); // arrives while the first flush runs: it may not cover it
    const second = d.durable().then(() => (secondDone = true));
    await new Promise((r) => setTimeout(r, 5));
    expect([firstDone, secondDone, flushes]).toEqual([false, false, 1]);
    release();
    await first;
    await new Promise((r) => setTimeout(r, 5));
    expect([secondDone, flushes]).toEqual([false, 2]);
    release();
    await second;
    expect(flushes).toBe(2);
  });

  it('a failed flush fails the caller, and the next one tries again', async () => {
    let calls = 0;
    const d = durableAfterAnswers(async () => {
      if (calls++ === 0) throw new Error('disk full');
    });
    await expect(d.durable()).rejects.toThrow('disk full');
    await d.durable();
    expect(calls).toBe(2);
  });
});
