/**
 * The indexes the tables declare (TableDef.lookups and .indexes), on a real PostgreSQL: the
 * store's hot queries are served by one, and a server starting beside others that are writing
 * does not wait for their transactions to check that the indexes are there.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../../../tools/postgres/postgres.server.ts';
import { ST, searchTables } from '../../../search/store/search.tables.ts';
import { storeTables, T } from '../../../store/tables.ts';
import type { SelectOptions } from '../../db.types.ts';
import { TableManager } from '../../manager.ts';
import { and, col } from '../../predicate.ts';
import { loadTable } from './postgres.catalog.ts';
import { PostgresEngine } from './postgres.engine.ts';
import { Params, POSTGRES_SQL } from './postgres.sql.ts';

const available = postgresAvailable();
const S = 1_000_000_000n;
const FLOW = '5f8e2b8a-0000-4000-8000-000000000001';

describe.skipIf(!available)('PostgreSQL indexes', () => {
  let server: PostgresServer;
  let client: pg.Client;
  const opened: TableManager[] = [];
  beforeAll(async () => {
    server = await startPostgres();
    client = new pg.Client({ connectionString: server.url });
    await client.connect();
  });
  afterAll(async () => {
    for (const db of opened) await db.close();
    await client?.end();
    await server?.close();
  });

  async function open(schema: string): Promise<TableManager> {
    const db = await TableManager.open(
      new PostgresEngine({ url: server.url, schema, poolSize: 2 }),
      storeTables,
    );
    opened.push(db);
    return db;
  }

  type Node = { 'Node Type': string; 'Index Name'?: string; 'Scan Direction'?: string; Plans?: Node[] };

  /** PostgreSQL's plan of the engine's statement, its nodes in depth-first order, seq scans set aside. */
  async function planned(schema: string, table: string, options: SelectOptions): Promise<Node[]> {
    const meta = await loadTable(client, schema, table);
    if (meta === null) throw new Error(`no table ${table}`);
    const p = new Params();
    const sql = POSTGRES_SQL.select(p, meta, options.columns ?? [...meta.types.keys()], options);
    await client.query('SET enable_seqscan = off');
    try {
      const { rows } = await client.query(`EXPLAIN (FORMAT JSON) ${sql}`, p.values);
      const found: Node[] = [];
      const walk = (node: Node) => {
        found.push(node);
        for (const child of node.Plans ?? []) walk(child);
      };
      for (const plan of (rows[0]?.['QUERY PLAN'] ?? []) as { Plan: Node }[]) walk(plan.Plan);
      return found;
    } finally {
      await client.query('RESET enable_seqscan');
    }
  }

  /** The indexes PostgreSQL's planner scans for the engine's statement, seq scans set aside. */
  async function indexesScanned(schema: string, table: string, options: SelectOptions): Promise<string[]> {
    return (await planned(schema, table, options)).flatMap((n) => n['Index Name'] ?? []);
  }

  it("serves the store's hot queries from an index", async () => {
    await open('hot');
    const page: SelectOptions = {
      where: and(col('flow_id').eq(FLOW), col('seg_start').ge(10n * S), col('seg_start').lt(135n * S)),
      orderBy: [
        { column: 'seg_start', direction: 'asc' },
        { column: 'seg_start_incl', direction: 'desc' },
      ],
      limit: 100,
    };
    const overlap: SelectOptions = {
      where: and(col('flow_id').in([FLOW]), col('seg_start').le(11n * S), col('seg_end').ge(10n * S)),
    };
    const cases: [string, SelectOptions, RegExp][] = [
      [T.segments, page, /^segments__flow_id__seg_start$/],
      [T.segments, overlap, /^segments__flow_id__seg_(start|end)$/],
      [T.objects, { where: and(col('id').in(['a', 'b'])) }, /^objects__id$/],
      [T.objectRefs, { where: and(col('object_id').in(['a', 'b'])) }, /^object_refs__object_id/],
      [T.allocations, { where: and(col('object_id').in(['a'])) }, /^allocations__object_id$/],
      [
        T.events,
        { where: and(col('seq').gt(5n), col('seq').le(1005n)), orderBy: [{ column: 'seq' }], limit: 100 },
        /^events__seq$/,
      ],
      [T.guards, { where: and(col('key').eq('stripe:0001')) }, /^guards__key$/],
      [T.flows, { where: and(col('id').eq(FLOW)) }, /^flows__id$/],
      [T.tokens, { where: and(col('hash').eq('h')) }, /^auth_tokens__hash$/],
    ];
    for (const [table, options, index] of cases) {
      const scanned = await indexesScanned('hot', table, options);
      expect(scanned, `${table} ${options.where?.all.map((g) => g.column).join(', ')}`).toContainEqual(
        expect.stringMatching(index),
      );
    }
  });

  it("serves media search's document lookups from an index", async () => {
    const db = await TableManager.open(
      new PostgresEngine({ url: server.url, schema: 'search', poolSize: 2 }),
      searchTables,
    );
    opened.push(db);
    const cases: [SelectOptions, RegExp][] = [
      [{ where: and(col('doc_key').in([`flow:${FLOW}`, 'source:x'])) }, /^search_docs__doc_key$/],
      [{ where: and(col('flow_id').eq(FLOW), col('kind').eq('flow')) }, /^search_docs__flow_id__kind/],
      [
        { where: and(col('flow_id').eq(FLOW), col('kind').eq('caption'), col('seg_start').ge(10n * S)) },
        /^search_docs__flow_id__kind__seg_start$/,
      ],
      [{ where: and(col('doc_no').in([1n, 2n])) }, /^search_docs__doc_no$/],
    ];
    for (const [options, index] of cases) {
      const scanned = await indexesScanned('search', ST.docs, options);
      expect(scanned, options.where?.all.map((g) => g.column).join(', ')).toContainEqual(
        expect.stringMatching(index),
      );
    }
  });

  it('serves the descending reads from an index walked backwards', async () => {
    await open('backwards');
    // The outbox's newest event (events.sequence.ts), and the segments that can reach a point
    // (segments.repo.ts `reaching`): DESC NULLS LAST would sort the whole outbox, or the Flow
    // up to the point.
    const cases: [string, SelectOptions, RegExp][] = [
      [
        T.events,
        {
          where: and(col('seq').isNotNull()),
          columns: ['seq'],
          orderBy: [{ column: 'seq', direction: 'desc' }],
          limit: 1,
        },
        /^events__seq$/,
      ],
      [
        T.segments,
        {
          where: and(col('flow_id').eq(FLOW), col('seg_start').le(10n * S)),
          orderBy: [
            { column: 'seg_start', direction: 'desc' },
            { column: 'seg_start_incl', direction: 'asc' },
          ],
          limit: 3,
        },
        /^segments__flow_id__seg_start$/,
      ],
    ];
    for (const [table, options, index] of cases) {
      const nodes = await planned('backwards', table, options);
      const shown = nodes.map(
        (n) => `${n['Node Type']} ${n['Index Name'] ?? ''} ${n['Scan Direction'] ?? ''}`,
      );
      const scan = nodes.find((n) => n['Index Name'] !== undefined);
      expect(scan?.['Index Name'], `${table}: ${shown}`).toMatch(index);
      expect(scan?.['Scan Direction'], `${table}: ${shown}`).toBe('Backward');
    }
  });

  it('checks for its indexes without waiting for the writes of other servers', async () => {
    await open('busy');
    // Another server's write transaction stays open on the segments table meanwhile.
    const writer = new pg.Client({ connectionString: server.url });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(`INSERT INTO "busy"."segments" ("flow_id", "seg_start") VALUES ($1, 0)`, [FLOW]);
      // A server starting now: CREATE INDEX, even one that exists, would queue behind that write.
      const watch = { on: true };
      const started = open('busy').then(() => 'opened' as const);
      const waiting = lockWaitOn('busy', 'segments', watch).then(
        (seen) => seen && ('waited for a lock' as const),
      );
      try {
        expect(await Promise.race([started, waiting])).toBe('opened');
      } finally {
        watch.on = false;
        await waiting;
      }
    } finally {
      await writer.query('ROLLBACK').catch(() => undefined);
      await writer.end();
    }
  });

  /** Resolves true once a session waits for a lock on the table; false when the watch ends first. */
  async function lockWaitOn(schema: string, table: string, watch: { on: boolean }): Promise<boolean> {
    const watcher = new pg.Client({ connectionString: server.url });
    await watcher.connect();
    try {
      while (watch.on) {
        const { rows } = await watcher.query(
          `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
             JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE NOT l.granted AND n.nspname = $1 AND c.relname = $2`,
          [schema, table],
        );
        if ((rows[0] as { n: number }).n > 0) return true;
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
      return false;
    } finally {
      await watcher.end();
    }
  }
});
