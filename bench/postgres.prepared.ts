/**
 * `node --import tsx bench/postgres.prepared.ts [--flows 100] [--per-flow 1000] [--runs 400]`:
 * the store's hot reads on the PostgreSQL engine's SQL, sent unnamed (parsed and planned at every
 * call, what the engine does) and as named prepared statements (parsed once per connection;
 * PostgreSQL may then plan once for all values), on one connection of a throwaway server, in
 * alternating rounds; named ones also with the plan cache held to custom plans (planned for each
 * call's values: parsing saved, planning not). Prints µs per query (median) each way and how often
 * the named statement ran a generic plan (planned once for all values) or a custom one.
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadTable } from '../src/db/engines/postgres/postgres.catalog.ts';
import { PostgresEngine } from '../src/db/engines/postgres/postgres.engine.ts';
import { Params, type PgTable, POSTGRES_SQL } from '../src/db/engines/postgres/postgres.sql.ts';
import { TYPES } from '../src/db/engines/postgres/postgres.values.ts';
import { TableManager } from '../src/db/manager.ts';
import { storeTables } from '../src/store/tables.ts';
import { startPostgres } from '../tools/postgres/postgres.server.ts';
import { loadStore, percentile, type QueryCase, queryCases } from './postgres.dataset.ts';

const { values: args } = parseArgs({
  options: {
    flows: { type: 'string', default: '100' },
    'per-flow': { type: 'string', default: '1000' },
    runs: { type: 'string', default: '400' },
  },
});
const shape = { flows: Number(args.flows), perFlow: Number(args['per-flow']) };
const RUNS = Number(args.runs);
const ROUNDS = 8;
const SCHEMA = 'bench';
const log = (line: string) => process.stdout.write(`${line}\n`);

/** Hot reads only: the writes' statements differ by their column lists and are sent rarely each. */
const HOT = /^(segment page|overlap check|objects by id|object refs|outbox read|guard row)/;

const server = await startPostgres();
const engine = new PostgresEngine({ url: server.url, schema: SCHEMA, poolSize: 2 });
const client = new pg.Client({ connectionString: server.url, types: TYPES });

async function main(): Promise<void> {
  try {
    await client.connect();
    await TableManager.open(engine, storeTables);
    const objectIds = await loadStore(engine, shape, log);
    await client.query('ANALYZE');
    log(
      `${shape.flows * shape.perFlow} segments; ${ROUNDS} rounds of ${RUNS / ROUNDS} calls each way per query\n`,
    );
    log(`| query | ${WAYS.map((w) => `${w.label} (µs, median)`).join(' | ')} | plans of the named |`);
    log('|---|---|---|---|---|');
    for (const c of queryCases(shape, objectIds).filter((q) => HOT.test(q.name))) await compare(c);
  } finally {
    await client.end().catch(() => undefined);
    await engine.close();
    await server.close();
  }
}

const tables = new Map<string, PgTable>();

/** The statement the engine sends for one run of the case, and its values. */
async function statement(c: QueryCase): Promise<{ text: string; values: unknown[] }> {
  const meta = tables.get(c.table) ?? (await loadTable(client, SCHEMA, c.table));
  if (meta === null) throw new Error(`no table ${c.table}`);
  tables.set(c.table, meta);
  const options = c.options();
  const p = new Params();
  const text = POSTGRES_SQL.select(p, meta, options.columns ?? [...meta.types.keys()], options);
  return { text, values: p.values };
}

/** How a run is sent: unnamed, or named with PostgreSQL's plan cache left to choose or held to custom plans. */
const WAYS = [
  { label: 'unnamed', named: false, mode: 'auto' },
  { label: 'named', named: true, mode: 'auto' },
  { label: 'named, custom plans', named: true, mode: 'force_custom_plan' },
] as const;

async function compare(c: QueryCase): Promise<void> {
  const ms = WAYS.map(() => [] as number[]);
  const per = Math.max(1, Math.floor(RUNS / ROUNDS));
  let name = '';
  for (let round = 0; round < ROUNDS; round++) {
    for (const [w, way] of WAYS.entries()) {
      await client.query(`SET plan_cache_mode = ${way.mode}`);
      for (let i = 0; i < per; i++) {
        const { text, values } = await statement(c);
        name = `tams_${createHash('sha256').update(text).digest('hex').slice(0, 16)}`;
        const t = performance.now();
        await client.query(way.named ? { name, text, values } : { text, values });
        ms[w]?.push((performance.now() - t) * 1000);
      }
    }
  }
  await client.query('RESET plan_cache_mode');
  const { rows } = await client.query(
    'SELECT generic_plans::int AS generic, custom_plans::int AS custom FROM pg_prepared_statements WHERE name = $1',
    [name],
  );
  const plans = rows[0] as { generic: number; custom: number } | undefined;
  const medians = ms.map((list) =>
    percentile(
      [...list].sort((a, b) => a - b),
      50,
    ),
  );
  const base = medians[0] ?? 1;
  const cells = medians.map((m, i) =>
    i === 0 ? m.toFixed(0) : `${m.toFixed(0)} (${(m / base).toFixed(2)})`,
  );
  log(`| ${c.name} | ${cells.join(' | ')} | ${plans?.generic ?? 0} generic, ${plans?.custom ?? 0} custom |`);
}

await main();
