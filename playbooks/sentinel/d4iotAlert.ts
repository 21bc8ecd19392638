import type { TokenCredential } from '@azure/core-auth';
import { DownstreamError } from '../errors.js';
import { excerpt, type FetchLike, fetchWithRetry, jsonOf, type RetryOptions, type Sleep } from '../http.js';
import { bearerTokens } from '../token.js';

/** The Defender for IoT alerts API version of the native AutoAlertStatusSync playbook, when a URI names none. */
export const D4IOT_ALERT_API_VERSION = '2021-07-01-preview';
export type D4IoTAlertStatus = 'New' | 'InProgress' | 'Closed';

/** The Sentinel incident status each Defender for IoT alert follows (as AutoAlertStatusSync: Active → InProgress). */
export const D4IOT_STATUS_OF: Record<'New' | 'Active' | 'Closed', D4IoTAlertStatus> = {
  New: 'New',
  Active: 'InProgress',
  Closed: 'Closed',
};

/**
 * The Azure Resource Manager endpoints of the public and sovereign clouds: an AlertManagementUri on one of
 * these hosts is used as given (its host and api-version); the token is requested for that host's audience.
 */
export const ARM_HOSTS: readonly string[] = [
  'management.azure.com',
  'management.usgovcloudapi.net',
  'management.chinacloudapi.cn',
];

const ALERT_PATH =
  /^\/subscriptions\/[^/?#]+\/(?:resourceGroups\/[^/?#]+\/)?providers\/Microsoft\.IoTSecurity\/locations\/[^/?#]+\/deviceGroups\/[^/?#]+\/alerts\/[^/?#]+$/i;

/** Where one Defender for IoT alert lives: the ARM host of its cloud, its path and the api-version to use. */
export interface D4IoTAlertTarget {
  host: string;
  path: string;
  apiVersion: string;
}

/**
 * The alert an `AlertManagementUri` names, as given: host and api-version from the URI (a bare path means the
 * public cloud and the native playbook's api-version). Anything that is not a Microsoft.IoTSecurity alert on an
 * ARM host is refused: we send the managed identity's ARM token there.
 */
export function d4iotAlertTarget(
  uri: string,
  extraHosts: readonly string[] = [],
): D4IoTAlertTarget | undefined {
  let path = uri.trim();
  let host = ARM_HOSTS[0]!;
  let apiVersion = D4IOT_ALERT_API_VERSION;
  if (/^https:\/\//i.test(path)) {
    let u: URL;
    try {
      u = new URL(path);
    } catch {
      return undefined;
    }
    host = u.host.toLowerCase();
    if (u.username || u.password || u.port || ![...ARM_HOSTS, ...extraHosts].includes(host)) return undefined;
    const v = u.searchParams.get('api-version');
    if (v) {
      if (!/^\d{4}-\d{2}-\d{2}(?:-preview)?$/.test(v)) return undefined;
      apiVersion = v;
    }
    if ([...u.searchParams.keys()].some((k) => k !== 'api-version') || u.hash) return undefined;
    path = u.pathname;
  } else if (/[?#]/.test(path)) return undefined;
  if (path.includes('%') || path.includes('..')) return undefined;
  return ALERT_PATH.test(path) ? { host, path, apiVersion } : undefined;
}

/** The ARM path of a Defender for IoT alert from an `AlertManagementUri` (any ARM host), or undefined. */
export const d4iotAlertPath = (uri: string): string | undefined => d4iotAlertTarget(uri)?.path;

export interface D4IoTAlertClient {
  /** Sets the alert's status; `changed: false` when it already had it. */
  setStatus(target: D4IoTAlertTarget, status: D4IoTAlertStatus): Promise<{ changed: boolean }>;
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
  // One token source per cloud: the audience is the ARM host of the alert's URI.
  const tokens = new Map<string, () => Promise<string>>();
  const tokenFor = (host: string) => {
    let t = tokens.get(host);
    if (!t) {
      t = bearerTokens(options.credential, `https://${host}/.default`, 'defender-iot');
      tokens.set(host, t);
    }
    return t();
  };
  return {
    async setStatus(alert, status) {
      const alertPath = alert.path;
      const target = `https://${alert.host}${alertPath}?api-version=${encodeURIComponent(alert.apiVersion)}`;
      const headers = { authorization: `Bearer ${await tokenFor(alert.host)}`, accept: 'application/json' };
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
