import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.ts';
import type { Principal } from '../http/principal.ts';
import type { AuthRepo } from '../store/auth.repo.ts';
import { ExpiringCache } from './auth.cache.ts';
import type { Credentials } from './auth.credentials.ts';
import type { JwtVerifier } from './auth.jwt.ts';
import { isScope, type Scope } from './auth.model.ts';
import { decoyHash, verifyPassword } from './auth.password.ts';
import { Semaphore } from './auth.semaphore.ts';
import { looksLikeJwt, tokenHash } from './auth.tokens.ts';

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      /** The scheme the failed credentials used, for the WWW-Authenticate challenge. */
      scheme: 'bearer' | 'basic' | 'none';
      reason: string;
      unavailable?: boolean;
    };

export interface AuthenticatorDeps {
  repo: AuthRepo;
  clock: Clock;
  jwt?: JwtVerifier;
  /**
   * How long a checked token or password is trusted without reading the store again. Infinite
   * where this process owns the database (every change goes through `forget`).
   */
  cacheTtlMs: number;
}

const CACHE_ENTRIES = 10_000;
/** scrypt takes 128 MiB and ~0.3 s: at most this many at once, leaving libuv's pool to file I/O. */
const PASSWORD_CHECKS = 2;

const scopeSet = (scopes: readonly string[]) => new Set(scopes.filter(isScope)) as ReadonlySet<Scope>;

/**
 * Turns credentials into a principal. Every success is cached: API tokens by their SHA-256 (one
 * hash and one map lookup per request), passwords by an HMAC of user and password under a key
 * of this process (so memory never holds a reusable password hash), JWTs until they expire.
 */
export class Authenticator {
  private readonly tokens = new ExpiringCache<Principal>(CACHE_ENTRIES);
  private readonly passwords = new ExpiringCache<Principal>(CACHE_ENTRIES);
  private readonly jwts = new ExpiringCache<Principal>(CACHE_ENTRIES);
  private readonly passwordKey = randomBytes(32);
  private readonly checks = new Semaphore(PASSWORD_CHECKS);

  constructor(private readonly deps: AuthenticatorDeps) {}

  /** Forgets every cached success: a user or token changed. */
  forget(): void {
    this.tokens.clear();
    this.passwords.clear();
  }

  async authenticate(credentials: Credentials): Promise<AuthOutcome> {
    switch (credentials.kind) {
      case 'none':
        return { ok: false, scheme: 'none', reason: 'no credentials were given' };
      case 'malformed':
        return {
          ok: false,
          scheme: credentials.scheme === 'basic' ? 'basic' : 'bearer',
          reason: credentials.reason,
        };
      case 'basic':
        return this.password(credentials.user, credentials.password);
      case 'bearer':
        return this.deps.jwt && looksLikeJwt(credentials.token)
          ? this.jwt(this.deps.jwt, credentials.token)
          : this.apiToken(credentials.token);
    }
  }

  private async apiToken(token: string): Promise<AuthOutcome> {
    const now = this.deps.clock.now().getTime();
    const hash = tokenHash(token);
    const cached = this.tokens.get(hash, now);
    if (cached) return { ok: true, principal: cached };
    const record = await this.deps.repo.tokenByHash(hash);
    if (record === null) {
      const reason = looksLikeJwt(token)
        ? 'JWTs are not accepted by this server (no TAMS_JWT_JWKS_URL or TAMS_JWT_KEY)'
        : 'the token is not known';
      return { ok: false, scheme: 'bearer', reason };
    }
    if (record.revoked) return { ok: false, scheme: 'bearer', reason: 'the token has been revoked' };
    const expires = record.expires?.getTime() ?? Number.POSITIVE_INFINITY;
    if (expires <= now) return { ok: false, scheme: 'bearer', reason: 'the token has expired' };
    const principal: Principal = {
      name: record.principal,
      scopes: scopeSet(record.scopes),
      scheme: 'token',
      credentialId: record.id,
    };
    if (record.expires !== undefined) principal.expires = expires;
    this.tokens.set(hash, principal, Math.min(expires, now + this.deps.cacheTtlMs), now);
    return { ok: true, principal };
  }

  private async password(user: string, password: string): Promise<AuthOutcome> {
    const now = this.deps.clock.now().getTime();
    const key = createHmac('sha256', this.passwordKey).update(`${user}\0${password}`).digest('hex');
    const cached = this.passwords.get(key, now);
    if (cached) return { ok: true, principal: cached };
    const record = await this.deps.repo.getUser(user);
    const stored = record?.password ?? (await decoyHash());
    const match = await this.checks.run(() => verifyPassword(password, stored));
    if (!record || !match)
      return { ok: false, scheme: 'basic', reason: 'the user name or password is wrong' };
    const principal: Principal = {
      name: record.name,
      scopes: scopeSet(record.scopes),
      scheme: 'basic',
      credentialId: record.name,
    };
    this.passwords.set(key, principal, now + this.deps.cacheTtlMs, now);
    return { ok: true, principal };
  }

  private async jwt(verifier: JwtVerifier, token: string): Promise<AuthOutcome> {
    const now = this.deps.clock.now().getTime();
    const cached = this.jwts.get(token, now);
    if (cached) return { ok: true, principal: cached };
    const outcome = await verifier.verify(token);
    if (!outcome.ok) {
      return { ok: false, scheme: 'bearer', reason: outcome.reason, unavailable: outcome.unavailable };
    }
    const principal: Principal = {
      name: outcome.name,
      scopes: new Set(outcome.scopes),
      scheme: 'jwt',
      credentialId: outcome.name,
      expires: outcome.expires,
    };
    this.jwts.set(token, principal, outcome.expires, now);
    return { ok: true, principal };
  }
}
