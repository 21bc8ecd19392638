import { isRestError } from '@azure/core-rest-pipeline';
import type { AttemptRecord } from './attemptCounter.js';

/** Why a chunk's rows were not accepted, and whether the same rows may succeed later. */
export interface UploadFailure {
  status?: number;
  reason: string;
  retryable: boolean;
}

/** HTTP statuses worth trying again later with the same row. */
export function isRetryableStatus(status: number): boolean {
  // 401/403: token or role assignment (Monitoring Metrics Publisher) not there yet — environmental.
  return status === 408 || status === 429 || status >= 500 || status === 401 || status === 403;
}

/** The failure an upload() error means; `write` says whether the write was aborted and why it would be. */
export function describeFailure(
  cause: Error,
  record: AttemptRecord,
  write: { aborted: boolean; abortReason: string },
): UploadFailure {
  if (cause.name === 'AbortError' || write.aborted) {
    // The SDK reports AbortError even when the aborted attempt already got its 204, so a request that
    // was sent may have been stored: retrying it is at-least-once (duplicates collapse on AlertId+Revision).
    const last = record.lastStatus !== undefined ? `, last response ${record.lastStatus}` : '';
    const inFlight = record.attempts > 0 ? ` (request was sent, outcome unknown${last})` : '';
    const failure: UploadFailure = { reason: `${write.abortReason}${inFlight}`, retryable: true };
    if (record.lastStatus !== undefined) failure.status = record.lastStatus;
    return failure;
  }
  if (isRestError(cause)) {
    const status = cause.statusCode;
    const code = cause.code ? `${cause.code}: ` : '';
    if (status === undefined) return { reason: `network error: ${code}${cause.message}`, retryable: true };
    return { status, reason: `${status} ${code}${cause.message}`, retryable: isRetryableStatus(status) };
  }
  // Credential failures and the like: nothing wrong with the row.
  return { reason: `${cause.name}: ${cause.message}`, retryable: true };
}
