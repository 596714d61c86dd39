import { afterAll, beforeAll, describe } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { describeEngineContract } from '../../db.contract.ts';
import { PostgresEngine } from './postgres.engine.ts';

// One throwaway PostgreSQL for the file; each store of the contract is a schema of its own, so
// every test starts empty, and reopening a store name reopens the same schema (persistent).
const available = postgresAvailable();
let server: PostgresServer | undefined;

describe.skipIf(!available)('PostgreSQL', () => {
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.close();
  });

  describeEngineContract(
    'postgres (throwaway server)',
    async (store) => {
      if (server === undefined) throw new Error('the PostgreSQL server did not start');
      return new PostgresEngine({ url: server.url, schema: store.replace(/-/g, '_'), poolSize: 4 });
    },
    { persistent: true },
  );
});
