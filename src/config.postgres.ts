import { existsSync } from 'node:fs';
import { Type } from 'typebox';

/** The TAMS_POSTGRES_* settings (spread into the one config schema; read with TAMS_DB=postgres). */
export const postgresSettings = {
  TAMS_POSTGRES_URL: Type.String({
    default: '',
    description:
      "PostgreSQL connection URL (with `TAMS_DB=postgres`): `postgres://user:password@host:5432/database`, as libpq writes it (`sslmode` included). Parts it leaves out come from libpq's variables (`PGPASSWORD`, `PGUSER`, ...). Keep it in a secret: it may hold the password, which is never logged.",
  }),
  TAMS_POSTGRES_SCHEMA: Type.String({
    default: 'tams',
    pattern: '^[a-z_][a-z0-9_]{0,62}$',
    description:
      "Schema (namespace) of the database that holds the server's tables; the first server to start creates it and them. Several stores may share one database under different schemas.",
  }),
  TAMS_POSTGRES_POOL: Type.Integer({
    default: 10,
    minimum: 1,
    maximum: 1000,
    description:
      "Connections to PostgreSQL each server process keeps at most: reads run on any of them at once; this process's transactions take turns. Every replica counts against the server's `max_connections`.",
  }),
  TAMS_POSTGRES_TLS: Type.Union(
    [Type.Literal('url'), Type.Literal('off'), Type.Literal('verify'), Type.Literal('insecure')],
    {
      default: 'url',
      description:
        "TLS to PostgreSQL: `url`, as the URL's `sslmode` says (none without one); `verify`, TLS with the server's certificate checked (against `TAMS_POSTGRES_CA_FILE`, else the system's CAs) and its name matched; `insecure`, TLS without checking the certificate; `off`, no TLS. Any value but `url` with an `sslmode` in the URL is refused: one place decides.",
    },
  ),
  TAMS_POSTGRES_CA_FILE: Type.String({
    default: '',
    description:
      'PEM file of the CA(s) that signed the PostgreSQL server certificate (with `TAMS_POSTGRES_TLS=verify`).',
  }),
  TAMS_POSTGRES_CONNECT_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 100,
    description:
      'Longest wait for a connection to PostgreSQL (opening one, or a free one from the pool); past it the call fails and the API answers 503.',
  }),
  TAMS_POSTGRES_TX_IDLE_SECONDS: Type.Integer({
    default: 60,
    minimum: 1,
    description:
      "Longest pause of a server's write transaction between two statements; past it PostgreSQL ends the session, its row locks go to the other replicas, and the request answers 503. Catches a replica stalled mid-transaction whose connection stays up.",
  }),
};

interface PostgresConfig {
  readonly TAMS_POSTGRES_URL: string;
  readonly TAMS_POSTGRES_TLS: 'url' | 'off' | 'verify' | 'insecure';
  readonly TAMS_POSTGRES_CA_FILE: string;
}

/** The URL with its password replaced, fit for messages and logs. */
export function maskedPostgresUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:@/]*:)[^@/]*@/i, '$1***@');
}

/** What makes the PostgreSQL settings unusable (read only with TAMS_DB=postgres). */
export function postgresConfigProblems(config: PostgresConfig): string[] {
  const problems: string[] = [];
  const url = config.TAMS_POSTGRES_URL.trim();
  let parsed: URL | undefined;
  if (url === '') {
    problems.push('TAMS_POSTGRES_URL: required with TAMS_DB=postgres');
  } else {
    try {
      parsed = new URL(url);
    } catch {
      parsed = undefined;
    }
    if (!parsed || (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:')) {
      problems.push(
        `TAMS_POSTGRES_URL: ${JSON.stringify(maskedPostgresUrl(url))} is not a postgres://user:password@host:port/database URL`,
      );
      parsed = undefined;
    }
  }
  if (parsed?.searchParams.has('sslmode') && config.TAMS_POSTGRES_TLS !== 'url') {
    problems.push(
      `TAMS_POSTGRES_TLS: ${config.TAMS_POSTGRES_TLS} and an sslmode in TAMS_POSTGRES_URL: say it in one place`,
    );
  }
  if (config.TAMS_POSTGRES_CA_FILE !== '') {
    if (config.TAMS_POSTGRES_TLS !== 'verify') {
      problems.push('TAMS_POSTGRES_CA_FILE: used only with TAMS_POSTGRES_TLS=verify');
    } else if (!existsSync(config.TAMS_POSTGRES_CA_FILE)) {
      problems.push(`TAMS_POSTGRES_CA_FILE: no such file ${JSON.stringify(config.TAMS_POSTGRES_CA_FILE)}`);
    }
  }
  return problems;
}
