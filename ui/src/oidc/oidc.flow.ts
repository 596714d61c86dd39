/**
 * Sign-in with the identity provider the server trusts for JWTs: OpenID Connect authorization
 * code flow with PKCE (S256) for a public client, from the browser alone. Loaded only when the
 * user clicks "Sign in with …" or comes back to /ui/signin/callback, so the first load does not
 * carry it.
 */
import { href } from '../router.ts';
import { CALLBACK_PATH, type OidcOffer } from './oidc.offer.ts';
import {
  authorizationUrl,
  checkIdToken,
  codeOf,
  expiryOf,
  type PendingSignIn,
  randomToken,
  SignInError,
  s256,
} from './oidc.pkce.ts';

const PENDING = 'tams.oidc.pending';

interface Discovery {
  issuer: string;
  authorization_endpoint: string;
  token_endpoint: string;
}

/**
 * A JSON answer of the provider. A request the provider's CORS rules refuse fails like an
 * unreachable provider, so `hint` says what to check then.
 */
async function json(url: string, init?: RequestInit, hint?: string): Promise<Record<string, unknown>> {
  let res: Response;
  try {
    res = await fetch(url, { ...init, headers: { accept: 'application/json', ...init?.headers } });
  } catch (error) {
    const why = hint === undefined ? String(error) : `${String(error)}; ${hint}`;
    throw new SignInError(`The identity provider cannot be reached at ${new URL(url).origin} (${why}).`);
  }
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (typeof body !== 'object' || body === null) {
    throw new SignInError(`The identity provider answered ${res.status} without JSON at ${url}.`);
  }
  return body as Record<string, unknown>;
}

/** The provider's endpoints, from `<issuer>/.well-known/openid-configuration`. */
async function discover(issuer: string): Promise<Discovery> {
  const doc = await json(
    `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`,
    undefined,
    'is TAMS_JWT_ISSUER right, and does the provider answer this page (CORS)?',
  );
  // OpenID Connect Discovery §4.3: the document must name the issuer asked for, exactly.
  if (doc.issuer !== issuer) {
    throw new SignInError(`The identity provider names itself ${String(doc.issuer)}, not ${issuer}.`);
  }
  const { authorization_endpoint, token_endpoint } = doc;
  if (typeof authorization_endpoint !== 'string' || typeof token_endpoint !== 'string') {
    throw new SignInError("The identity provider's configuration has no authorization or token endpoint.");
  }
  return { issuer, authorization_endpoint, token_endpoint };
}

/** Starts the sign-in: off to the provider's login page, to come back to the callback. */
export async function startSignIn(offer: OidcOffer, returnTo: string): Promise<void> {
  const discovery = await discover(offer.issuer);
  const pending: PendingSignIn = {
    state: randomToken(),
    nonce: randomToken(),
    verifier: randomToken(),
    issuer: offer.issuer,
    client_id: offer.client_id,
    token_endpoint: discovery.token_endpoint,
    redirect_uri: new URL(href(CALLBACK_PATH), location.href).href,
    openid: offer.scope.split(' ').includes('openid'),
    ...(offer.resource !== undefined && { resource: offer.resource }),
    return_to: returnTo.startsWith('/') && !returnTo.startsWith(CALLBACK_PATH) ? returnTo : '/',
  };
  const url = authorizationUrl({
    authorization_endpoint: discovery.authorization_endpoint,
    client_id: offer.client_id,
    redirect_uri: pending.redirect_uri,
    scope: offer.scope,
    state: pending.state,
    nonce: pending.nonce,
    challenge: await s256(pending.verifier),
    resource: offer.resource,
  });
  sessionStorage.setItem(PENDING, JSON.stringify(pending));
  location.assign(url);
}

/** The sign-in started in this tab, forgotten as it is read: an answer is used once. */
function takePending(): PendingSignIn | undefined {
  const text = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  if (text === null) return undefined;
  try {
    return JSON.parse(text) as PendingSignIn;
  } catch {
    return undefined;
  }
}

export interface SignedIn {
  /** The access token: the bearer token the server checks (its `aud` and scopes). */
  token: string;
  /** Epoch ms, when known. */
  expires?: number;
  returnTo: string;
}

/**
 * Completes the sign-in from the callback's query: the answer checked against the sign-in this
 * tab started, then the code exchanged at the token endpoint with the PKCE verifier (no client
 * secret: a public client). Refresh tokens are not asked for nor kept: a sign-in lasts as long
 * as its access token.
 */
export async function completeSignIn(search: string): Promise<SignedIn> {
  const pending = takePending();
  const code = codeOf(new URLSearchParams(search), pending);
  if (pending === undefined) throw new SignInError('No sign-in was started in this tab.');
  const form = new URLSearchParams({
    grant_type: 'authorization_code',
    code,
    redirect_uri: pending.redirect_uri,
    client_id: pending.client_id,
    code_verifier: pending.verifier,
  });
  if (pending.resource !== undefined) form.set('resource', pending.resource);
  const answer = await json(
    pending.token_endpoint,
    { method: 'POST', body: form },
    `is ${location.origin} an allowed web origin of the client?`,
  );
  if (typeof answer.error === 'string') {
    const description = typeof answer.error_description === 'string' ? ` (${answer.error_description})` : '';
    throw new SignInError(`The identity provider refused the code: ${answer.error}${description}.`);
  }
  const { access_token, id_token, expires_in } = answer;
  if (typeof access_token !== 'string' || access_token === '') {
    throw new SignInError('The identity provider sent no access token.');
  }
  // An ID token comes with the `openid` scope; it proves the answer is this sign-in's (nonce).
  if (typeof id_token === 'string') checkIdToken(id_token, pending, Date.now() / 1000);
  else if (pending.openid) throw new SignInError('The identity provider sent no ID token.');
  const expires = expiryOf(access_token, expires_in, Date.now());
  return { token: access_token, ...(expires !== undefined && { expires }), returnTo: pending.return_to };
}
