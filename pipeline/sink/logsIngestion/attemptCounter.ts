import { isRestError, type PipelinePolicy } from '@azure/core-rest-pipeline';

/** One upload() call's HTTP attempts, as the counting policy saw them. */
export interface AttemptRecord {
  attempts: number;
  lastStatus?: number;
}

/**
 * A pipeline policy that counts HTTP attempts (retries included) and keeps the last status, per upload() call:
 * each call is given its own abort signal, and `track(signal)` returns the record the policy fills for it.
 * Placed after the SDK's Retry phase, it runs once per attempt.
 */
export function createAttemptCounter(): {
  policy: PipelinePolicy;
  track: (signal: AbortSignal) => AttemptRecord;
} {
  const bySignal = new WeakMap<object, AttemptRecord>();
  const policy: PipelinePolicy = {
    name: 'otSocAttemptCounter',
    async sendRequest(request, next) {
      const record = request.abortSignal ? bySignal.get(request.abortSignal) : undefined;
      if (record) record.attempts++;
      try {
        const response = await next(request);
        if (record) record.lastStatus = response.status;
        return response;
      } catch (error) {
        if (record && isRestError(error) && error.statusCode !== undefined)
          record.lastStatus = error.statusCode;
        throw error;
      }
    },
  };
  const track = (signal: AbortSignal): AttemptRecord => {
    const record: AttemptRecord = { attempts: 0 };
    bySignal.set(signal, record);
    return record;
  };
  return { policy, track };
}
