import { createHmac, randomBytes } from 'node:crypto';
import type { Clock } from '../common/clock.ts';
import type { Principal } from '../http/principal.ts';
import type { AuthRepo } from '../store/auth.repo.ts';
import { ExpiringCache } from './auth.cache.ts';
import type { Credentials } from './auth.credentials.ts';
import { type Admission, BasicGuard, type GuardSettings } from './auth.guard.ts';
import type { JwtVerifier } from './auth.jwt.ts';
import { isScope, type Scope } from './auth.model.ts';
import { DEFAULT_SCRYPT, decoyHash, type ScryptParams, verifyPassword } from './auth.password.ts';
import { QueueFullError, Semaphore } from './auth.semaphore.ts';
import { looksLikeJwt, tokenHash } from './auth.tokens.ts';

export type AuthOutcome =
  | { ok: true; principal: Principal }
  | {
      ok: false;
      /** The scheme the failed credentials used, for the WWW-Authenticate challenge. */
      scheme: 'bearer' | 'basic' | 'none';
      reason: string;
      /** Not the caller's fault (503): the identity provider is unreachable, or the server is busy. */
      unavailable?: boolean;
      /** Refused without checking, after repeated failures (429). */
      throttled?: boolean;
      /** When to try again, in whole seconds (the Retry-After header). */
      retryAfter?: number;
    };

/** Checks a password against its stored PHC string (verifyPassword; tests wrap it). */
export type PasswordCheck = (password: string, stored: string) => Promise<boolean>;

export interface AuthenticatorDeps {
  repo: AuthRepo;
  clock: Clock;
  jwt?: JwtVerifier;
  /**
   * How long a checked token or password is trusted without reading the store again. Infinite
   * where this process owns the database (every change goes through `forget`).
   */
  cacheTtlMs: number;
  /** HTTP Basic throttling; `checks` run at once, WAITING_PER_CHECK times as many may wait. */
  passwords?: GuardSettings;
  /** Parameters of the decoy hash checked for unknown users: those of the stored passwords. */
  scrypt?: ScryptParams;
  checkPassword?: PasswordCheck;
}

const CACHE_ENTRIES = 10_000;
/**
 * A verified JWT is trusted from memory until it expires, but no longer than this: the key set
 * is refetched after as long (jose's default), so a key withdrawn by the identity provider stops
 * working for tokens of any `exp`, even one far in the future (or 1e400, read as Infinity).
 */
const JWT_CACHE_MS = 10 * 60_000;
/**
 * scrypt takes 128 MiB and ~0.3 s of a core: two at once on two cores (leaving libuv's pool to
 * file I/O), and at most four waiting per running check (about 1.2 s of wait); beyond that the
 * server is answering a flood, and says so at once (503) rather than queueing without end.
 */
export const DEFAULT_PASSWORDS: GuardSettings = { checks: 2, clientFailures: 10, userFailures: 20 };
const WAITING_PER_CHECK = 4;
/** What a client refused for a full queue is told to wait: the queue drains in about a second. */
const BUSY_RETRY_SECONDS = 1;

const scopeSet = (scopes: readonly string[]) => new Set(scopes.filter(isScope)) as ReadonlySet<Scope>;

/**
 * Turns credentials into a principal. Every success is cached: API tokens and JWTs by the token
 * (one map lookup per request; a token is hashed only to be looked up in the store, which was
 * ~1 % of the thread under single-segment POSTs when every request hashed it), passwords by an
 * HMAC of user and password under a key of this process (so memory never holds a reusable
 * password hash), JWTs until they expire.
 */
export class Authenticator {
  private readonly tokens = new ExpiringCache<Principal>(CACHE_ENTRIES);
  private readonly passwords = new ExpiringCache<Principal>(CACHE_ENTRIES);
  private readonly jwts = new ExpiringCache<Principal>(CACHE_ENTRIES);
  private readonly passwordKey = randomBytes(32);
  private readonly checks: Semaphore;
  private readonly guard: BasicGuard;
  /** Password checks under way, by the same key as `passwords`: identical requests share one. */
  private readonly checking = new Map<string, Promise<AuthOutcome>>();

