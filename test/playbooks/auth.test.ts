import { createLocalJWKSet, exportJWK, exportSPKI, generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenValidator, type TokenValidator } from '../../playbooks/auth.js';
import { handlePlaybook } from '../../playbooks/handler.js';
import { harness, incidentOf, rotterdamRow } from '../helpers/playbookFixtures.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://ot-soc-playbooks';
const SHIM = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';

let sign: (
  claims: Record<string, unknown>,
  opts?: { exp?: string | number; nbf?: number; iss?: string; aud?: string; key?: 'good' | 'other' },
) => Promise<string>;
let validate: TokenValidator;
/** A token the attacker can make without the tenant's private key. */
let forge: { none: () => string; hs256WithPublicKey: () => Promise<string> };
/** As Entra publishes them: the JWKS keys carry no `alg`, so only the validator's own pin refuses RS512. */
let entraLike: { validate: TokenValidator; rs512: () => Promise<string> };

beforeAll(async () => {
  const good = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  sign = (claims, o = {}) => {
    const jwt = new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(o.iss ?? `https://sts.windows.net/${TENANT}/`)
      .setAudience(o.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '10m');
    if (o.nbf !== undefined) jwt.setNotBefore(o.nbf);
    return jwt.sign(o.key === 'other' ? other.privateKey : good.privateKey);
  };
  validate = createTokenValidator(
    { tenantId: TENANT, audience: AUDIENCE, allowedCallers: [SHIM] },
    createLocalJWKSet({ keys: [jwk] }),
  );
  const claims = { oid: SHIM, tid: TENANT };
  const iss = `https://sts.windows.net/${TENANT}/`;
  forge = {
    none: () =>
      new UnsecuredJWT(claims)
        .setIssuer(iss)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .encode(),
    // The classic key-confusion attack: HMAC "signed" with the (public) RSA key as the shared secret.
    hs256WithPublicKey: async () =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
        .setIssuer(iss)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode(await exportSPKI(good.publicKey))),
  };
  const rs512 = await generateKeyPair('RS512');
  const { alg: _alg, ...noAlg } = { ...(await exportJWK(rs512.publicKey)), kid: 'k2', use: 'sig' };
  entraLike = {
    validate: createTokenValidator(
      { tenantId: TENANT, audience: AUDIENCE, allowedCallers: [SHIM] },
      createLocalJWKSet({ keys: [noAlg] }),
    ),
    rs512: () =>
      new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS512', kid: 'k2' })
        .setIssuer(iss)
        .setAudience(AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(rs512.privateKey),
  };
});

describe('Entra token validation (jose)', () => {
  it('accepts the shim identity with a v1 or v2 issuer', async () => {
    expect(await validate(`Bearer ${await sign({ oid: SHIM, tid: TENANT })}`)).toMatchObject({ ok: true });
    const v2 = await sign(
      { oid: SHIM, tid: TENANT },
      { iss: `https://login.microsoftonline.com/${TENANT}/v2.0` },
    );
    expect(await validate(`Bearer ${v2}`)).toMatchObject({ ok: true });
  });

  it.each([
    ['no header', async () => undefined, 'missing bearer token'],
    ['not bearer', async () => 'Basic abc', 'missing bearer token'],
    [
      'expired',
      async () =>
        `Bearer ${await sign({ oid: SHIM, tid: TENANT }, { exp: Math.floor(Date.now() / 1000) - 3600 })}`,
      'token expired',
    ],
    [
      'not yet valid (nbf an hour ahead, beyond the 5 min skew)',
      async () =>
        `Bearer ${await sign({ oid: SHIM, tid: TENANT }, { nbf: Math.floor(Date.now() / 1000) + 3600, exp: '2h' })}`,
      'token claim nbf is not valid',
    ],
    [
      'wrong audience',
      async () => `Bearer ${await sign({ oid: SHIM, tid: TENANT }, { aud: 'api://other' })}`,
      'token claim aud is not valid',
    ],
    [
      'wrong issuer',
      async () =>
        `Bearer ${await sign({ oid: SHIM, tid: TENANT }, { iss: 'https://sts.windows.net/evil/' })}`,
      'token claim iss is not valid',
    ],
    [
      'forged signature',
      async () => `Bearer ${await sign({ oid: SHIM, tid: TENANT }, { key: 'other' })}`,
      'token signature is not valid',
    ],
    [
      'other caller',
      async () => `Bearer ${await sign({ oid: '00000000-0000-0000-0000-000000000001', tid: TENANT })}`,
      'caller is not allowed',
    ],
    [
      'other tenant',
      async () => `Bearer ${await sign({ oid: SHIM, tid: '00000000-0000-0000-0000-000000000002' })}`,
      'token from another tenant',
    ],
    ['alg none (unsigned)', async () => `Bearer ${forge.none()}`, 'token algorithm is not allowed'],
    [
      'HS256 keyed with the public key',
      async () => `Bearer ${await forge.hs256WithPublicKey()}`,
      'token algorithm is not allowed',
    ],
  ])('rejects %s', async (_name, header, reason) => {
    const r = await validate(await header());
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toContain(reason);
  });

  it('pins RS256 even when the JWKS key names no algorithm (as Entra publishes them)', async () => {
    const r = await entraLike.validate(`Bearer ${await entraLike.rs512()}`);
    expect(r).toEqual({ ok: false, reason: 'token algorithm is not allowed (RS256 only)' });
  });

  it('a rejected token is a 401 before anything is read or changed', async () => {
    const h = harness();
    const payload = incidentOf([rotterdamRow()]);
    h.sentinel.seed(payload as never);
    const res = await handlePlaybook(
      'reassign-ot',
      { body: JSON.stringify(payload), authorization: 'Bearer nope' },
      h.deps,
      validate,
    );
    expect(res).toMatchObject({
      status: 401,
      jsonBody: { error: 'unauthorized' },
      headers: { 'www-authenticate': 'Bearer' },
    });
    expect(h.fetch.requests).toHaveLength(0);
    const ok = await handlePlaybook(
      'reassign-ot',
      { body: JSON.stringify(payload), authorization: `Bearer ${await sign({ oid: SHIM, tid: TENANT })}` },
      h.deps,
      validate,
    );
    expect(ok.status).toBe(200);
  });
});
