/**
 * `node --import tsx bench/vast.client.ts`: CPU per call of the VAST engine alone (no HTTP server
 * above it), against the fake VAST server in a process of its own, on a table shaped like
 * `segments`: a page select (100 of 2,000 rows by a range on one Flow), a one-row insert, a
 * read-write transaction with one update. Prints CPU µs per call and per round trip, for
 * comparing the client's cost before and after a change. VAST_CLIENT_ONLY=word runs only the
 * measurements whose name holds it (for a profile).
 */
import { randomUUID } from 'node:crypto';
import type { Row, TableDef } from '../src/db/db.types.ts';
import { VastTransport } from '../src/db/engines/vast/transport/transport.client.ts';
import { createVastEngine } from '../src/db/engines/vast/vast.engine.ts';
import { col, where } from '../src/db/predicate.ts';
import { startFakeVastProcess } from './vast.fake.ts';

const N = Number(process.env.VAST_CLIENT_N ?? 1000);
const ROUNDS = 3;
const only = process.env.VAST_CLIENT_ONLY;

const fake = await startFakeVastProcess();
const engine = createVastEngine({
  transport: new VastTransport({
    endpoints: [fake.env.TAMS_VAST_ENDPOINTS as string],
    accessKey: fake.env.TAMS_VAST_ACCESS_KEY as string,
    secretKey: fake.env.TAMS_VAST_SECRET_KEY as string,
  }),
  bucket: fake.env.TAMS_VAST_BUCKET as string,
  schema: 'bench',
});
const table: TableDef = {
  name: 'segments',
  columns: [
    { name: 'flow_id', type: 'string', nullable: false },
    { name: 'seg_start', type: 'int64', nullable: false },
    { name: 'seg_end', type: 'int64', nullable: false },
    { name: 'seg_start_incl', type: 'boolean', nullable: false },
    { name: 'seg_end_incl', type: 'boolean', nullable: false },
    { name: 'object_id', type: 'string', nullable: false },
    { name: 'storage_id', type: 'string' },
    { name: 'storage_path', type: 'string' },
    { name: 'ts_offset', type: 'int64' },
    { name: 'last_duration', type: 'int64' },
    { name: 'sample_offset', type: 'int64' },
    { name: 'sample_count', type: 'int64' },
    { name: 'key_frame_count', type: 'int64' },
    { name: 'get_urls', type: 'json' },
  ],
};
await engine.createTable(table);
const flows = [randomUUID(), randomUUID()];
const SEG = 2_000_000_000n;
let next = 0n;
const segment = (flow: string): Row => {
  const start = 1_700_000_000_000_000_000n + next++ * SEG;
  return {
    flow_id: flow,
    seg_start: start,
    seg_end: start + SEG,
    seg_start_incl: true,
    seg_end_incl: false,
    object_id: randomUUID(),
    storage_id: randomUUID(),
    storage_path: null,
    ts_offset: 0n,
    last_duration: null,
    sample_offset: null,
    sample_count: null,
    key_frame_count: null,
    get_urls: null,
  };
};
for (const flow of flows)
  await engine.session.insert(
    'segments',
    Array.from({ length: 1000 }, () => segment(flow)),
  );

async function measure(name: string, op: () => Promise<unknown>): Promise<void> {
  if (only !== undefined && !name.includes(only)) return;
  for (let r = 0; r < ROUNDS; r++) {
    const before = await fake.counts();
    const t = process.cpuUsage();
    for (let i = 0; i < N; i++) await op();
    const used = process.cpuUsage(t);
    const after = await fake.counts();
    const trips = Object.entries(after.calls).reduce(
      (n, [k, v]) => n + v - (before.calls[k as keyof typeof before.calls] ?? 0),
      0,
    );
    const us = (used.user + used.system) / N;
    if (r === ROUNDS - 1)
      console.log(
        `${name.padEnd(40)} ${us.toFixed(0).padStart(5)} µs CPU per call, ${(trips / N).toFixed(2)} round trips, ${((us * N) / trips).toFixed(0)} µs per round trip, ${((after.rows - before.rows) / N).toFixed(0)} rows read`,
      );
  }
}

const from = 1_700_000_000_000_000_000n + 200n * SEG;
const page = () =>
  engine.session.select('segments', {
    where: where(
      col('flow_id').eq(flows[0] as string),
      col('seg_start').ge(from),
      col('seg_start').lt(from + 200n * SEG),
    ),
    limit: 100,
  });
if ((await page()).length !== 100) throw new Error('a page should hold 100 rows');
await measure('select a page of 100 rows (autocommit)', page);
await measure('insert one row (autocommit)', () =>
  engine.session.insert('segments', [segment(flows[1] as string)]),
);
await measure('transaction: update one row', () =>
  engine.transaction((tx) => tx.update('segments', where(col('object_id').eq('none')), { sample_count: 1n })),
);
await engine.close();
await fake.stop();
