import type { TokenCredential } from '@azure/core-auth';
import { DownstreamError } from './errors.js';

/**
 * Entra lookups the playbooks need. App-only Graph cannot post channel messages (docs/contracts.md#teams),
 * so Graph is used only for what application permissions allow: resolving an OT team's group id from its
 * display name (GroupMember.Read.All or Group.Read.All). Faked in tests.
 */
export interface GroupDirectory {
  /** The object id of the group with exactly this display name; undefined when there is none. */
  groupIdByName(displayName: string): Promise<string | undefined>;
}

/** An OData string literal ('' escapes a quote). */
export const odataString = (s: string): string => `'${s.replace(/'/g, "''")}'`;

/** A directory that only knows the given names (tests, the offline outbox, or a static mapping). */
export function staticDirectory(groups: Record<string, string>): GroupDirectory {
  const byName = new Map(Object.entries(groups).map(([k, v]) => [k.toLowerCase(), v]));
  return { groupIdByName: async (name) => byName.get(name.toLowerCase()) };
}

/**
 * Microsoft Graph (`@microsoft/microsoft-graph-client` with the managed identity), cached per instance: group
 * ids don't change. Loaded lazily, so a deployment that configures group ids never imports the client.
 */
export function graphDirectory(credential: TokenCredential): GroupDirectory {
  const cache = new Map<string, string | undefined>();
  let client:
    | Promise<{
        api(path: string): { filter(f: string): { select(s: string): { get(): Promise<unknown> } } };
      }>
    | undefined;
  const getClient = () => {
    client ??= (async () => {
      const { Client } = await import('@microsoft/microsoft-graph-client');
      // The directory path has no exports map: native ESM needs the file itself (docs/contracts.md#teams).
      const { TokenCredentialAuthenticationProvider } = await import(
        '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials/index.js'
      );
      const authProvider = new TokenCredentialAuthenticationProvider(credential, {
        scopes: ['https://graph.microsoft.com/.default'],
      });
      return Client.initWithMiddleware({ authProvider });
    })();
    return client;
  };
  return {
    async groupIdByName(displayName) {
      const key = displayName.toLowerCase();
      if (cache.has(key)) return cache.get(key);
      let res: unknown;
      try {
        res = await (await getClient())
          .api('/groups')
          .filter(`displayName eq ${odataString(displayName)}`)
          .select('id,displayName')
          .get();
      } catch (e) {
        const status = (e as { statusCode?: number }).statusCode;
        throw new DownstreamError(
          'graph',
          status === 403 ? 'missing-permission' : status === 429 ? 'throttled' : 'unavailable',
          status === 403
            ? `Graph denied reading groups (403): grant the managed identity GroupMember.Read.All, or configure otTeam.groupId`
            : `Graph group lookup of "${displayName}" failed: ${(e as Error).message}`,
          status,
        );
      }
      const groups = ((res as { value?: { id: string; displayName: string }[] }).value ?? []).filter(
        (g) => g.displayName.toLowerCase() === key,
      );
      if (groups.length > 1)
        throw new DownstreamError(
          'graph',
          'rejected',
          `${groups.length} Entra groups are named "${displayName}": configure otTeam.groupId`,
        );
      cache.set(key, groups[0]?.id);
      return groups[0]?.id;
    },
  };
}
