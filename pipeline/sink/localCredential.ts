import type { TokenCredential } from '@azure/core-auth';

/**
 * The credential for the local workspace only: the real LogsIngestionClient insists on a bearer token,
 * and the local workspace checks one is sent. It grants nothing anywhere else.
 */
export function localCredential(): TokenCredential {
  return {
    getToken: async () => ({ token: 'local-workspace', expiresOnTimestamp: Date.now() + 3_600_000 }),
  };
}
