/**
 * What surrounds an origin that requires authentication, for test/replication/replication.auth:
 * a real OAuth 2.0 authorization server (oidc-provider, panva's) issuing short-lived JWT access
 * tokens to a confidential client by the client credentials grant, and a tap on the wire between
 * the destination and the origin recording what each request carried.
 */
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type ProviderContext, errors as providerErrors } from 'oidc-provider';

// oidc-provider's Provider is an EventEmitter; the declarations of test/ui/oidc-provider.d.ts
// leave that out. A token endpoint's success is the one event this suite listens to.
declare module 'oidc-provider' {
  export default interface Provider {
    on(event: 'grant.success', listener: (ctx: { body?: unknown }) => void): this;
  }
}

/** The origin tams-server as a resource server: the resource indicator and its tokens' `aud`. */
export const RESOURCE = 'urn:tams:replication-origin';
/** What the origin is given to accept the provider's tokens (TAMS_JWT_SCOPE_PREFIX). */
export const SCOPE_PREFIX = 'tams.';

export interface AuthorizationServer {
  issuer: string;
  jwksUrl: string;
  tokenUrl: string;
  /** Requests made to the token endpoint, whatever their outcome. */
  tokenRequests(): number;
  /** Every access token the token endpoint issued, in order. */
  issued(): readonly string[];
  close(): Promise<void>;
}

export interface ClientSpec {
  clientId: string;
  clientSecret: string;
  /** Lifetime of the access tokens, seconds. */
  ttlSeconds: number;
}

/**
 * A provider whose one client authenticates at the token endpoint with HTTP Basic
 * (client_secret_basic) and may ask for `tams.read` alone. The replication client names no
 * `resource`, so the provider's default resource is the origin: its tokens are JWTs with the
 * origin's audience and the scopes granted, as a real deployment's authorization server would
 * be set up for a machine client of one API.
 */
export async function startAuthorizationServer(client: ClientSpec): Promise<AuthorizationServer> {
  let tokenRequests = 0;
  const issued: string[] = [];
  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503);
    res.end();
  };
  const server: Server = createServer((req, res) => {
    if (req.method === 'POST' && req.url?.split('?')[0] === '/token') tokenRequests++;
    handle(req, res);
  });
  // Listening first: the issuer is the provider's own URL, known once the port is.
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  const jwk = { ...(await exportJWK(privateKey)), kid: 'replication-test-key', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: client.clientId,
        client_secret: client.clientSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        scope: `${SCOPE_PREFIX}read`,
      },
    ],
    scopes: [`${SCOPE_PREFIX}read`],
    jwks: { keys: [jwk] },
    // Set though unused (no browser signs in here), or the provider warns of each on stderr.
    cookies: { keys: ['replication-oauth-test-cookie-key'] },
    ttl: { ClientCredentials: client.ttlSeconds },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => RESOURCE,
        getResourceServerInfo: (_ctx: ProviderContext, resource: string) => {
          if (resource !== RESOURCE) throw new providerErrors.InvalidTarget();
          return {
            scope: `${SCOPE_PREFIX}read`,
            audience: RESOURCE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: client.ttlSeconds,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
  });
  provider.on('grant.success', (ctx) => {
    const body = ctx.body as { access_token?: unknown } | undefined;
    if (typeof body?.access_token === 'string') issued.push(body.access_token);
  });
  handle = provider.callback();
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    tokenUrl: `${issuer}/token`,
    tokenRequests: () => tokenRequests,
    issued: () => issued,
    close: () => closeServer(server),
  };
}

/** A request that passed the tap: what it asked for, what it carried, what the origin said. */
export interface Tapped {
  method: string;
  /** The path and query, as sent. */
  url: string;
  /** A media GET with a signature (a presigned URL). */
  presigned: boolean;
  authorization?: string;
  status: number;
}

export interface Tap {
  /** The origin's address through the tap; the origin builds its URLs from the Host it is sent. */
  url: string;
  seen: readonly Tapped[];
  close(): Promise<void>;
}

/**
 * A pass-through proxy in front of `target` (keeping the Host header, so every URL the origin
 * hands out points back through it) recording every request. It refuses the origin's presigned
 * media URLs (403, as an expired signature is answered): a job copying media must then read each
 * object from its lasting URL, which the origin serves to credentials with the read scope alone.
 */
export async function startTap(target: string): Promise<Tap> {
  const to = new URL(target);
  const seen: Tapped[] = [];
  const server: Server = createServer((req, res) => {
    const url = req.url ?? '/';
    const presigned = req.method === 'GET' && url.startsWith('/media/') && /[?&]sig=/.test(url);
    const entry: Tapped = {
      method: req.method ?? 'GET',
      url,
      presigned,
      ...(req.headers.authorization !== undefined && { authorization: req.headers.authorization }),
      status: 0,
    };
    seen.push(entry);
    if (presigned) {
      entry.status = 403;
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ type: 'Forbidden', summary: 'The presigned URL has expired.' }));
      return;
    }
    const forward = request(
      { host: to.hostname, port: to.port, method: req.method, path: url, headers: req.headers },
      (answer) => {
        entry.status = answer.statusCode ?? 0;
        res.writeHead(entry.status, answer.headers);
        answer.pipe(res);
      },
    );
    forward.on('error', () => res.destroy());
    req.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => closeServer(server),
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