  constructor(private readonly deps: AuthenticatorDeps) {
    const settings = deps.passwords ?? DEFAULT_PASSWORDS;
    this.checks = new Semaphore(settings.checks, settings.checks * WAITING_PER_CHECK);
    this.guard = new BasicGuard(settings);
  }

  /** HTTP Basic password checks waiting for their turn (a gauge of /metrics). */
  waitingChecks(): number {
    return this.checks.waitingCount;
  }

  /** Forgets every cached success: a user or token changed. */
  forget(): void {
    this.tokens.clear();
    this.passwords.clear();
  }

  /** `client` is the caller's address (request.ip): HTTP Basic failures are counted by it. */
  async authenticate(credentials: Credentials, client = ''): Promise<AuthOutcome> {
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
        return this.password(credentials.user, credentials.password, client);
      case 'bearer':
        return this.deps.jwt && looksLikeJwt(credentials.token)
          ? this.jwt(this.deps.jwt, credentials.token)
          : this.apiToken(credentials.token);
    }
  }

  private async apiToken(token: string): Promise<AuthOutcome> {
    const now = this.deps.clock.now().getTime();
    const cached = this.tokens.get(token, now);
    if (cached) return { ok: true, principal: cached };
    const record = await this.deps.repo.tokenByHash(tokenHash(token));
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
    this.tokens.set(token, principal, Math.min(expires, now + this.deps.cacheTtlMs), now);
    return { ok: true, principal };
  }

  /**
   * A cached success costs nothing and is never throttled, nor is a request whose user and
   * password are being checked already (it shares that check: a client sending requests in
   * parallel costs one scrypt). Anything else goes through the guard (refused before any scrypt
   * after repeated failures) and the bounded queue of checks.
   */
  private password(user: string, password: string, client: string): Promise<AuthOutcome> {
    const now = this.deps.clock.now().getTime();
    const key = createHmac('sha256', this.passwordKey).update(`${user}\0${password}`).digest('hex');
    const cached = this.passwords.get(key, now);
    if (cached) return Promise.resolve({ ok: true, principal: cached });
    const shared = this.checking.get(key);
    if (shared) return shared;
    const admission = this.guard.admit(user, client, now);
    if (!admission.ok) {
      const retryAfter = Math.max(1, Math.ceil(admission.retryAfterMs / 1000));
      return Promise.resolve({
        ok: false,
        scheme: 'basic',
        reason: admission.reason,
        throttled: true,
        retryAfter,
      });
    }
    const attempt = this.checkPassword(user, password, key, admission, now);
    this.checking.set(key, attempt);
    const done = () => this.checking.delete(key);
    attempt.then(done, done);
    return attempt;
  }

  private async checkPassword(
    user: string,
    password: string,
    key: string,
    admission: Extract<Admission, { ok: true }>,
    now: number,
  ): Promise<AuthOutcome> {
    let outcome: 'success' | 'failure' | 'unchecked' = 'unchecked';
    try {
      const record = await this.deps.repo.getUser(user);
      const stored = record?.password ?? (await decoyHash(this.deps.scrypt ?? DEFAULT_SCRYPT));
      const check = this.deps.checkPassword ?? verifyPassword;
      const match = await this.checks.run(() => check(password, stored), admission.trusted);
      if (!record || !match) {
        outcome = 'failure';
        return { ok: false, scheme: 'basic', reason: 'the user name or password is wrong' };
      }
      outcome = 'success';
      const principal: Principal = {
        name: record.name,
        scopes: scopeSet(record.scopes),
        scheme: 'basic',
        credentialId: record.name,
      };
      this.passwords.set(key, principal, now + this.deps.cacheTtlMs, now);
      return { ok: true, principal };
    } catch (error) {
      if (!(error instanceof QueueFullError)) throw error;
      return {
        ok: false,
        scheme: 'basic',
        reason: 'too many passwords are being checked; retry shortly, or use a bearer token',
        unavailable: true,
        retryAfter: BUSY_RETRY_SECONDS,
      };
    } finally {
      admission.settle(outcome, this.deps.clock.now().getTime());
    }
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
    this.jwts.set(token, principal, Math.min(outcome.expires, now + JWT_CACHE_MS), now);
    return { ok: true, principal };
  }
}
