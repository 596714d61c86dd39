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
import type { Row, SelectOptions, TableDef } from '../src/db/db.types.ts';
import { loadTable } from '../src/db/engines/postgres/postgres.catalog.ts';
import { PostgresEngine } from '../src/db/engines/postgres/postgres.engine.ts';
import { Params, selectSql } from '../src/db/engines/postgres/postgres.sql.ts';
import { TableManager } from '../src/db/manager.ts';
import { and, col } from '../src/db/predicate.ts';
import { storeTables, T } from '../src/store/tables.ts';
import { startPostgres } from '../tools/postgres/postgres.server.ts';

const { values: args } = parseArgs({
  options: {
    flows: { type: 'string', default: '100' },
    'per-flow': { type: 'string', default: '10000' },
  },
});
const FLOWS = Number(args.flows);
const PER_FLOW = Number(args['per-flow']);
const SECOND = 1_000_000_000n;
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
    const flows = Array.from(
      { length: FLOWS },
      (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
    );
    const objectIds = await load(flows);
    await client.query('ANALYZE');
    const cases = queryCases(flows, objectIds);
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

/** Writes the data set through the engine: returns each Flow's object ids, in order. */
async function load(flowIds: readonly string[]): Promise<string[][]> {
  const t0 = Date.UTC(2026, 0, 1);
  const ids = flowIds.map(() => [] as string[]);
  const started = performance.now();
  const STEP = 100;
  let seq = 0n;
  for (let k = 0; k < PER_FLOW; k += STEP) {
    const segments: Row[] = [];
    const objects: Row[] = [];
    const refs: Row[] = [];
    const events: Row[] = [];
    for (let i = k; i < Math.min(PER_FLOW, k + STEP); i++) {
      for (const [f, flowId] of flowIds.entries()) {
        const objectId = newObjectId(t0 + i * 1000 + f);
        ids[f]?.push(objectId);
        const start = BigInt(i) * SECOND;
        segments.push(segmentRow(flowId, start, objectId));
        objects.push({
          id: objectId,
          storage_id: 'store',
          storage_path: null,
          allocated_for: flowId,
          created: new Date(t0),
        });
        refs.push({
          ref_key: `${objectId}/${flowId}`,
          object_id: objectId,
          flow_id: flowId,
          segments: 1n,
          first: true,
        });
        seq += 1n;
        events.push({
          seq,
          event_type: 'flows/segments_added',
          event_timestamp: new Date(t0),
          flow_id: flowId,
          source_id: flowId,
          flow_collected_by: null,
          source_collected_by: null,
          payload: JSON.stringify({ flow_id: flowId, segments: [{ object_id: objectId }] }),
        });
      }
    }
    await engine.session.insert(T.segments, segments);
    await engine.session.insert(T.objects, objects);
    await engine.session.insert(T.objectRefs, refs);
    await engine.session.insert(T.events, events);
  }
  const guards: Row[] = Array.from({ length: 1024 }, (_, i) => ({
    key: `stripe:${String(i).padStart(4, '0')}`,
    stamp: 0n,
    owner: null,
    until: null,
  }));
  await engine.session.insert(T.guards, guards);
  log(`loaded in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return ids;
}

function segmentRow(flowId: string, start: bigint, objectId: string): Row {
  return {
    flow_id: flowId,
    seg_start: start,
    seg_end: start + SECOND,
    seg_start_incl: true,
    seg_end_incl: false,
    object_id: objectId,
    storage_id: 'store',
    storage_path: null,
    ts_offset: null,
    last_duration: null,
    sample_offset: null,
    sample_count: null,
    key_frame_count: null,
    get_urls: null,
    seq: null,
  };
}

interface QueryCase {
  name: string;
  table: string;
  /** Options of one run (a random position each time). */
  options: () => SelectOptions;
}

const pick = <V>(list: readonly V[]): V => list[Math.floor(Math.random() * list.length)] as V;
const ORDER = [
  { column: 'seg_start', direction: 'asc' },
  { column: 'seg_start_incl', direction: 'desc' },
] as const;
const REVERSE = [
  { column: 'seg_start', direction: 'desc' },
  { column: 'seg_start_incl', direction: 'asc' },
] as const;

/** The statements the store sends on its hot paths (as pg_stat_statements showed them). */
function queryCases(flowIds: readonly string[], objectIds: readonly string[][]): QueryCase[] {
  const at = () => BigInt(Math.floor(Math.random() * (PER_FLOW - 300))) * SECOND;
  const window = 125n * SECOND;
  const some = (n: number) => {
    const f = Math.floor(Math.random() * flowIds.length);
    const from = Math.floor(Math.random() * (PER_FLOW - n));
    return (objectIds[f] ?? []).slice(from, from + n);
  };
  const lastEnd = BigInt(PER_FLOW) * SECOND;
  return [
    {
      name: 'segment page (Flow, seg_start window, 100 rows)',
      table: T.segments,
      options: () => {
        const a = at();
        return {
          where: and(
            col('flow_id').eq(pick(flowIds)),
            col('seg_start').ge(a),
            col('seg_start').lt(a + window),
          ),
          orderBy: ORDER,
          limit: 100,
        };
      },
    },
    {
      name: 'segment page with a timerange',
      table: T.segments,
      options: () => {
        const a = at();
        return {
          where: and(
            col('flow_id').eq(pick(flowIds)),
            col('seg_start').le(a + 200n * SECOND),
            col('seg_end').ge(a),
            col('seg_start').ge(a - SECOND),
            col('seg_start').lt(a + window),
          ),
          orderBy: ORDER,
          limit: 100,
        };
      },
    },
    {
      name: 'segment page, reverse order',
      table: T.segments,
      options: () => {
        const a = at() + window;
        return {
          where: and(
            col('flow_id').eq(pick(flowIds)),
            col('seg_start').le(a),
            col('seg_start').gt(a - window),
          ),
          orderBy: REVERSE,
          limit: 100,
        };
      },
    },
    {
      name: 'overlap check, appending after the last segment',
      table: T.segments,
      options: () => ({
        where: and(
          col('flow_id').in([pick(flowIds)]),
          col('seg_start').le(lastEnd + SECOND),
          col('seg_end').ge(lastEnd),
        ),
        orderBy: ORDER,
      }),
    },
    {
      name: 'overlap check, in the middle of the Flow',
      table: T.segments,
      options: () => {
        const a = at();
        return {
          where: and(
            col('flow_id').in([pick(flowIds)]),
            col('seg_start').le(a + SECOND),
            col('seg_end').ge(a),
          ),
          orderBy: ORDER,
        };
      },
    },
    {
      name: 'objects by id (30 ids)',
      table: T.objects,
      options: () => ({ where: and(col('id').in(some(30))) }),
    },
    {
      name: 'object refs by object id (30 ids)',
      table: T.objectRefs,
      options: () => ({
        where: and(col('object_id').in(some(30))),
        columns: ['object_id', 'ref_key', 'segments'],
      }),
    },
    {
      name: 'outbox read (100 events after a cursor)',
      table: T.events,
      options: () => {
        const from = BigInt(Math.floor(Math.random() * (FLOWS * PER_FLOW - 1000)));
        return {
          where: and(col('seq').gt(from), col('seq').le(from + 1000n)),
          orderBy: [{ column: 'seq' }],
          limit: 100,
        };
      },
    },
    {
      name: 'guard row by key (1,024 stripes)',
      table: T.guards,
      options: () => ({
        where: and(col('key').eq(`stripe:${String(Math.floor(Math.random() * 1024)).padStart(4, '0')}`)),
        columns: ['owner', 'until'],
      }),
    },
  ];
}

interface Measured {
  median: number;
  p90: number;
  plan: string;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
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
  const sql = selectSql(p, meta, options.columns ?? [...meta.types.keys()], options);
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
