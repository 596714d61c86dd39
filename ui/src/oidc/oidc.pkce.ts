/**
 * The pieces of an OpenID Connect sign-in (authorization code with PKCE) that hold no I/O, so
 * that they are tested alone: random values, the S256 challenge, the authorization URL, and the
 * checks of what comes back (state, issuer, ID token claims). oidc.flow.ts drives them.
 */

/** base64url without padding (RFC 4648 §5), as PKCE and JWTs write it. */
export function base64url(bytes: Uint8Array): string {
  let text = '';
  for (const byte of bytes) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** 32 random bytes as base64url: 43 characters, as RFC 7636 asks of a code verifier. */
export function randomToken(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The S256 code challenge of a verifier: base64url(SHA-256(ASCII(verifier))). */
export async function s256(verifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(verifier));
  return base64url(new Uint8Array(digest));
}

/** A sign-in under way in this tab, kept (sessionStorage) until the provider sends the user back. */
export interface PendingSignIn {
  state: string;
  nonce: string;
  verifier: string;
  issuer: string;
  client_id: string;
  token_endpoint: string;
  redirect_uri: string;
  /** Whether `openid` was asked for: then an ID token must come back, with the nonce. */
  openid: boolean;
  resource?: string;
  /** The UI path (and query) the user was on, opened again once signed in. */
  return_to: string;
}

export interface AuthorizationRequest {
  authorization_endpoint: string;
  client_id: string;
  redirect_uri: string;
  scope: string;
  state: string;
  nonce: string;
  challenge: string;
  resource?: string;
}

export function authorizationUrl(request: AuthorizationRequest): string {
  const url = new URL(request.authorization_endpoint);
  const params: Record<string, string | undefined> = {
    response_type: 'code',
    client_id: request.client_id,
    redirect_uri: request.redirect_uri,
    scope: request.scope,
    state: request.state,
    nonce: request.nonce,
    code_challenge: request.challenge,
    code_challenge_method: 'S256',
    resource: request.resource,
  };
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, value);
  return url.href;
}

/** Why a sign-in did not complete, in words for the sign-in page. */
export class SignInError extends Error {
  override name = 'SignInError';
}

/**
 * The authorization code of the provider's answer (the callback URL's query), once it is shown
 * to answer the sign-in this tab started: same `state` (else it may be an answer forged or
 * replayed into this tab), and, where the provider names itself (`iss`, RFC 9207), the expected
 * issuer.
 */
export function codeOf(query: URLSearchParams, pending: PendingSignIn | undefined): string {
  if (pending === undefined) {
    throw new SignInError('No sign-in was started in this tab (or it was already completed): sign in again.');
  }
  if (query.get('state') !== pending.state) {
    throw new SignInError(
      "The identity provider's answer does not belong to the sign-in started in this tab (its state differs): nothing was signed in. Sign in again.",
    );
  }
  const iss = query.get('iss');
  if (iss !== null && iss !== pending.issuer) {
    throw new SignInError(`The answer came from ${iss}, not from ${pending.issuer}: nothing was signed in.`);
  }
  const error = query.get('error');
  if (error !== null) {
    const description = query.get('error_description');
    throw new SignInError(
      `The identity provider did not sign you in: ${error}${description ? ` (${description})` : ''}.`,
    );
  }
  const code = query.get('code');
  if (code === null || code === '')
    throw new SignInError('The identity provider sent no authorization code.');
  return code;
}

/** The claims of a JWT, unverified (the caller says why that is enough). */
export function jwtClaims(jwt: string): Record<string, unknown> {
  const payload = jwt.split('.')[1];
  if (payload === undefined) throw new SignInError('The identity provider sent a token that is not a JWT.');
  try {
    const text = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const bytes = Uint8Array.from(text, (c) => c.charCodeAt(0));
    const claims: unknown = JSON.parse(new TextDecoder().decode(bytes));
    if (typeof claims === 'object' && claims !== null) return claims as Record<string, unknown>;
  } catch {
    // Reported below.
  }
  throw new SignInError('The identity provider sent a JWT whose claims cannot be read.');
}

/**
 * Checks the ID token of the token response (OpenID Connect Core 3.1.3.7): issued by the
 * issuer, to this client, for this sign-in (`nonce`), not expired. Its signature is not checked:
 * the token came straight from the provider's token endpoint over the connection the browser
 * opened, which Core allows in place of the signature for the code flow.
 */
export function checkIdToken(idToken: string, pending: PendingSignIn, nowSeconds: number): void {
  const claims = jwtClaims(idToken);
  if (claims.iss !== pending.issuer) throw new SignInError('The ID token was issued by another issuer.');
  const aud = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!aud.includes(pending.client_id)) throw new SignInError('The ID token is for another client.');
  if (claims.nonce !== pending.nonce) {
    throw new SignInError(
      'The ID token belongs to another sign-in (its nonce differs): nothing was signed in.',
    );
  }
  if (typeof claims.exp !== 'number' || claims.exp + 60 < nowSeconds) {
    throw new SignInError('The ID token has expired: check the clocks, and sign in again.');
  }
}

/**
 * When the access token stops being accepted, in epoch ms: the token response's `expires_in`,
 * else the token's own `exp` where it is a JWT; undefined when neither says.
 */
export function expiryOf(accessToken: string, expiresIn: unknown, nowMs: number): number | undefined {
  if (typeof expiresIn === 'number' && expiresIn > 0) return nowMs + expiresIn * 1000;
  try {
    const exp = jwtClaims(accessToken).exp;
    return typeof exp === 'number' ? exp * 1000 : undefined;
  } catch {
    return undefined;
  }
}
