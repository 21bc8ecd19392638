import type { AlertStatus } from '../model/alert.js';
import type { GroupStore } from './groupState.js';
import { fullOutbox } from './outbox.js';

export type FeedbackResult =
  | { ok: true; alertId: string; status: AlertStatus; changed: boolean }
  | { ok: false; alertId: string; reason: 'not-found' | 'conflict' };

/**
 * Sets a group's status from Sentinel (a playbook calls this when the incident is closed or reopened),
 * so that, as in Defender for IoT, the next occurrence after a close is a new alert. The change is an
 * urgent revision: the next batch or flush writes its row. Retries on ETag conflicts.
 */
export async function setGroupStatus(
  store: GroupStore,
  alertId: string,
  status: AlertStatus,
  maxAttempts = 5,
): Promise<FeedbackResult> {
  for (let attempt = 0; attempt < maxAttempts; attempt++) {
    const found = await store.findByAlertId(alertId);
    if (!found) return { ok: false, alertId, reason: 'not-found' };
    const group = found.value;
    if (group.status === status) return { ok: true, alertId, status, changed: false };
    // The head changes: a row it still owes keeps the content it was committed with.
    const put = await store.put(
      { ...group, status, dirty: true, urgent: true, outbox: fullOutbox(group) },
      found.etag,
    );
    if (put.ok) return { ok: true, alertId, status, changed: true };
  }
  return { ok: false, alertId, reason: 'conflict' };
}
