/**
 * Extreme validities (issue 17): a token's expires_in beyond 100 years is a 400 over HTTP and a
 * clear error in tams-mgmt token create (it made an invalid date, a 500); JWTs with extreme exp and nbf
 * claims are accepted or refused, never a server error.
 */
import { CompactSign } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import {
  ADMIN_TOKEN,
  AUDIENCE,
  bearer,
  ISSUER,
  JWT_CLAIMS_ENV,
  type SigningKey,
  signingKey,
  startAuthServer,
} from './auth.fixture.ts';

const HUNDRED_YEARS = 3_155_760_000;
let server: TestServer;
let key: SigningKey;

beforeAll(async () => {
  key = await signingKey('expiry');
  server = await startAuthServer({ TAMS_JWT_KEY: key.pem, ...JWT_CLAIMS_ENV });
});
afterAll(async () => {
  await server.close();
});

const admin = { headers: bearer(ADMIN_TOKEN) };

describe('POST /auth/tokens expires_in', () => {
  it('is refused with a 400 beyond 100 years, where the expiry date would be invalid', async () => {
    for (const [name, expires_in] of [
      ['js-date-end', 8.64e12],
      ['far', 1e15],
      ['just-over', HUNDRED_YEARS + 1],
    ] as const) {
      const res = await server.post('/auth/tokens', { name, scopes: ['read'], expires_in }, admin);
      expect(res.status, name).toBe(400);
      expect(res.body).toMatchObject({ type: 'BadRequest' });
      expect((res.body as { summary: string }).summary).toContain('expires_in');
    }
    const listed = await server.get<{ name: string }[]>('/auth/tokens', admin);
    expect(listed.body.map((t) => t.name)).not.toContain('js-date-end');
  });

  it('accepts 100 years, and the token works', async () => {
    const res = await server.post<{ token: string; expires: string }>(
      '/auth/tokens',
      { name: 'century', scopes: ['read'], expires_in: HUNDRED_YEARS },
      admin,
    );
    expect(res.status).toBe(201);
    const years = (Date.parse(res.body.expires) - Date.now()) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(100);
    expect((await server.get('/flows', { headers: bearer(res.body.token) })).status).toBe(200);
  });
});

describe('tams-mgmt token create --expires-in', () => {
  it('refuses more than 100 years with a message, and creates nothing', async () => {
    const dir = tempDir('tams-admin-expiry-');
    const env = { TAMS_DATA_DIR: dir.path };
    try {
      const far = await runCli(['token', 'create', 'far', '--scopes', 'read', '--expires-in', '15000000w'], {
        env,
      });
      expect(far.code).toBe(1);
      expect(far.err).toContain('at most 100 years; got 9072000000000');
      const list = await runCli(['token', 'list'], { env });
      expect(list.code).toBe(0);
      expect(list.err).toBe('');
      expect(list.out).toBe('no tokens\n');
    } finally {
      dir.remove();
    }
  });
});

/** A JWT whose claims are this JSON text as it is (numbers JSON can write and JavaScript cannot). */
function rawJwt(claims: string): Promise<string> {
  const common = `"iss":${JSON.stringify(ISSUER)},"aud":${JSON.stringify(AUDIENCE)},"sub":"edge","scope":"tams.read"`;
  return new CompactSign(new TextEncoder().encode(`{${common},${claims}}`))
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .sign(key.privateKey);
}

describe('JWT exp and nbf at the extremes', () => {
  it('accepts far-future expiries and refuses the rest with 401, never a 500', async () => {
    const soon = Math.floor(Date.now() / 1000) + 600;
    const cases: [string, number][] = [
      ['"exp":1e400', 200],
      ['"exp":1e20', 200],
      [`"exp":${soon},"nbf":-1e400`, 200],
      ['"exp":-1e400', 401],
      ['"exp":0', 401],
      [`"exp":${soon},"nbf":1e400`, 401],
      [`"exp":${soon},"nbf":1e20`, 401],
      ['"exp":"2099-01-01"', 401],
      ['"exp":null', 401],
      ['"nbf":0', 401],
    ];
    for (const [claims, status] of cases) {
      const res = await server.get('/auth/whoami', { headers: bearer(await rawJwt(claims)) });
      expect(res.status, claims).toBe(status);
      if (status === 200) expect(res.body).toMatchObject({ name: 'edge', scheme: 'jwt' });
    }
  });
});
