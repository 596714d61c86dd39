import type { Clock } from '../common/clock.ts';
import type { DbSession } from '../db/db.types.ts';
import type { Topology } from '../db/topology.ts';
import { AuthRepo } from '../store/auth.repo.ts';
import { GuardsRepo } from '../store/guards.repo.ts';
import { retryConflicts } from '../store/store.retry.ts';
import { AuthAdmin, type AuthTransaction } from './auth.admin.ts';
import type { ScopeMap } from './auth.appnote.ts';
import { type BootstrapLog, bootstrapAuth } from './auth.bootstrap.ts';
import type { AuthServerConfig } from './auth.config.ts';
import { CredentialGrants } from './auth.grants.ts';
import { JwtVerifier, jwtSettings } from './auth.jwt.ts';
import { type ScryptParams, verifyPassword } from './auth.password.ts';
import { Authenticator, type PasswordCheck } from './auth.service.ts';

/** Authentication as the app uses it; built once by the composition root. */
export interface AuthModule {
  mode: 'required' | 'none';
  /** Which scopes each route needs (TAMS_AUTH_SCOPE_MAP; auth.appnote.ts). */
  scopeMap: ScopeMap;
  authenticator: Authenticator;
  admin: AuthAdmin;
  /** Whether recorded credentials (webhook owners, open event streams) still grant read. */
  grants: CredentialGrants;
  /** First credentials (bootstrap variables, or a generated admin token); run when the app is ready. */
  bootstrap(log: BootstrapLog): Promise<void>;
}

export interface AuthOptions {
  clock: Clock;
  /** Who uses the database: where tables can be cached, credentials are kept until a change. */
  topology: Topology;
  /** Where the generated first admin token is shown (default stderr). */
  announce?: (text: string) => void;
  testing?: AuthTesting;
}

/** For tests: cheaper scrypt for the passwords set, and a wrapper around each check (counting, holding). */
export interface AuthTesting {
  scrypt?: ScryptParams;
  checkPassword?: (check: PasswordCheck) => PasswordCheck;
}

/** The database as auth needs it: reads, and transactions for changes that check first. */
export interface AuthDb extends DbSession {
  transaction<T>(fn: (tx: DbSession) => Promise<T>): Promise<T>;
}

export function createAuth(config: AuthServerConfig, db: AuthDb, options: AuthOptions): AuthModule {
  const repo = new AuthRepo(db);
  const transaction: AuthTransaction = (fn) =>
    retryConflicts(() => db.transaction((tx) => fn(new AuthRepo(tx), new GuardsRepo(tx))));
  const jwt = jwtSettings(config);
  const cacheTtlMs = options.topology.canCacheTables
    ? Number.POSITIVE_INFINITY
    : config.TAMS_AUTH_CACHE_SECONDS * 1000;
  const testing = options.testing;
  const authenticator = new Authenticator({
    repo,
    clock: options.clock,
    jwt: jwt ? new JwtVerifier(jwt) : undefined,
    cacheTtlMs,
    passwords: {
      checks: config.TAMS_AUTH_PASSWORD_CHECKS,
      clientFailures: config.TAMS_AUTH_CLIENT_FAILURES,
      userFailures: config.TAMS_AUTH_USER_FAILURES,
    },
    scrypt: testing?.scrypt,
    checkPassword: testing?.checkPassword?.(verifyPassword),
  });
  const grants = new CredentialGrants({ repo, clock: options.clock, ttlMs: cacheTtlMs });
  const changed = () => {
    authenticator.forget();
    grants.forget();
  };
  const admin = new AuthAdmin({ repo, transaction, clock: options.clock, changed, scrypt: testing?.scrypt });
  return {
    mode: config.TAMS_AUTH,
    scopeMap: config.TAMS_AUTH_SCOPE_MAP,
    authenticator,
    admin,
    grants,
    bootstrap: (log) => bootstrapAuth(admin, config, log, options.announce),
  };
}
