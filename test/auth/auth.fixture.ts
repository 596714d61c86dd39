/**
 * Test support for authentication: a signing key and a JWKS served over HTTP (the identity
 * provider), JWTs signed with it, and servers with authentication required.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import type { Scope } from '../../src/auth/auth.model.ts';
import { startServer, type TestServer, type TestServerOptions, tempDir } from '../helpers/server.ts';

export const ISSUER = 'https://idp.example.test/';
export const AUDIENCE = 'tams-api';
export const SCOPE_PREFIX = 'tams.';

/** The server settings that make it accept the JWTs signJwt makes (issuer, audience, scope names). */
export const JWT_CLAIMS_ENV = {
  TAMS_JWT_ISSUER: ISSUER,
  TAMS_JWT_AUDIENCE: AUDIENCE,
  TAMS_JWT_SCOPE_PREFIX: SCOPE_PREFIX,
};
/** Registered by every auth test server at start-up, with every scope. */
export const ADMIN_TOKEN = 'tams_test-bootstrap-admin-token-0123456789';
export const ADMIN_USER = 'root';
export const ADMIN_PASSWORD = 'correct horse battery';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface SigningKey {
  kid: string;
  privateKey: PrivateKey;
  /** The public key as PEM (for TAMS_JWT_KEY). */
  pem: string;
  jwk: Record<string, unknown>;
}

export async function signingKey(kid: string): Promise<SigningKey> {
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, pem: await exportSPKI(publicKey), jwk };
}

export interface JwtOptions {
  scopes?: readonly Scope[] | string;
  sub?: string;
  /** Seconds from now; negative for an expired token. */
  expiresIn?: number;
  issuer?: string;
  /** `null`: no `aud` claim (Amazon Cognito's access tokens have none). */
  audience?: string | null;
  claims?: JWTPayload;
}

export async function signJwt(key: SigningKey, options: JwtOptions = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const scopes = options.scopes ?? ['read', 'write', 'delete', 'admin'];
  const scope = typeof scopes === 'string' ? scopes : scopes.map((s) => `${SCOPE_PREFIX}${s}`).join(' ');
  const jwt = new SignJWT({ scope, ...options.claims })
    .setProtectedHeader({ alg: 'ES256', kid: key.kid })
    .setSubject(options.sub ?? 'jwt-user')
    .setIssuer(options.issuer ?? ISSUER)
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresIn ?? 600));
  if (options.audience !== null) jwt.setAudience(options.audience ?? AUDIENCE);
  return jwt.sign(key.privateKey);
}

/**
 * How a served key set answers: with the keys, with an HTTP error, or by dropping the connection
 * (what a provider that is down looks like, without closing a port another test may then bind).
 */
export type JwksFailure = 'http-500' | 'not-json' | 'drop';

/** A JWKS endpoint on a loopback port, counting its fetches. */
export async function serveJwks(
  keys: SigningKey[],
  failure?: JwksFailure,
): Promise<{ url: string; fetches: () => number; close(): Promise<void> }> {
  let fetches = 0;
  const server: Server = createServer((req, res) => {
    fetches++;
    if (failure === 'drop') {
      req.socket.destroy();
    } else if (failure === 'http-500') {
      res.writeHead(500, { 'content-type': 'text/plain' });
      res.end('internal error');
    } else if (failure === 'not-json') {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end('<html>maintenance</html>');
    } else {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ keys: keys.map((k) => k.jwk) }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/.well-known/jwks.json`,
    fetches: () => fetches,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The scrypt cost of passwords in test servers (a password's hash carries its own cost). */
export const TEST_SCRYPT = { ln: 10, r: 8, p: 1 };

/** A test server with authentication required and the bootstrap admin token and user. */
export async function startAuthServer(
  env: Record<string, string>,
  options: Omit<TestServerOptions, 'env'> = {},
): Promise<TestServer> {
  // A data directory of its own even in memory: nothing may be written to the repository's ./data.
  const scratch = tempDir('tams-auth-');
  const server = await startServer({
    ...options,
    // Passwords set by the server are hashed at a low scrypt cost (2^10: 1 MiB, about a
    // millisecond): a check at the production cost takes seconds on a loaded machine.
    authTesting: { scrypt: TEST_SCRYPT, ...options.authTesting },
    env: {
      TAMS_AUTH: 'required',
      TAMS_DATA_DIR: options.dataDir ?? scratch.path,
      TAMS_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
      TAMS_BOOTSTRAP_ADMIN_USER: ADMIN_USER,
      TAMS_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      ...env,
    },
  });
  return {
    ...server,
    close: async () => {
      await server.close();
      scratch.remove();
    },
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

/**
 * An API token the bootstrap admin issues over HTTP (`principal`: whose it is, when not the token
 * of a principal named `name`): the headers that send it, and its id.
 */
export async function issueToken(
  server: TestServer,
  name: string,
  scopes: Scope[],
  principal?: string,
): Promise<{ headers: Record<string, string>; id: string }> {
  const res = await server.post<{ token: string; id: string }>(
    '/auth/tokens',
    { name, scopes, ...(principal !== undefined && { principal }) },
    { headers: bearer(ADMIN_TOKEN) },
  );
  if (res.status !== 201) throw new Error(`issuing token ${name}: ${res.status} ${res.text}`);
  return { headers: bearer(res.body.token), id: res.body.id };
}

/**
 * The server's client sending `headers` (credentials) with every request: for fixtures written
 * for open servers (creating Flows, allocating, registering segments).
 */
export function withCredentials(server: TestServer, headers: Record<string, string>): TestServer {
  const request: TestServer['request'] = (method, path, opts = {}) =>
    server.request(method, path, { ...opts, headers: { ...headers, ...opts.headers } });
  return {
    ...server,
    request,
    get: (path, opts) => request('GET', path, opts),
    head: (path, opts) => request('HEAD', path, opts),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts),
  };
}
