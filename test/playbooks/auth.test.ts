import { createLocalJWKSet, exportJWK, generateKeyPair, SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTokenValidator, type TokenValidator } from '../../playbooks/auth.js';
import { handlePlaybook } from '../../playbooks/handler.js';
import { harness, incidentOf, rotterdamRow } from '../helpers/playbookFixtures.js';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const AUDIENCE = 'api://ot-soc-playbooks';
const SHIM = '9a8b7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d';

let sign: (
  claims: Record<string, unknown>,
  opts?: { exp?: string | number; iss?: string; aud?: string; key?: 'good' | 'other' },
) => Promise<string>;
let validate: TokenValidator;

beforeAll(async () => {
  const good = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(good.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  sign = (claims, o = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setIssuer(o.iss ?? `https://sts.windows.net/${TENANT}/`)
      .setAudience(o.aud ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(o.exp ?? '10m')
      .sign(o.key === 'other' ? other.privateKey : good.privateKey);
  validate = createTokenValidator(
    { tenantId: TENANT, audience: AUDIENCE, allowedCallers: [SHIM] },
    createLocalJWKSet({ keys: [jwk] }),
  );
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
  ])('rejects %s', async (_name, header, reason) => {
    const r = await validate(await header());
    expect(r.ok).toBe(false);
    expect((r as { reason: string }).reason).toContain(reason);
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
