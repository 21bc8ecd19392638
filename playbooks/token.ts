import type { TokenCredential } from '@azure/core-auth';
import { DownstreamError, type DownstreamService } from './errors.js';

export const ARM_SCOPE = 'https://management.azure.com/.default';
export const LOG_ANALYTICS_SCOPE = 'https://api.loganalytics.io/.default';

/** A bearer-token source for one scope, cached until two minutes before expiry (one token per instance). */
export function bearerTokens(
  credential: TokenCredential,
  scope: string,
  service: DownstreamService,
): () => Promise<string> {
  let cached: { token: string; expires: number } | undefined;
  return async () => {
    if (cached && cached.expires - 120_000 > Date.now()) return cached.token;
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await credential.getToken(scope);
    } catch (e) {
      throw new DownstreamError(
        service,
        'unauthorized',
        `could not get a token for ${scope}: ${(e as Error).message} (is the Function's managed identity enabled?)`,
      );
    }
    if (!token) throw new DownstreamError(service, 'unauthorized', `no token for ${scope}`);
    cached = { token: token.token, expires: token.expiresOnTimestamp };
    return token.token;
  };
}
