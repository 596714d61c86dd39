/**
 * JWTs shaped as Amazon Cognito issues them: access tokens carry `client_id`, `token_use:
 * access` and the resource server's custom scopes (`<identifier>/<scope>`), and no `aud`; ID
 * tokens carry `aud` (the app client) and `token_use: id`. With TAMS_JWT_CLIENT_IDS the server
 * accepts the access tokens of the listed app clients; without it, as before, it refuses them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Scope } from '../../src/auth/auth.model.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { runToExit } from '../ops/child.ts';
import {
  AUDIENCE,
  bearer,
  type SigningKey,
  serveJwks,
  signingKey,
  signJwt,
  startAuthServer,
} from './auth.fixture.ts';

const POOL = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_TamsTest1';
/** The resource server's identifier: Cognito names its custom scopes `<identifier>/<name>`. */
const RESOURCE_SERVER = 'https://tams.example.test';
const CLIENTS = ['ui-client-0123', 'ingest-client-4567'];
const COGNITO_ENV = {
  TAMS_JWT_ISSUER: POOL,
  TAMS_JWT_CLIENT_IDS: CLIENTS.join(', '),
  TAMS_JWT_SCOPE_PREFIX: `${RESOURCE_SERVER}/tams.`,
  TAMS_JWT_PRINCIPAL_CLAIM: 'username',
};

interface CognitoOptions {
  clientId?: string | null;
  scopes?: Scope[];
  tokenUse?: string | null;
  /** `aud`: Cognito puts one in ID tokens only. */
  audience?: string;
  issuer?: string;
  expiresIn?: number;
}

/** An access token as a Cognito user pool signs it (user sign-in: `username` is set). */
function cognitoToken(key: SigningKey, options: CognitoOptions = {}): Promise<string> {
  const custom = (options.scopes ?? ['read']).map((s) => `${RESOURCE_SERVER}/tams.${s}`);
  const clientId = options.clientId === undefined ? CLIENTS[0] : options.clientId;
  const tokenUse = options.tokenUse === undefined ? 'access' : options.tokenUse;
  return signJwt(key, {
    sub: '5f2c6a1e-9d3b-4e61-8a7f-2b9c0d4e1f3a',
    issuer: options.issuer ?? POOL,
    audience: options.audience ?? null,
    expiresIn: options.expiresIn,
    scopes: ['openid', 'aws.cognito.signin.user.admin', ...custom].join(' '),
    claims: {
      username: 'alice',
      ...(clientId !== null && { client_id: clientId }),
      ...(tokenUse !== null && { token_use: tokenUse }),
      auth_time: Math.floor(Date.now() / 1000) - 60,
      jti: 'b0f6c1d2-0000-4000-8000-000000000001',
    },
  });
}

interface Whoami {
  name: string;
  scopes: string[];
  scheme: string;
}
interface ErrorBody {
  summary: string;
}

let key: SigningKey;
let jwks: Awaited<ReturnType<typeof serveJwks>>;

beforeAll(async () => {
  key = await signingKey('cognito-1');
  jwks = await serveJwks([key]);
});
afterAll(async () => {
  await jwks.close();
});

/** A 401 for a bearer token, saying why in the body and in the challenge. */
async function refused(server: TestServer, token: string, reason: string): Promise<void> {
  const res = await server.get<ErrorBody>('/flows', { headers: bearer(token) });
  expect(res.status, res.text).toBe(401);
  expect(res.body.summary).toContain(reason);
  expect(res.headers.get('www-authenticate')).toContain('error="invalid_token"');
}

