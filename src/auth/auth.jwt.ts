import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';
import type { AuthConfig } from './auth.config.ts';
import { isScope, type Scope } from './auth.model.ts';

export interface JwtSettings {
  /** Either a JWKS URL or a static key (PEM public key, or a JWK as JSON). */
  jwksUrl?: string;
  key?: string;
  issuer: string;
  /** Accepted `aud` values (TAMS_JWT_AUDIENCE). */
  audience: string[];
  /** Clients whose access tokens may come without `aud`, by `client_id` (TAMS_JWT_CLIENT_IDS). */
  clientIds: string[];
  algorithms: string[];
  scopePrefix: string;
  principalClaim: string;
  clockToleranceSeconds: number;
}

export type JwtOutcome =
  | { ok: true; name: string; scopes: Scope[] /** epoch ms */; expires: number }
  | {
      ok: false;
      reason: string /** the identity provider could not be reached: not the caller's fault */;
      unavailable?: boolean;
    };

/** A comma-separated setting as its items. */
export function listSetting(text: string): string[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/** The JWT settings of the configuration; undefined when JWTs are not accepted. */
export function jwtSettings(config: AuthConfig): JwtSettings | undefined {
  if (config.TAMS_JWT_JWKS_URL === '' && config.TAMS_JWT_KEY === '') return undefined;
  return {
    jwksUrl: config.TAMS_JWT_JWKS_URL || undefined,
    key: config.TAMS_JWT_KEY || undefined,
    issuer: config.TAMS_JWT_ISSUER,
    audience: listSetting(config.TAMS_JWT_AUDIENCE),
    clientIds: listSetting(config.TAMS_JWT_CLIENT_IDS),
    algorithms: listSetting(config.TAMS_JWT_ALGORITHMS),
    scopePrefix: config.TAMS_JWT_SCOPE_PREFIX,
    principalClaim: config.TAMS_JWT_PRINCIPAL_CLAIM,
    clockToleranceSeconds: config.TAMS_JWT_CLOCK_TOLERANCE_SECONDS,
  };
}

/** A static key: PEM (public key or certificate), or a JWK as JSON (`oct` for HMAC). */
export function parseStaticKey(text: string): KeyObject {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    const jwk = JSON.parse(trimmed) as { kty?: string; k?: string };
    if (jwk.kty === 'oct') return createSecretKey(Buffer.from(jwk.k ?? '', 'base64url'));
    return createPublicKey({ key: jwk as import('node:crypto').JsonWebKey, format: 'jwk' });
  }
  return createPublicKey(trimmed);
}

/** This API's scopes in the `scope` (space-separated) or `scp` (list or string) claim. */
export function scopesFromClaims(payload: JWTPayload, prefix: string): Scope[] {
  const raw: unknown[] = [];
  for (const claim of [payload.scope, payload.scp]) {
    if (typeof claim === 'string') raw.push(...claim.split(' '));
    else if (Array.isArray(claim)) raw.push(...claim);
  }
  const scopes = new Set<Scope>();
  for (const s of raw) {
    if (typeof s !== 'string' || !s.startsWith(prefix)) continue;
    const name = s.slice(prefix.length);
    if (isScope(name)) scopes.add(name);
  }
  return [...scopes];
}

/**
 * Why a verified token is not for this server, or undefined when it is. A token with `aud` must
 * name an accepted audience; one without must be an access token of an accepted client by its
 * `client_id` (Amazon Cognito's access tokens carry no `aud`, as OAuth allows). `token_use`
 * (Cognito's) must be `access` wherever present: an ID token is meant for the client that
 * signed the user in, and its `aud` is that client, so it must not pass as an access token.
 */
