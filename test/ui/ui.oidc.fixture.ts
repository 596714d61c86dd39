/**
 * A real OpenID provider for the web UI's sign-in tests: oidc-provider (panva's, OpenID
 * Certified), on a loopback port, with a public client (no secret, PKCE), its own login and
 * consent pages (devInteractions: any login name, any password), and JWT access tokens for one
 * resource server, the tams-server, by resource indicator (RFC 8707). Which scopes a user gets
 * depends on the user (USERS), as an identity provider's policies would decide.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair } from 'jose';
import Provider, { type ProviderContext, errors as providerErrors } from 'oidc-provider';

/** The tams-server as a resource server: its resource indicator and the `aud` of its tokens. */
export const RESOURCE = 'urn:tams:test-api';
export const CLIENT_ID = 'tams-web-ui';
const ALL_SCOPES = 'tams.read tams.write tams.delete tams.admin';

/** Users of the provider: what the provider grants each, and how long its access tokens last. */
export const USERS: Record<string, { scope: string; ttlSeconds: number }> = {
  alice: { scope: ALL_SCOPES, ttlSeconds: 600 },
  viewer: { scope: 'tams.read', ttlSeconds: 600 },
  /** Tokens that expire while the test watches. */
  brief: { scope: 'tams.read', ttlSeconds: 4 },
};

export interface RunningProvider {
  issuer: string;
  jwksUrl: string;
  /** Serves the provider for a UI whose callback is `redirectUri` (known once the server runs). */
  start(redirectUri: string): Promise<void>;
  close(): Promise<void>;
}

/** The user a request is for, once known (the login done, or the code's account). */
function userOf(ctx: ProviderContext): string | undefined {
  return ctx.oidc.account?.accountId ?? ctx.oidc.session?.accountId;
}

/**
 * Listens first, so that the issuer (its URL) can be given to the tams-server, whose address the
 * provider's client needs in turn as its redirect URI.
 */
export async function listenProvider(): Promise<RunningProvider> {
  const server: Server = createServer((_req, res) => {
    res.writeHead(503);
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    async start(redirectUri) {
      const { privateKey } = await generateKeyPair('RS256', { extractable: true });
      const jwk = { ...(await exportJWK(privateKey)), kid: 'test-signing-key', alg: 'RS256', use: 'sig' };
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: CLIENT_ID,
            token_endpoint_auth_method: 'none',
            redirect_uris: [redirectUri],
            grant_types: ['authorization_code'],
            response_types: ['code'],
          },
        ],
        jwks: { keys: [jwk] },
        cookies: { keys: ['tams-ui-oidc-test-cookie-key'] },
        pkce: { required: () => true, methods: ['S256'] },
        findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
        // The token endpoint answers the UI's origin (the client's redirect URI's) alone.
        clientBasedCORS: (_ctx, origin, client) =>
          client.redirectUris.some((uri) => new URL(uri).origin === origin),
        features: {
          devInteractions: { enabled: true },
          resourceIndicators: {
            enabled: true,
            defaultResource: () => undefined,
            useGrantedResource: () => true,
            getResourceServerInfo: (ctx: ProviderContext, resource: string) => {
              if (resource !== RESOURCE) throw new providerErrors.InvalidTarget();
              const user = USERS[userOf(ctx) ?? ''];
              return {
                // Before the login the user is unknown: every scope may be asked for; once
                // known, the consent and the token hold what the user is allowed.
                scope: user?.scope ?? ALL_SCOPES,
                audience: RESOURCE,
                accessTokenFormat: 'jwt',
                accessTokenTTL: user?.ttlSeconds ?? 600,
                jwt: { sign: { alg: 'RS256' } },
              };
            },
          },
        },
      });
      server.removeAllListeners('request');
      server.on('request', provider.callback());
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
