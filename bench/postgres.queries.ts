/**
 * `node --import tsx bench/postgres.queries.ts [--flows 100] [--per-flow 10000]`: the store's hot
 * queries on the PostgreSQL engine over a throwaway server, on tables the size of a busy store
 * (1M segments in 100 Flows, written interleaved as live ingest writes them; 1M objects, refs and
 * events), first without the tables' declared indexes (TableDef.indexes), then with them. Prints
 * ms per query (median and p90 of sequential runs through the engine, round trip included), the
 * plan PostgreSQL chose for each, and the cost of writing segments with and without the indexes.
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import { newObjectId } from '../src/common/object-ids.ts';
import type { SelectOptions, TableDef } from '../src/db/db.types.ts';
import { loadTable } from '../src/db/engines/postgres/postgres.catalog.ts';
import { PostgresEngine } from '../src/db/engines/postgres/postgres.engine.ts';
import { Params, POSTGRES_SQL } from '../src/db/engines/postgres/postgres.sql.ts';
import { TableManager } from '../src/db/manager.ts';
import { storeTables, T } from '../src/store/tables.ts';
import { startPostgres } from '../tools/postgres/postgres.server.ts';
import {
  flowIds,
  loadStore,
  percentile,
  pick,
  type QueryCase,
  queryCases,
  SECOND,
  segmentRow,
} from './postgres.dataset.ts';

const { values: args } = parseArgs({
  options: {
    flows: { type: 'string', default: '100' },
    'per-flow': { type: 'string', default: '10000' },
  },
});
const FLOWS = Number(args.flows);
const PER_FLOW = Number(args['per-flow']);
const SCHEMA = 'bench';
const log = (line: string) => process.stdout.write(`${line}\n`);

const server = await startPostgres();
const engine = new PostgresEngine({ url: server.url, schema: SCHEMA, poolSize: 4 });
const client = new pg.Client({ connectionString: server.url });

async function main(): Promise<void> {
  try {
    await client.connect();
    const bare = storeTables.map((d): TableDef => ({ name: d.name, columns: d.columns }));
    await TableManager.open(engine, bare);
    const shape = { flows: FLOWS, perFlow: PER_FLOW };
    const flows = flowIds(shape);
    const objectIds = await loadStore(engine, shape, log);
    await client.query('ANALYZE');
    const cases = queryCases(shape, objectIds);
    log(`\n${FLOWS * PER_FLOW} segments in ${FLOWS} Flows; without the declared indexes:`);
    const before = await measure(cases, 20);
    const writesBefore = await writeCost(flows, 0);
    const t = performance.now();
    await TableManager.open(engine, storeTables);
    await client.query('ANALYZE');
    log(`\nindexes built in ${((performance.now() - t) / 1000).toFixed(1)} s; with them:`);
    const after = await measure(cases, 200);
    const writesAfter = await writeCost(flows, 1);
    log('\n| query | without (ms, median / p90) | with (ms, median / p90) | plan with |');
    log('|---|---|---|---|');
    for (const c of cases) {
      const b = before.get(c.name);
      const a = after.get(c.name);
      log(
        `| ${c.name} | ${b?.median.toFixed(2)} / ${b?.p90.toFixed(2)} | ${a?.median.toFixed(3)} / ${a?.p90.toFixed(3)} | ${a?.plan} |`,
      );
    }
    for (const [label, w] of [
      ['without', writesBefore],
      ['with', writesAfter],
    ] as const) {
      log(
        `segment writes ${label} indexes: ${w.bulk.toFixed(1)} ms per 1,000-row insert, ${w.single.toFixed(2)} ms per 1-row insert`,
      );
    }
  } finally {
    await client.end().catch(() => undefined);
    await engine.close();
    await server.close();
  }
}

interface Measured {
  median: number;
  p90: number;
  plan: string;
}

/** Each case `runs` times in sequence through the engine, and its plan for one run. */
async function measure(cases: readonly QueryCase[], runs: number): Promise<Map<string, Measured>> {
  const results = new Map<string, Measured>();
  for (const c of cases) {
    for (let i = 0; i < 3; i++) await engine.session.select(c.table, c.options());
    const ms: number[] = [];
    for (let i = 0; i < runs; i++) {
      const options = c.options();
      const t = performance.now();
      await engine.session.select(c.table, options);
      ms.push(performance.now() - t);
    }
    ms.sort((a, b) => a - b);
    const plan = await planOf(c.table, c.options());
    const m = { median: percentile(ms, 50), p90: percentile(ms, 90), plan };
    results.set(c.name, m);
    log(`  ${c.name}: ${m.median.toFixed(3)} ms median, ${m.p90.toFixed(3)} ms p90 — ${plan}`);
  }
  return results;
}

/** The plan's nodes, outermost first, with the index each scan used. */
async function planOf(table: string, options: SelectOptions): Promise<string> {
  const meta = await loadTable(client, SCHEMA, table);
  if (meta === null) throw new Error(`no table ${table}`);
  const p = new Params();
  const sql = POSTGRES_SQL.select(p, meta, options.columns ?? [...meta.types.keys()], options);
  const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, p.values);
  const nodes: string[] = [];
  type PlanNode = { 'Node Type': string; 'Index Name'?: string; Plans?: PlanNode[] };
  const walk = (node: PlanNode) => {
    nodes.push(node['Index Name'] ? `${node['Node Type']} (${node['Index Name']})` : node['Node Type']);
    for (const child of node.Plans ?? []) walk(child);
  };
  const [top] = (rows[0]?.['QUERY PLAN'] ?? []) as { Plan: PlanNode }[];
  if (top !== undefined) walk(top.Plan);
  return nodes.join(' > ');
}

/** ms per 1,000-segment insert and per one-segment insert, appended to the Flows. */
async function writeCost(
  flowIds: readonly string[],
  round: number,
): Promise<{ bulk: number; single: number }> {
  const base = BigInt(PER_FLOW + 1 + round * 20_000) * SECOND;
  const bulk: number[] = [];
  for (let b = 0; b < 10; b++) {
    const rows = Array.from({ length: 1000 }, (_, i) =>
      segmentRow(pick(flowIds), base + BigInt(b * 1000 + i) * SECOND, newObjectId()),
    );
    const t = performance.now();
    await engine.session.insert(T.segments, rows);
    bulk.push(performance.now() - t);
  }
  const single: number[] = [];
  for (let i = 0; i < 200; i++) {
    const row = segmentRow(pick(flowIds), base + BigInt(10_000 + i) * SECOND, newObjectId());
    const t = performance.now();
    await engine.session.insert(T.segments, [row]);
    single.push(performance.now() - t);
  }
  const median = (xs: number[]) =>
    percentile(
      [...xs].sort((a, b) => a - b),
      50,
    );
  return { bulk: median(bulk), single: median(single) };
}

await main();
