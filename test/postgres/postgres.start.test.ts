/**
 * Two tams-server processes starting together on an empty PostgreSQL schema: both create the
 * schema and its tables, run the migrations and add the guard rows at the same moment. Each
 * process reaches the database through a gate of its own (test/helpers/tcp.gate.ts) that holds
 * its first connection until both have arrived, so they go on from the same moment however far
 * apart their starts (seconds, through tsx) put them; from there they do the same steps.
 */
import { describe, expect, it } from 'vitest';
import { storeMigrations } from '../../src/store/migrations/migrations.list.ts';
import { T } from '../../src/store/tables.ts';
import { postgresAvailable, startPostgres } from '../../tools/postgres/postgres.server.ts';
import { killChild } from '../helpers/children.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { tempDir } from '../helpers/server.ts';
import { type Gate, startGate } from '../helpers/tcp.gate.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { query } from './pg.probe.ts';

const available = postgresAvailable();

describe.skipIf(!available)('two server processes starting together on an empty PostgreSQL schema', () => {
  it(
    'both come up and are ready, each migration applied once',
    async () => {
      const ROUNDS = 2;
      const server = await startPostgres();
      const media = tempDir('tams-pg-start-media-');
      const gates: Gate[] = [];
      const started: ChildServer[] = [];
      try {
        for (let round = 0; round < ROUNDS; round++) {
          const schema = `fresh_${round}`;
          const pair = [await startGate({ host: '127.0.0.1', port: server.port })];
          pair.push(await startGate({ host: '127.0.0.1', port: server.port }));
          gates.push(...pair);
          const starting = pair.map((gate) =>
            spawnServer({
              TAMS_DB: 'postgres',
              TAMS_POSTGRES_URL: `postgres://postgres@127.0.0.1:${gate.port}/postgres`,
              TAMS_POSTGRES_SCHEMA: schema,
              // Held at the gate until the other arrives, which may take as long as a start.
              TAMS_POSTGRES_CONNECT_TIMEOUT_MS: '120000',
              TAMS_MEDIA_DIR: media.path,
              // Every wing on: their tables are created at the same moment too. No embedding
              // model: its load is CPU, not tables.
              TAMS_SEARCH_EMBEDDINGS: 'none',
            }),
          );
          for (const s of starting)
            void s.then(
              (child) => started.push(child),
              () => undefined,
            );
          await expect.poll(() => pair.every((gate) => gate.arrived() > 0), { interval: 20 }).toBe(true);
          for (const gate of pair) gate.open();
          const outcomes = await Promise.allSettled(starting);
          expect(
            outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : [])),
            `round ${round}: servers that failed to start`,
          ).toEqual([]);
          const backends: unknown[] = [];
          for (const o of outcomes) {
            const child = (o as PromiseFulfilledResult<ChildServer>).value;
            const ready = await fetch(`${child.url}/ready`);
            expect(ready.status, await ready.text()).toBe(200);
            backends.push(await (await fetch(`${child.url}/service/storage-backends`)).json());
          }
          // One media store id (and signing key) generated, the one both serve.
          expect(backends[0]).toEqual(backends[1]);
          const applied = await query<{ id: string }>(
            server.url,
            `SELECT id::text AS id FROM "${schema}"."schema_migrations" ORDER BY id`,
          );
          expect(
            applied.map((r) => Number(r.id)),
            'each migration recorded once',
          ).toEqual(storeMigrations.map((m) => m.id));
          // The guard rows are there (each key once, or once per server that added it first).
          const keys = await query<{ keys: number; rows: number }>(
            server.url,
            `SELECT count(DISTINCT key)::int AS keys, count(*)::int AS rows FROM "${schema}"."${T.guards}"`,
          );
          expect(keys[0]?.keys).toBeGreaterThan(1024);
          for (const child of started.splice(0)) await killChild(child.process, 'SIGTERM');
        }
      } finally {
        await Promise.all(started.map((child) => killChild(child.process)));
        for (const gate of gates) await gate.close();
        await server.close();
        media.remove();
      }
    },
    SLOW_TEST_MS,
  );
});
