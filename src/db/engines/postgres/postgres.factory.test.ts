/**
 * TAMS_DB=postgres through the engine factory, on a real PostgreSQL: the settings open the engine
 * on its schema, and a database that cannot serve this process for a reason of its configuration
 * (no such database, TLS it does not speak) is DbUnavailableError naming that reason: the API's
 * 503 and /ready say what to fix, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { DbUnavailableError } from '../../db.errors.ts';
import { type AnyEngineSettings, engineTopology, openEngine } from '../../engine.factory.ts';
import { TableManager } from '../../manager.ts';

const TABLE = { name: 't', columns: [{ name: 'id', type: 'string' as const }] };
const available = postgresAvailable();

describe.skipIf(!available)('openEngine with TAMS_DB=postgres', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });

  const settings = (overrides: Partial<AnyEngineSettings> = {}): AnyEngineSettings => ({
    TAMS_DB: 'postgres',
    TAMS_DATA_DIR: '/nonexistent',
    TAMS_DUCKDB_MEMORY_LIMIT: 'auto',
    TAMS_DUCKDB_THREADS: 1,
    TAMS_DUCKDB_CHECKPOINT_MB: 16,
    TAMS_POSTGRES_URL: server.url,
    TAMS_POSTGRES_SCHEMA: 'factory',
    TAMS_POSTGRES_POOL: 2,
    TAMS_POSTGRES_TLS: 'url',
    TAMS_POSTGRES_CA_FILE: '',
    TAMS_POSTGRES_CONNECT_TIMEOUT_MS: 30_000,
    ...overrides,
  });

  /** The error the first statement of an engine opened with these settings meets. */
  async function firstError(s: AnyEngineSettings): Promise<unknown> {
    const engine = await openEngine(s);
    try {
      await TableManager.open(engine, [TABLE]);
      return undefined;
    } catch (error) {
      return error;
    } finally {
      await engine.close();
    }
  }

  it('opens the shared engine on the schema the settings name, where a second opening sees the rows', async () => {
    expect(engineTopology({ TAMS_DB: 'postgres' }).ownsStore).toBe(false);
    const a = await TableManager.open(await openEngine(settings()), [TABLE]);
    const b = await TableManager.open(await openEngine(settings()), [TABLE]);
    try {
      expect(a.topology).toEqual(engineTopology({ TAMS_DB: 'postgres' }));
      await a.insert('t', [{ id: 'one' }]);
      expect(await b.select('t')).toEqual([{ id: 'one' }]);
      const other = await TableManager.open(await openEngine(settings({ TAMS_POSTGRES_SCHEMA: 'other' })), [
        TABLE,
      ]);
      expect(await other.select('t')).toEqual([]);
      await other.close();
    } finally {
      await a.close();
      await b.close();
    }
    await expect(openEngine(settings(), { memory: true })).rejects.toThrow(/no in-memory mode/);
  });

  it('names a database that does not exist', async () => {
    const error = await firstError(
      settings({ TAMS_POSTGRES_URL: server.url.replace(/\/postgres$/, '/nosuchdb') }),
    );
    expect(error).toBeInstanceOf(DbUnavailableError);
    expect((error as DbUnavailableError).reason).toMatch(
      /database named in TAMS_POSTGRES_URL does not exist/,
    );
  });

  it('names a read-only server (a standby) when the first write is refused', async () => {
    const readOnly = `${server.url}?options=${encodeURIComponent('-c default_transaction_read_only=on')}`;
    const error = await firstError(
      settings({ TAMS_POSTGRES_URL: readOnly, TAMS_POSTGRES_SCHEMA: 'standby' }),
    );
    expect(error).toBeInstanceOf(DbUnavailableError);
    expect((error as DbUnavailableError).reason).toMatch(/read-only \(a standby\?\)/);
  });

  it('names TLS the server does not speak, whether asked by setting or by the URL', async () => {
    for (const s of [
      settings({ TAMS_POSTGRES_TLS: 'verify' }),
      settings({ TAMS_POSTGRES_URL: `${server.url}?sslmode=verify-full` }),
    ]) {
      const error = await firstError(s);
      expect(error).toBeInstanceOf(DbUnavailableError);
      expect((error as DbUnavailableError).reason).toMatch(/^TLS to the server failed/);
    }
  });
});
