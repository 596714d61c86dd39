/**
 * Servers starting together on a new PostgreSQL schema: each creates the schema and the tables it
 * does not find, at the same moment as the others. Three engines (three servers' pools) evolving
 * one empty schema at once must all succeed, and every table must end with every column.
 * PostgreSQL's `IF NOT EXISTS` does not make two such creations safe (the second can fail on the
 * catalog's unique index, 23505), and a table read half-way through another's creation must not
 * look like a table without columns.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import type { TableDef } from '../../db.types.ts';
import { evolveSchema } from '../../manager.schema.ts';
import { PostgresEngine } from './postgres.engine.ts';

/** Enough tables that the three creations interleave (a store has about forty). */
const TABLES: TableDef[] = Array.from({ length: 30 }, (_, n) => ({
  name: `t${n}`,
  columns: [
    { name: 'id', type: 'string', nullable: false },
    { name: 'n', type: 'int64', nullable: false },
    { name: 'note', type: 'string' },
  ],
  lookups: ['n'],
}));

const available = postgresAvailable();

describe.skipIf(!available)('PostgreSQL engines creating one new schema at once', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('all succeed, and each table has every column', async () => {
    for (let round = 0; round < 5; round++) {
      const schema = `together_${round}`;
      const engines = [0, 1, 2].map(() => new PostgresEngine({ url: server.url, schema }));
      try {
        const outcomes = await Promise.allSettled(engines.map((engine) => evolveSchema(engine, TABLES)));
        expect(
          outcomes.flatMap((o) => (o.status === 'rejected' ? [String(o.reason)] : [])),
          `round ${round}`,
        ).toEqual([]);
        for (const def of TABLES) {
          const info = await (engines[0] as PostgresEngine).describeTable(def.name);
          expect(info?.columns.map((c) => c.name)).toEqual(['id', 'n', 'note']);
        }
      } finally {
        for (const engine of engines) await engine.close();
      }
    }
  });
});
