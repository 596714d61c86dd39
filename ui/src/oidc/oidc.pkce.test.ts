import { describe, expect, it } from 'vitest';
import {
  authorizationUrl,
  base64url,
  checkIdToken,
  codeOf,
  expiryOf,
  jwtClaims,
  type PendingSignIn,
  randomToken,
  s256,
} from './oidc.pkce.ts';

const PENDING: PendingSignIn = {
  state: 'state-of-this-tab',
  nonce: 'nonce-of-this-tab',
  verifier: 'dBjftJeZ4CVP-mJ92ZXbX-Uc6LkdXjYQ77ZgEqZ3ozs',
  issuer: 'https://idp.example.test',
  client_id: 'tams-ui',
  token_endpoint: 'https://idp.example.test/token',
  redirect_uri: 'https://tams.example.test/ui/signin/callback',
  openid: true,
  return_to: '/flows',
};

/** An unsigned JWT with these claims (the checks read claims only). */
function jwt(claims: Record<string, unknown>): string {
  const part = (value: unknown) => base64url(new TextEncoder().encode(JSON.stringify(value)));
  return `${part({ alg: 'none' })}.${part(claims)}.`;
}

const NOW = 1_800_000_000;
const ID_CLAIMS = { iss: PENDING.issuer, aud: 'tams-ui', nonce: PENDING.nonce, exp: NOW + 300 };

describe('PKCE', () => {
  it('makes the S256 challenge: base64url of the SHA-256, unpadded', async () => {
    // SHA-256("abc") is FIPS 180-2's example, ba7816bf…f20015ad; the second is Node's
    // createHash('sha256') of a verifier, a digest '+' and '/' would show up in.
    expect(await s256('abc')).toBe('ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0');
    expect(await s256('dBjftJeZ4CVP-mJ92ZXbX-Uc6LkdXjYQ77ZgEqZ3ozs')).toBe(
      '1_SYbRTJDX3MA82zKezdNHgGQ4DtGsztbXvM12Xbegw',
    );
  });

  it('draws verifiers, states and nonces of 43 base64url characters, each new', () => {
    const drawn = new Set(Array.from({ length: 100 }, randomToken));
    expect(drawn.size).toBe(100);
    for (const token of drawn) expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('asks for a code with the S256 challenge, state, nonce and resource', () => {
    const url = new URL(
      authorizationUrl({
        authorization_endpoint: 'https://idp.example.test/auth?tenant=a',
        client_id: 'tams-ui',
        redirect_uri: PENDING.redirect_uri,
        scope: 'openid tams.read',
        state: 's',
        nonce: 'n',
        challenge: 'c',
        resource: 'urn:tams:api',
      }),
    );
    expect(Object.fromEntries(url.searchParams)).toEqual({
      tenant: 'a',
      response_type: 'code',
      client_id: 'tams-ui',
      redirect_uri: PENDING.redirect_uri,
      scope: 'openid tams.read',
      state: 's',
      nonce: 'n',
      code_challenge: 'c',
      code_challenge_method: 'S256',
      resource: 'urn:tams:api',
    });
  });
});

describe("the provider's answer", () => {
  const answer = (query: Record<string, string>) => new URLSearchParams(query);

  it('gives the code of an answer to this sign-in', () => {
    expect(codeOf(answer({ code: 'abc', state: PENDING.state, iss: PENDING.issuer }), PENDING)).toBe('abc');
    expect(codeOf(answer({ code: 'abc', state: PENDING.state }), PENDING)).toBe('abc');
  });

  it('refuses an answer whose state differs, or with no sign-in started', () => {
    expect(() => codeOf(answer({ code: 'abc', state: 'forged' }), PENDING)).toThrow(/state differs/);
    expect(() => codeOf(answer({ code: 'abc' }), PENDING)).toThrow(/state differs/);
    expect(() => codeOf(answer({ code: 'abc', state: PENDING.state }), undefined)).toThrow(/No sign-in/);
  });

  it("refuses another issuer's answer (RFC 9207), and reports the provider's errors", () => {
    expect(() =>
      codeOf(answer({ code: 'abc', state: PENDING.state, iss: 'https://evil.example.test' }), PENDING),
    ).toThrow(/not from https:\/\/idp.example.test/);
    expect(() =>
      codeOf(
        answer({ error: 'access_denied', error_description: 'the user said no', state: PENDING.state }),
        PENDING,
      ),
    ).toThrow('The identity provider did not sign you in: access_denied (the user said no).');
    expect(() => codeOf(answer({ state: PENDING.state }), PENDING)).toThrow(/no authorization code/);
  });
});

describe('the ID token', () => {
  it("is accepted when it is the issuer's, for this client and this sign-in", () => {
    expect(() => checkIdToken(jwt(ID_CLAIMS), PENDING, NOW)).not.toThrow();
    expect(() => checkIdToken(jwt({ ...ID_CLAIMS, aud: ['other', 'tams-ui'] }), PENDING, NOW)).not.toThrow();
  });

  it('is refused with another nonce, issuer or audience, or expired', () => {
    expect(() => checkIdToken(jwt({ ...ID_CLAIMS, nonce: 'replayed' }), PENDING, NOW)).toThrow(/nonce/);
    expect(() => checkIdToken(jwt({ ...ID_CLAIMS, nonce: undefined }), PENDING, NOW)).toThrow(/nonce/);
    expect(() => checkIdToken(jwt({ ...ID_CLAIMS, iss: 'https://evil' }), PENDING, NOW)).toThrow(/issuer/);
    expect(() => checkIdToken(jwt({ ...ID_CLAIMS, aud: 'other' }), PENDING, NOW)).toThrow(/another client/);
    expect(() => checkIdToken(jwt({ ...ID_CLAIMS, exp: NOW - 120 }), PENDING, NOW)).toThrow(/expired/);
    expect(() => checkIdToken('not-a-jwt', PENDING, NOW)).toThrow(/not a JWT/);
  });

  it('reads claims written in UTF-8', () => {
    expect(jwtClaims(jwt({ name: 'Zoë 🎬' })).name).toBe('Zoë 🎬');
  });
});

describe('the expiry of the access token', () => {
  it('comes from expires_in, else from the JWT exp, else is unknown', () => {
    expect(expiryOf('opaque', 600, 1_000)).toBe(601_000);
    expect(expiryOf(jwt({ exp: NOW }), undefined, 1_000)).toBe(NOW * 1000);
    expect(expiryOf('opaque', undefined, 1_000)).toBeUndefined();
  });
});
