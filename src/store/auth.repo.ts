import type { DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import { date, reqStr, str } from './rows.ts';
import { T } from './tables.ts';

export interface UserRecord {
  name: string;
  /** PHC string: `$scrypt$ln=…,r=…,p=…$salt$hash` (src/auth/auth.password.ts). */
  password: string;
  scopes: string[];
  created: Date;
  created_by?: string;
}

export interface TokenRecord {
  id: string;
  name: string;
  /** Who the token acts as: `created_by`/`updated_by` of what it changes. */
  principal: string;
  /** SHA-256 of the token, hex. The token itself is never stored. */
  hash: string;
  hint: string;
  scopes: string[];
  created: Date;
  created_by?: string;
  expires?: Date;
  revoked?: Date;
}

/** What a user's or token's record grants, without its secrets (src/auth/auth.grants.ts). */
export interface GrantRecords {
  users: { name: string; scopes: string[] }[];
  tokens: Pick<TokenRecord, 'id' | 'principal' | 'scopes' | 'expires' | 'revoked'>[];
}

/** Users (HTTP Basic) and API tokens, for src/auth. */
export class AuthRepo {
  constructor(private readonly db: DbSession) {}

  async getUser(name: string): Promise<UserRecord | null> {
    const [row] = await this.db.select(T.users, { where: and(col('name').eq(name)), limit: 1 });
    return row ? userFromRow(row) : null;
  }

  async listUsers(): Promise<UserRecord[]> {
    const rows = await this.db.select(T.users, { orderBy: [{ column: 'name' }] });
    return rows.map(userFromRow);
  }

  async insertUser(user: UserRecord): Promise<void> {
    await this.db.insert(T.users, [
      {
        name: user.name,
        password: user.password,
        scopes: user.scopes,
        created: user.created,
        created_by: user.created_by ?? null,
      },
    ]);
  }

  async setPassword(name: string, password: string): Promise<boolean> {
    return (await this.db.update(T.users, and(col('name').eq(name)), { password })) > 0;
  }

  async deleteUser(name: string): Promise<boolean> {
    return (await this.db.delete(T.users, and(col('name').eq(name)))) > 0;
  }

  async countUsers(): Promise<number> {
    return this.db.count(T.users);
  }

  /** The token with this hash, revoked or not. */
  async tokenByHash(hash: string): Promise<TokenRecord | null> {
    const [row] = await this.db.select(T.tokens, { where: and(col('hash').eq(hash)), limit: 1 });
    return row ? tokenFromRow(row) : null;
  }

  async listTokens(): Promise<TokenRecord[]> {
    const rows = await this.db.select(T.tokens, { orderBy: [{ column: 'created' }, { column: 'id' }] });
    return rows.map(tokenFromRow);
  }

  async insertToken(token: TokenRecord): Promise<void> {
    await this.db.insert(T.tokens, [
      {
        id: token.id,
        name: token.name,
        principal: token.principal,
        hash: token.hash,
        hint: token.hint,
        scopes: token.scopes,
        created: token.created,
        created_by: token.created_by ?? null,
        expires: token.expires ?? null,
        revoked: token.revoked ?? null,
      },
    ]);
  }

  /** Marks unrevoked tokens with this id as revoked; returns how many. */
  async revokeToken(id: string, when: Date): Promise<number> {
    return this.db.update(T.tokens, and(col('id').eq(id), col('revoked').isNull()), { revoked: when });
  }

  /** Revokes every unrevoked token acting as `principal`; returns how many. */
  async revokeTokensOf(principal: string, when: Date): Promise<number> {
    return this.db.update(T.tokens, and(col('principal').eq(principal), col('revoked').isNull()), {
      revoked: when,
    });
  }

  /** Every user's and token's scopes, validity and principal; never a password or token hash. */
  async grants(): Promise<GrantRecords> {
    const users = await this.db.select(T.users, { columns: ['name', 'scopes'] });
    const tokens = await this.db.select(T.tokens, {
      columns: ['id', 'principal', 'scopes', 'expires', 'revoked'],
    });
    return {
      users: users.map((r) => ({ name: reqStr(r, 'name'), scopes: scopesOf(r) })),
      tokens: tokens.map((r) => ({
        id: reqStr(r, 'id'),
        principal: reqStr(r, 'principal'),
        scopes: scopesOf(r),
        expires: date(r, 'expires'),
        revoked: date(r, 'revoked'),
      })),
    };
  }

  async countActiveTokens(): Promise<number> {
    return this.db.count(T.tokens, and(col('revoked').isNull()));
  }
}

function scopesOf(row: Row): string[] {
  const v = row.scopes;
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];
}

function userFromRow(row: Row): UserRecord {
  return {
    name: reqStr(row, 'name'),
    password: reqStr(row, 'password'),
    scopes: scopesOf(row),
    created: date(row, 'created') ?? new Date(0),
    created_by: str(row, 'created_by'),
  };
}

function tokenFromRow(row: Row): TokenRecord {
  return {
    id: reqStr(row, 'id'),
    name: reqStr(row, 'name'),
    principal: reqStr(row, 'principal'),
    hash: reqStr(row, 'hash'),
    hint: reqStr(row, 'hint'),
    scopes: scopesOf(row),
    created: date(row, 'created') ?? new Date(0),
    created_by: str(row, 'created_by'),
    expires: date(row, 'expires'),
    revoked: date(row, 'revoked'),
  };
}
