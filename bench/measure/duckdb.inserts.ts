/**
 * Insert throughput of the DuckDB engine through the table manager (not a test; run by hand):
 *   node --import tsx bench/measure/duckdb.inserts.ts [dir]
 * Prints rows/s for one 100k-row insert and for 1,000 single-row inserts, in memory and on a file.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Row, TableDef } from '../../src/db/db.types.ts';
import { createDuckDbEngine } from '../../src/db/engines/duckdb/duckdb.engine.ts';
import { TableManager } from '../../src/db/manager.ts';

const SEGMENTS: TableDef = {
  name: 'segments',
  columns: [
    { name: 'flow_id', type: 'string', nullable: false },
    { name: 'object_id', type: 'string' },
    { name: 'ts_start', type: 'int64' },
    { name: 'ts_end', type: 'int64' },
    { name: 'incl_start', type: 'boolean' },
    { name: 'incl_end', type: 'boolean' },
    { name: 'sample_count', type: 'int32' },
    { name: 'rate', type: 'float64' },
    { name: 'created', type: 'timestamp' },
    { name: 'get_urls', type: 'json' },
  ],
};

function segment(i: number): Row {
  return {
    flow_id: `flow-${i % 16}`,
    object_id: `obj-${i}`,
    ts_start: BigInt(i) * 2_000_000_000n,
    ts_end: BigInt(i + 1) * 2_000_000_000n,
    incl_start: true,
    incl_end: false,
    sample_count: 50,
    rate: 25,
    created: new Date(),
    get_urls: i % 10 === 0 ? [{ url: `s3://bucket/obj-${i}` }] : null,
  };
}

async function measure(path: string): Promise<void> {
  const db = await TableManager.open(await createDuckDbEngine({ path }), [SEGMENTS]);
  const rows = Array.from({ length: 100_000 }, (_, i) => segment(i));
  let t0 = performance.now();
  await db.insert('segments', rows);
  const bulkMs = performance.now() - t0;
  t0 = performance.now();
  for (let i = 0; i < 1000; i++) await db.insert('segments', [segment(100_000 + i)]);
  const singleMs = performance.now() - t0;
  t0 = performance.now();
  await db.transaction(async (tx) => {
    for (let i = 0; i < 1000; i++) await tx.insert('segments', [segment(200_000 + i)]);
  });
  const txMs = performance.now() - t0;
  await db.close();
  const rate = (n: number, ms: number) => `${Math.round((n / ms) * 1000).toLocaleString('en')} rows/s`;
  process.stdout.write(
    `${path === ':memory:' ? 'memory' : 'file  '}  100k in one insert: ${bulkMs.toFixed(0)} ms (${rate(100_000, bulkMs)})` +
      `  1,000 single-row inserts: ${singleMs.toFixed(0)} ms (${rate(1000, singleMs)})` +
      `  same in one transaction: ${txMs.toFixed(0)} ms (${rate(1000, txMs)})\n`,
  );
}

const dir = process.argv[2] ?? (await mkdtemp(join(tmpdir(), 'tams-measure-')));
await measure(':memory:');
await measure(join(dir, 'measure.duckdb'));
if (process.argv[2] === undefined) await rm(dir, { recursive: true, force: true });
