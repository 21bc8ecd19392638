import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { PlaybookConfig } from './config.js';

export type TokenCheck = { ok: true; claims: JWTPayload } | { ok: false; reason: string };
export type TokenValidator = (authorization: string | null | undefined) => Promise<TokenCheck>;

/**
 * Entra access-token validation for the playbook endpoints, on top of the function key: signature against the
 * tenant's JWKS, issuer (v1 and v2 by default: managed-identity tokens for custom audiences are usually v1),
 * audience, expiry/not-before with 5 min skew, and optionally the caller's object id (the shim's identity).
 */
export function createTokenValidator(
  cfg: NonNullable<PlaybookConfig['auth']>,
  keys?: JWTVerifyGetKey,
): TokenValidator {
  const issuers = cfg.issuers ?? [
    `https://sts.windows.net/${cfg.tenantId}/`,
    `https://login.microsoftonline.com/${cfg.tenantId}/v2.0`,
  ];
  const jwks =
    keys ??
    createRemoteJWKSet(
      new URL(cfg.jwksUri ?? `https://login.microsoftonline.com/${cfg.tenantId}/discovery/v2.0/keys`),
    );
  return async (authorization) => {
    const m = /^Bearer\s+([A-Za-z0-9._~+/-]+=*)$/i.exec(authorization?.trim() ?? '');
    if (!m) return { ok: false, reason: 'missing bearer token (Authorization: Bearer …)' };
    try {
      const { payload } = await jwtVerify(m[1]!, jwks, {
        issuer: issuers,
        audience: cfg.audience,
        algorithms: ['RS256'],
        clockTolerance: 300,
        requiredClaims: ['exp'],
      });
      if (payload.tid !== undefined && String(payload.tid).toLowerCase() !== cfg.tenantId.toLowerCase())
        return { ok: false, reason: 'token from another tenant' };
      if (
        cfg.allowedCallers.length &&
        !cfg.allowedCallers.some((c) => c.toLowerCase() === String(payload.oid ?? '').toLowerCase())
      )
        return { ok: false, reason: 'caller is not allowed (oid not in auth.allowedCallers)' };
      return { ok: true, claims: payload };
    } catch (e) {
      if (e instanceof errors.JWTExpired) return { ok: false, reason: 'token expired' };
      if (e instanceof errors.JWTClaimValidationFailed)
        return { ok: false, reason: `token claim ${e.claim} is not valid` };
      if (e instanceof errors.JWSSignatureVerificationFailed || e instanceof errors.JWKSNoMatchingKey)
        return { ok: false, reason: 'token signature is not valid' };
      // Entra's JWKS keys carry no `alg`: RS256 is pinned here, so `none`, HS256 (keyed with the public key) or
      // any other algorithm is refused before a key is even chosen.
      if (e instanceof errors.JOSEAlgNotAllowed)
        return { ok: false, reason: 'token algorithm is not allowed (RS256 only)' };
      return { ok: false, reason: `token rejected: ${(e as Error).message}` };
    }
  };
}
