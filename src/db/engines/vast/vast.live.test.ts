/**
 * The engine contract against a real VAST cluster, run only when the TAMS_VAST_TEST_* variables
 * name one (skipped otherwise, and reported as skipped):
 *
 *   TAMS_VAST_TEST_ENDPOINTS, TAMS_VAST_TEST_ACCESS_KEY, TAMS_VAST_TEST_SECRET_KEY,
 *   TAMS_VAST_TEST_BUCKET (a database the key may write), and optionally TAMS_VAST_TEST_REGION,
 *   TAMS_VAST_TEST_CA_FILE, TAMS_VAST_TEST_TLS_INSECURE.
 *
 *   TAMS_VAST_TEST_ENDPOINTS=https://vip.vast.example.com ... npx vitest run src/db/engines/vast/vast.live.test.ts
 *
 * Each store of the contract is a scratch schema `tams_live_<run>_<store>`, dropped with its
 * tables at the end. The variables are parsed by the server's own configuration (loadConfig), so
 * a setting the server would refuse fails here the same way.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, describe } from 'vitest';
import { loadConfig } from '../../../config.ts';
import { describeEngineContract } from '../../db.contract.ts';
import type { Engine } from '../../db.types.ts';
import { VastTransport } from './transport/transport.client.ts';
import { vastTransportOptions } from './transport/transport.config.ts';
import { VastHttpError } from './transport/transport.errors.ts';
import { VastApi } from './vast.api.ts';
import { describeConflictRules } from './vast.conflicts.contract.ts';
import { createVastEngine } from './vast.engine.ts';
import { inTransaction, realEngineTimers } from './vast.tx.ts';

const PREFIX = 'TAMS_VAST_TEST_';
const REQUIRED = ['ENDPOINTS', 'ACCESS_KEY', 'SECRET_KEY', 'BUCKET'].map((k) => `${PREFIX}${k}`);
const missing = REQUIRED.filter((name) => !process.env[name]);

function liveConfig() {
  const env: Record<string, string> = { TAMS_DB: 'vast' };
  for (const [name, value] of Object.entries(process.env)) {
    if (name.startsWith(PREFIX) && value !== undefined) {
      env[`TAMS_VAST_${name.slice(PREFIX.length)}`] = value;
    }
  }
  return loadConfig(env);
}

const run = randomBytes(3).toString('hex');
const schemas = new Set<string>();
const engines: Engine[] = [];

describe.skipIf(missing.length > 0)(
  `live VAST cluster${missing.length > 0 ? ` (skipped: set ${missing.join(', ')})` : ''}`,
  () => {
    const config = missing.length > 0 ? undefined : liveConfig();

    /** An engine on a scratch schema of this run, dropped at the end. */
    const scratch = (name: string): Engine => {
      if (!config) throw new Error('unreachable: the suite is skipped without its settings');
      const schema = `tams_live_${run}_${name.replace(/[^a-z0-9_]/gi, '_')}`;
      schemas.add(schema);
      const engine = createVastEngine({
        transport: new VastTransport(vastTransportOptions(config)),
        bucket: config.TAMS_VAST_BUCKET,
        schema,
      });
      engines.push(engine);
      return engine;
    };

    describeEngineContract('vast (live cluster)', async (store) => scratch(store), { persistent: true });

    // What the replicas' design assumes of the cluster's transactions (docs/replicas.md).
    describeConflictRules('live cluster', scratch);

    afterAll(async () => {
      if (!config) return;
      await Promise.allSettled(engines.map((e) => e.close()));
      // The scratch schemas go with their tables: a cluster shared with others keeps nothing.
      for (const schema of schemas) {
        const engine = createVastEngine({
          transport: new VastTransport(vastTransportOptions(config)),
          bucket: config.TAMS_VAST_BUCKET,
          schema,
        });
        for (const table of await engine.listTables()) await engine.dropTable(table);
        await engine.close();
        const api = new VastApi(
          new VastTransport(vastTransportOptions(config)),
          config.TAMS_VAST_BUCKET,
          schema,
        );
        // A store whose test made no table never made its schema either.
        await inTransaction(api, realEngineTimers, 60_000, (tx) =>
          api.request({ method: 'DELETE', table: '', query: [['schema']], txid: tx.txid }),
        ).catch((e: unknown) => {
          if (!(e instanceof VastHttpError && e.missing === 'schema')) throw e;
        });
        api.close();
      }
    });
  },
);
