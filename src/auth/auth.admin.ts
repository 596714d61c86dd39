import type { Clock } from '../common/clock.ts';
import { BadRequestError, NotFoundError } from '../common/errors.ts';
import type { AuthRepo, TokenRecord, UserRecord } from '../store/auth.repo.ts';
import type { GuardsRepo } from '../store/guards.repo.ts';
import { isUserName, parseScopes, type Scope, USER_NAME_RULE } from './auth.model.ts';
import { DEFAULT_SCRYPT, hashPassword, type ScryptParams, verifyPassword } from './auth.password.ts';
import { newToken, newTokenId, tokenHash, tokenHint } from './auth.tokens.ts';

/** A user as shown to administrators (never the password hash). */
export interface UserView {
  name: string;
  scopes: string[];
  created: string;
  created_by?: string;
}

/** A token as shown to administrators (never the token, nor its hash). */
export interface TokenView {
  id: string;
  name: string;
  principal: string;
  hint: string;
  scopes: string[];
  created: string;
  created_by?: string;
  expires?: string;
  revoked?: string;
}

export interface NewToken {
  name: string;
  scopes: readonly string[];
  /** Who the token acts as (created_by of what it changes); default: its name. */
  principal?: string;
  expiresInSeconds?: number;
  createdBy?: string;
}

export const MIN_PASSWORD_LENGTH = 12;
/**
 * The longest validity of a token: 100 years (of 365.25 days), in seconds. Far past any real use,
 * and it keeps the expiry a valid date (JavaScript's end at +275760, beyond 8.64e12 s from now)
 * and within timestamp columns counted in 64-bit nanoseconds (which end in 2262).
 */
export const MAX_TOKEN_SECONDS = 3_155_760_000;

function checkName(kind: 'user' | 'token', name: string): void {
  if (!isUserName(name)) throw new BadRequestError(`The ${kind} name ${USER_NAME_RULE}.`);
}

function checkScopes(list: readonly string[]): Scope[] {
  try {
    const scopes = parseScopes(list);
    if (scopes.length === 0) throw new Error('at least one scope is needed');
    return scopes;
  } catch (error) {
    throw new BadRequestError(`Scopes: ${(error as Error).message}.`);
  }
}

function checkPassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH) {
    throw new BadRequestError(`The password must be at least ${MIN_PASSWORD_LENGTH} characters.`);
  }
}

const userView = (u: UserRecord): UserView => ({
  name: u.name,
  scopes: u.scopes,
  created: u.created.toISOString(),
  ...(u.created_by !== undefined && { created_by: u.created_by }),
});

const tokenView = (t: TokenRecord): TokenView => ({
  id: t.id,
  name: t.name,
  principal: t.principal,
  hint: t.hint,
  scopes: t.scopes,
  created: t.created.toISOString(),
  ...(t.created_by !== undefined && { created_by: t.created_by }),
  ...(t.expires !== undefined && { expires: t.expires.toISOString() }),
  ...(t.revoked !== undefined && { revoked: t.revoked.toISOString() }),
});

/**
 * Runs `fn` in one transaction of its own, again when its commit loses to another replica's
 * (TamsStore's retryConflicts), with the repository and the guard rows of that transaction.
 */
export type AuthTransaction = <T>(fn: (repo: AuthRepo, guards: GuardsRepo) => Promise<T>) => Promise<T>;

/**
 * Users and tokens management, shared by the CLI (tams-mgmt) and the admin HTTP routes.
 * `changed` runs after every change (the server's Authenticator forgets what it cached). A change
 * that checks before it writes (a name free, no one able to sign in yet) runs in one transaction
 * that claims the name it checks (guards.repo.ts), so that replicas sharing the database cannot
 * both pass the check: the second, run again, sees the first's row.
 */
export class AuthAdmin {
  constructor(
    private readonly deps: {
      repo: AuthRepo;
      transaction: AuthTransaction;
      clock: Clock;
      changed?: () => void;
      scrypt?: ScryptParams;
    },
  ) {}

  private changed(): void {
    this.deps.changed?.();
  }

  async listUsers(): Promise<UserView[]> {
    return (await this.deps.repo.listUsers()).map(userView);
  }

  async addUser(name: string, password: string, scopes: readonly string[], createdBy?: string) {
    checkName('user', name);
    checkPassword(password);
    const granted = checkScopes(scopes);
    const hash = await hashPassword(password, this.deps.scrypt ?? DEFAULT_SCRYPT);
    const user = await this.deps.transaction(async (repo, guards) => {
      await guards.claim([`user:${name}`]);
      if (await repo.getUser(name)) throw new BadRequestError(`The user "${name}" exists already.`);
      const record: UserRecord = {
        name,
        password: hash,
        scopes: granted,
        created: this.deps.clock.now(),
        created_by: createdBy,
      };
      await repo.insertUser(record);
      return record;
    });
    this.changed();
    return userView(user);
  }

  async setPassword(name: string, password: string): Promise<void> {
    checkPassword(password);
    const hash = await hashPassword(password, this.deps.scrypt ?? DEFAULT_SCRYPT);
    if (!(await this.deps.repo.setPassword(name, hash))) throw new NotFoundError(`No user "${name}".`);
    this.changed();
  }

  /** Removes the user and revokes the tokens acting as it; returns how many were revoked. */
  async removeUser(name: string): Promise<number> {
    const revoked = await this.deps.transaction(async (repo) => {
      if (!(await repo.deleteUser(name))) throw new NotFoundError(`No user "${name}".`);
      return repo.revokeTokensOf(name, this.deps.clock.now());
    });
    this.changed();
    return revoked;
  }