export function audienceRefusal(
  payload: JWTPayload,
  audience: readonly string[],
  clientIds: readonly string[],
): string | undefined {
  if (payload.token_use !== undefined && payload.token_use !== 'access') {
    return '"token_use" is not "access" (ID tokens are not accepted)';
  }
  if (payload.aud !== undefined) {
    const named: unknown[] = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    return named.some((a) => typeof a === 'string' && audience.includes(a))
      ? undefined
      : 'unexpected "aud" claim value';
  }
  if (clientIds.length === 0) return 'missing required "aud" claim';
  const client = payload.client_id;
  if (typeof client !== 'string' || !clientIds.includes(client)) {
    return 'no "aud" claim, and its "client_id" is not one of the accepted clients';
  }
  return undefined;
}

/**
 * Verifies bearer JWTs with jose: signature (JWKS or static key, allowed algorithms only),
 * issuer, expiry (required) and not-before; then the audience (audienceRefusal). Callers cache
 * the outcome until `expires`.
 */
export class JwtVerifier {
  private readonly key: KeyObject | JWTVerifyGetKey;

  constructor(private readonly settings: JwtSettings) {
    if (settings.jwksUrl !== undefined) {
      // Keys are cached for 10 minutes; an unknown `kid` refetches at most every 30 s.
      this.key = createRemoteJWKSet(new URL(settings.jwksUrl), { timeoutDuration: 5000 });
    } else if (settings.key !== undefined) {
      this.key = parseStaticKey(settings.key);
    } else {
      throw new Error('JwtVerifier needs a JWKS URL or a key');
    }
  }

  async verify(token: string): Promise<JwtOutcome> {
    const s = this.settings;
    let payload: JWTPayload;
    try {
      // No `audience` here: jose would require `aud`, and audienceRefusal decides without it.
      ({ payload } = await jwtVerify(token, this.key, {
        issuer: s.issuer,
        algorithms: s.algorithms,
        clockTolerance: s.clockToleranceSeconds,
        requiredClaims: ['exp'],
      }));
    } catch (error) {
      return failure(error, s.jwksUrl !== undefined);
    }
    const refusal = audienceRefusal(payload, s.audience, s.clientIds);
    if (refusal !== undefined) return { ok: false, reason: `the JWT's claims are not accepted: ${refusal}` };
    const named = payload[s.principalClaim];
    const name = typeof named === 'string' && named !== '' ? named : payload.sub;
    if (name === undefined || name === '') return { ok: false, reason: 'the JWT names no subject' };
    return {
      ok: true,
      name,
      scopes: scopesFromClaims(payload, s.scopePrefix),
      expires: (payload.exp ?? 0) * 1000,
    };
  }
}

/** The identity provider could not give its keys: not the caller's fault (503). */
const KEY_SET_UNAVAILABLE: JwtOutcome = {
  ok: false,
  reason: 'the identity provider key set could not be fetched',
  unavailable: true,
};

/** Why verification failed, in words safe to return and log (jose's messages hold no token). */
function failure(error: unknown, remote: boolean): JwtOutcome {
  if (error instanceof errors.JWTExpired) return { ok: false, reason: 'the JWT has expired' };
  if (error instanceof errors.JWTClaimValidationFailed) {
    return { ok: false, reason: `the JWT's claims are not accepted: ${error.message}` };
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return { ok: false, reason: 'the JWT signature is not valid' };
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return { ok: false, reason: 'the JWT is not signed by a key of the configured key set' };
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return { ok: false, reason: 'the JWT signing algorithm is not accepted' };
  }
  // jose throws its bare JOSEError only for a key set response that is not 200 or not JSON.
  const keySet = remote && error instanceof errors.JOSEError && error.code === errors.JOSEError.code;
  if (keySet || error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid)
    return KEY_SET_UNAVAILABLE;
  if (error instanceof errors.JOSEError) return { ok: false, reason: `the JWT is not valid (${error.code})` };
  // Outside jose's own errors: a failed fetch of the key set (connection refused, DNS), not the
  // caller's fault; with a static key, a key that does not suit the token (a TypeError).
  if (remote && !(error instanceof TypeError && /key/i.test(error.message))) return KEY_SET_UNAVAILABLE;
  return { ok: false, reason: 'the JWT cannot be verified with the configured key' };
}
