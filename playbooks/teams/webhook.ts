import { type PlaybookConfig, siteConfig } from '../config.js';
import { DownstreamError, PlaybookConfigError } from '../errors.js';
import { excerpt, type FetchLike, fetchWithRetry, type RetryOptions, type Sleep } from '../http.js';
import type { TeamsMessage } from './card.js';

/** Posts a card to the channel of a site. The Workflows implementation below; the outbox records instead. */
export interface TeamsPoster {
  post(site: string | undefined, message: TeamsMessage): Promise<void>;
}

/** Where Workflows ("When a Teams webhook request is received") URLs live, old and new (docs/contracts.md#teams). */
const WEBHOOK_HOSTS = ['logic.azure.com', 'api.powerplatform.com', 'powerautomate.com'];

/** The webhook URL of a site from its app setting (a Key Vault reference in Azure: the URL holds `sig=`). */
export function webhookUrl(
  config: PlaybookConfig,
  site: string | undefined,
  env: Record<string, string | undefined>,
): string {
  const setting = siteConfig(config, site).teamsWebhookSetting ?? config.teams.webhookUrlSetting;
  const value = env[setting]?.trim();
  if (!value)
    throw new PlaybookConfigError([
      `app setting ${setting} (Teams Workflows webhook URL${site ? ` for ${site}` : ''}) is not set`,
    ]);
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new PlaybookConfigError([`app setting ${setting} is not a URL`]);
  }
  const hosts = [...WEBHOOK_HOSTS, ...config.teams.webhookHosts];
  const host = u.hostname.toLowerCase();
  if (u.protocol !== 'https:' || !hosts.some((h) => host === h || host.endsWith(`.${h}`)))
    throw new PlaybookConfigError([
      `app setting ${setting}: ${u.protocol}//${host} is not a Teams Workflows webhook host (${hosts.join(', ')}; add others to teams.webhookHosts)`,
    ]);
  return value;
}

export interface WorkflowPosterOptions {
  config: PlaybookConfig;
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  sleep?: Sleep;
  retry?: Omit<RetryOptions, 'sleep'>;
}

/** Teams Workflows webhook: 202 on success; 429 waits Retry-After; a rejected card is a clear error. */
export function createWorkflowPoster(options: WorkflowPosterOptions): TeamsPoster {
  const fetch = options.fetch ?? (globalThis.fetch as FetchLike);
  return {
    async post(site, message) {
      const url = webhookUrl(options.config, site, options.env);
      const res = await fetchWithRetry(
        'teams',
        fetch,
        url,
        { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(message) },
        // A post is never repeated blindly: a 5xx may follow an accepted card (notifyTeams decides).
        { ...options.retry, ...(options.sleep ? { sleep: options.sleep } : {}), idempotent: false },
      );
      const text = await res.text();
      if (res.status >= 200 && res.status < 300) return;
      if (res.status === 401 || res.status === 403 || res.status === 404)
        throw new DownstreamError(
          'teams',
          res.status === 404 ? 'not-found' : 'unauthorized',
          `the Teams workflow refused the post (${res.status}): the webhook URL is wrong or expired, or the workflow is off (${excerpt(text)})`,
          res.status,
        );
      throw new DownstreamError(
        'teams',
        'rejected',
        `Teams rejected the card (${res.status}): ${excerpt(text)}`,
        res.status,
      );
    },
  };
}
