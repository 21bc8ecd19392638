import type { PipelinePolicy } from '@azure/core-rest-pipeline';
import { UNSAVED_HEADER } from './azuriteLauncher.js';

/**
 * What the `--state` store runs before rows are written (RunOptions.beforeWrite). Its Azurite journals every
 * write before it answers (azuriteLauncher.ts), so a committed state is durable once its answer is here: nothing
 * is left to do, unless an answer said a change only a whole save keeps is pending (UNSAVED_HEADER: a table was
 * created), which `flush` saves first. One is assumed pending until the first flush. `policy` goes on the
 * store's TableClient, where it sees every answer.
 */
export function durableAfterAnswers(flush: () => Promise<void>): {
  policy: PipelinePolicy;
  durable: () => Promise<void>;
} {
  let unsaved = true;
  let saving: Promise<void> | undefined;
  const policy: PipelinePolicy = {
    name: 'otSocUnsavedAnswers',
    async sendRequest(request, next) {
      const response = await next(request);
      if (response.headers.get(UNSAVED_HEADER)) unsaved = true;
      return response;
    },
  };
  const durable = async (): Promise<void> => {
    // A flush under way may have started before the answer that asked for one: wait for it, then look again.
    while (saving) await saving.catch(() => {});
    if (!unsaved) return;
    unsaved = false;
    saving = flush();
    try {
      await saving;
    } catch (e) {
      unsaved = true;
      throw e;
    } finally {
      saving = undefined;
    }
  };
  return { policy, durable };
}
