import type { TokenCredential } from '@azure/core-auth';
import { DownstreamError } from '../errors.js';
import { excerpt, type FetchLike, fetchWithRetry, jsonOf, type RetryOptions, type Sleep } from '../http.js';
import { ARM_SCOPE, bearerTokens } from '../token.js';
import { ARM_ENDPOINT } from './armId.js';

/** The Defender for IoT alerts API version the native AutoAlertStatusSync playbook uses (research d4iot §3). */
export const D4IOT_ALERT_API_VERSION = '2021-07-01-preview';
export type D4IoTAlertStatus = 'New' | 'InProgress' | 'Closed';

const ALERT_PATH =
  /^\/subscriptions\/[^/?#]+\/(?:resourceGroups\/[^/?#]+\/)?providers\/Microsoft\.IoTSecurity\/locations\/[^/?#]+\/deviceGroups\/[^/?#]+\/alerts\/[^/?#]+$/i;

/**
 * The ARM path of a Defender for IoT alert from an `AlertManagementUri` (a path or a management.azure.com URL).
 * Anything else is refused: we send the managed identity's ARM token there, so it must never be another host.
 */
export function d4iotAlertPath(uri: string): string | undefined {
  let path = uri.trim();
  if (/^https:\/\//i.test(path)) {
    let u: URL;
    try {
      u = new URL(path);
    } catch {
      return undefined;
    }
    if (u.host.toLowerCase() !== 'management.azure.com') return undefined;
    path = u.pathname;
  }
  if (path.includes('%') || path.includes('..')) return undefined;
  return ALERT_PATH.test(path) ? path : undefined;
}

export interface D4IoTAlertClient {
  /** Sets the alert's status; `changed: false` when it already had it. */
  setStatus(alertPath: string, status: D4IoTAlertStatus): Promise<{ changed: boolean }>;
}

export interface ArmD4IoTAlertClientOptions {
  credential: TokenCredential;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
}

function failure(status: number, body: unknown, path: string): DownstreamError {
  const err = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const detail = `${status} ${err?.code ?? ''}: ${err?.message ?? excerpt(body)}`;
  if (status === 403)
    return new DownstreamError(
      'defender-iot',
      'missing-permission',
      `Defender for IoT denied the status change of ${path} (${detail}); the identity needs "Security Admin" on the subscription (as the native AutoAlertStatusSync playbook)`,
      status,
    );
  if (status === 404)
    return new DownstreamError(
      'defender-iot',
      'not-found',
      `Defender for IoT has no alert ${path} (${detail})`,
      status,
    );
  return new DownstreamError(
    'defender-iot',
    'rejected',
    `Defender for IoT rejected the status change of ${path} (${detail})`,
    status,
  );
}

/** GET then PATCH `{"properties":{"status":…}}` only when needed, so a re-run sends no write. */
export function createArmD4IoTAlertClient(options: ArmD4IoTAlertClientOptions): D4IoTAlertClient {
  const fetch = options.fetch ?? (globalThis.fetch as FetchLike);
  const token = bearerTokens(options.credential, ARM_SCOPE, 'defender-iot');
  return {
    async setStatus(alertPath, status) {
      const target = `${ARM_ENDPOINT}${alertPath}?api-version=${D4IOT_ALERT_API_VERSION}`;
      const headers = { authorization: `Bearer ${await token()}`, accept: 'application/json' };
      const retry = { ...options.retry, ...(options.sleep ? { sleep: options.sleep } : {}) };
      const current = await fetchWithRetry('defender-iot', fetch, target, { method: 'GET', headers }, retry);
      const currentBody = await jsonOf(current);
      if (current.status !== 200) throw failure(current.status, currentBody, alertPath);
      if ((currentBody as { properties?: { status?: string } })?.properties?.status === status)
        return { changed: false };
      const res = await fetchWithRetry(
        'defender-iot',
        fetch,
        target,
        {
          method: 'PATCH',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify({ properties: { status } }),
        },
        retry,
      );
      const body = await jsonOf(res);
      if (res.status !== 200 && res.status !== 204) throw failure(res.status, body, alertPath);
      return { changed: true };
    },
  };
}