describe('a server pointed at a Cognito user pool (TAMS_JWT_CLIENT_IDS, no TAMS_JWT_AUDIENCE)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAuthServer({ TAMS_JWT_JWKS_URL: jwks.url, ...COGNITO_ENV });
  });
  afterAll(async () => {
    await server?.close();
  });

  it("accepts the listed app clients' access tokens, with the resource server's scopes", async () => {
    const reader = await cognitoToken(key, { scopes: ['read'] });
    const who = await server.get<Whoami>('/auth/whoami', { headers: bearer(reader) });
    expect(who.status, who.text).toBe(200);
    expect(who.body).toEqual({ name: 'alice', scopes: ['read'], scheme: 'jwt', scope_map: 'methods' });
    expect((await server.get('/flows', { headers: bearer(reader) })).status).toBe(200);
    // `openid` and `aws.cognito.signin.user.admin` grant nothing; write is not granted.
    const put = await server.put('/flows/7c9e6679-7425-40de-944b-e07fc1f90ae7/label', 'x', {
      headers: bearer(reader),
    });
    expect(put.status).toBe(403);
    expect((put.body as ErrorBody).summary).toContain('"write" scope');

    const ingest = await cognitoToken(key, { clientId: CLIENTS[1], scopes: ['read', 'write'] });
    const writer = await server.get<Whoami>('/auth/whoami', { headers: bearer(ingest) });
    expect(writer.body.scopes).toEqual(['read', 'write']);
  });

  it.each([
    ['of an app client not listed', { clientId: 'someone-elses-client' }, '"client_id" is not one of'],
    ['without client_id', { clientId: null }, '"client_id" is not one of'],
    ['used as an ID token (token_use: id)', { tokenUse: 'id' }, '"token_use" is not "access"'],
    [
      'that is an ID token (aud: the app client, token_use: id)',
      { audience: CLIENTS[0], tokenUse: 'id' },
      '"token_use" is not "access"',
    ],
    ['with an aud, when no audience is accepted', { audience: CLIENTS[0] }, 'unexpected "aud" claim value'],
    ['expired', { expiresIn: -60 }, 'expired'],
    ['of another user pool', { issuer: `${POOL}x` }, '"iss"'],
  ] as [string, CognitoOptions, string][])('refuses a token %s (401)', async (_what, options, reason) => {
    await refused(server, await cognitoToken(key, options), reason);
  });

  it('refuses a client id in a list, or of another type', async () => {
    const listed = await signJwt(key, {
      issuer: POOL,
      audience: null,
      claims: { client_id: [CLIENTS[0]], token_use: 'access' },
    });
    await refused(server, listed, '"client_id" is not one of');
  });
});

describe('a server with TAMS_JWT_AUDIENCE alone, as before', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAuthServer({
      TAMS_JWT_JWKS_URL: jwks.url,
      TAMS_JWT_ISSUER: POOL,
      TAMS_JWT_AUDIENCE: AUDIENCE,
      TAMS_JWT_SCOPE_PREFIX: `${RESOURCE_SERVER}/tams.`,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('refuses Cognito access tokens (no aud), and accepts tokens for its audience', async () => {
    await refused(server, await cognitoToken(key), 'missing required "aud" claim');
    const aimed = await cognitoToken(key, { audience: AUDIENCE, clientId: null, tokenUse: null });
    expect((await server.get('/flows', { headers: bearer(aimed) })).status).toBe(200);
  });
});

describe('a server with both settings', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startAuthServer({
      TAMS_JWT_JWKS_URL: jwks.url,
      ...COGNITO_ENV,
      TAMS_JWT_AUDIENCE: AUDIENCE,
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('checks aud where the token has one, and client_id where it has none', async () => {
    const cognito = await cognitoToken(key);
    expect((await server.get('/flows', { headers: bearer(cognito) })).status).toBe(200);
    const aimed = await cognitoToken(key, { audience: AUDIENCE, clientId: null });
    expect((await server.get('/flows', { headers: bearer(aimed) })).status).toBe(200);
    // A listed client does not make another audience acceptable.
    await refused(
      server,
      await cognitoToken(key, { audience: 'another-api' }),
      'unexpected "aud" claim value',
    );
  });
});

describe('the server process with JWTs and neither setting', () => {
  it('refuses to start, naming both settings', async () => {
    // Only written to if the server started after all.
    const scratch = tempDir('tams-cognito-');
    try {
      const { code, output } = await runToExit({
        TAMS_PORT: '0',
        TAMS_HOST: '127.0.0.1',
        TAMS_LOG_LEVEL: 'silent',
        TAMS_DATA_DIR: scratch.path,
        TAMS_JWT_JWKS_URL: jwks.url,
        TAMS_JWT_ISSUER: POOL,
      });
      expect(output).toContain(
        'TAMS_JWT_AUDIENCE or TAMS_JWT_CLIENT_IDS: one is required when JWTs are enabled',
      );
      expect(code).toBe(2);
    } finally {
      scratch.remove();
    }
  });
});