  async listTokens(): Promise<TokenView[]> {
    return (await this.deps.repo.listTokens()).map(tokenView);
  }

  /** Issues a token; the value is returned here once and never stored. */
  async createToken(spec: NewToken, value = newToken()): Promise<{ token: string; info: TokenView }> {
    const record = this.tokenRecord(spec, value);
    await this.deps.transaction((repo, guards) => this.insertToken(repo, guards, record));
    this.changed();
    return { token: value, info: tokenView(record) };
  }

  /** The checked record of a new token (no I/O). */
  private tokenRecord(spec: NewToken, value: string): TokenRecord {
    checkName('token', spec.name);
    const principal = spec.principal ?? spec.name;
    checkName('user', principal);
    const scopes = checkScopes(spec.scopes);
    const seconds = spec.expiresInSeconds;
    if (
      seconds !== undefined &&
      !(Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_TOKEN_SECONDS)
    ) {
      throw new BadRequestError(
        `A token's validity (expires_in) is whole seconds from 1 to ${MAX_TOKEN_SECONDS}, at most 100 years; got ${seconds}.`,
      );
    }
    const now = this.deps.clock.now();
    return {
      id: newTokenId(),
      name: spec.name,
      principal,
      hash: tokenHash(value),
      hint: tokenHint(value),
      scopes,
      created: now,
      created_by: spec.createdBy,
      expires:
        spec.expiresInSeconds === undefined
          ? undefined
          : new Date(now.getTime() + spec.expiresInSeconds * 1000),
    };
  }

  /** Inserts a token unless an active one has its name, in the caller's transaction. */
  private async insertToken(repo: AuthRepo, guards: GuardsRepo, record: TokenRecord): Promise<void> {
    await guards.claim([`token:${record.name}`]);
    if ((await active(repo)).some((t) => t.name === record.name)) {
      throw new BadRequestError(`A token named "${record.name}" exists already (revoke it first).`);
    }
    await repo.insertToken(record);
  }

  /** Revokes the active token with this id, or else the one with this name. */
  async revokeToken(idOrName: string): Promise<TokenView> {
    const active = await this.active();
    const token = active.find((t) => t.id === idOrName) ?? active.find((t) => t.name === idOrName);
    if (!token) throw new NotFoundError(`No active token with id or name "${idOrName}".`);
    const now = this.deps.clock.now();
    await this.deps.repo.revokeToken(token.id, now);
    this.changed();
    return tokenView({ ...token, revoked: now });
  }

  /** Whether no one can authenticate yet: no users and no unrevoked tokens. */
  async isEmpty(): Promise<boolean> {
    return isEmpty(this.deps.repo);
  }

  /**
   * Issues the first token of a store no one can sign in to yet, or nothing when someone can:
   * of replicas starting together on an empty store, one issues it (the check and the insert in
   * one transaction, with a claim they all make).
   */
  async createFirstToken(spec: NewToken): Promise<{ token: string; info: TokenView } | undefined> {
    const value = newToken();
    const record = this.tokenRecord(spec, value);
    const created = await this.deps.transaction(async (repo, guards) => {
      await guards.claim(['auth:first-credential']);
      if (!(await isEmpty(repo))) return false;
      await this.insertToken(repo, guards, record);
      return true;
    });
    if (!created) return undefined;
    this.changed();
    return { token: value, info: tokenView(record) };
  }

  /**
   * Registers `value` as the token named `spec.name`, revoking the one it replaces (a rotated
   * secret). A known value stays as it is, revoked included: restarting with the same bootstrap
   * secret must not undo a revocation.
   */
  async ensureToken(value: string, spec: NewToken): Promise<'created' | 'replaced' | 'present' | 'revoked'> {
    const record = this.tokenRecord(spec, value);
    const outcome = await this.deps.transaction(async (repo, guards) => {
      // Replicas starting together with one bootstrap secret register it once.
      await guards.claim([`token:${spec.name}`]);
      const known = await repo.tokenByHash(record.hash);
      if (known) return known.revoked ? 'revoked' : 'present';
      const previous = (await active(repo)).filter((t) => t.name === spec.name);
      for (const t of previous) await repo.revokeToken(t.id, this.deps.clock.now());
      await this.insertToken(repo, guards, record);
      return previous.length > 0 ? 'replaced' : 'created';
    });
    if (outcome === 'created' || outcome === 'replaced') this.changed();
    return outcome;
  }

  /** Creates the user if missing; otherwise sets its password if it differs. */
  async ensureUser(
    name: string,
    password: string,
    scopes: readonly string[],
  ): Promise<'created' | 'present' | 'updated'> {
    const user = await this.deps.repo.getUser(name);
    if (!user) {
      try {
        await this.addUser(name, password, scopes, 'bootstrap');
        return 'created';
      } catch (error) {
        // Another replica starting with the same variables added it first: check it as found.
        if (!(error instanceof BadRequestError) || !(await this.deps.repo.getUser(name))) throw error;
        return this.ensureUser(name, password, scopes);
      }
    }
    if (await verifyPassword(password, user.password)) return 'present';
    await this.setPassword(name, password);
    return 'updated';
  }

  private active(): Promise<TokenRecord[]> {
    return active(this.deps.repo);
  }
}

async function active(repo: AuthRepo): Promise<TokenRecord[]> {
  return (await repo.listTokens()).filter((t) => t.revoked === undefined);
}

async function isEmpty(repo: AuthRepo): Promise<boolean> {
  return (await repo.countUsers()) === 0 && (await repo.countActiveTokens()) === 0;
}
