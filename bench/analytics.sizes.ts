/**
 * Object sizes for the analytics bench: the data set's objects have no bytes (it is built
 * through the store, not uploaded), so the sizes the follower would have recorded are written
 * here, straight into `object_sizes`: 1.5-2.5 MB each (a 2 s segment of ~6-10 Mb/s video), none
 * for every 20th object (not looked up yet) and a miss for every 200th (no bytes), registered
 * over the last 30 days in timeline order, so that growth has a series to show.
 */

import { AT } from '../src/analytics/store/analytics.tables.ts';
import { loadConfig } from '../src/config.ts';
import type { Row } from '../src/db/db.types.ts';
import { buildRuntime } from '../src/deps.ts';
import { T } from '../src/store/tables.ts';
import { type Dataset, ORIGIN_SECONDS, SEGMENT_SECONDS } from './bench.dataset.ts';

const BATCH = 100_000;
const DAY_MS = 86_400_000;
const NS = 1_000_000_000n;

export async function seedSizes(dir: string, dataset: Dataset, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const config = loadConfig({ TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' });
  const runtime = await buildRuntime(config, { accelerator: false });
  const now = Date.now();
  let index = 0;
  let written = 0;
  let batch: Row[] = [];
  const flush = async () => {
    const rows = batch;
    batch = [];
    if (rows.length > 0) await runtime.db.transaction((tx) => tx.insert(AT.sizes, rows));
  };
  try {
    await runtime.db.scan(
      T.segments,
      { columns: ['flow_id', 'seg_start', 'object_id', 'storage_id'] },
      async (rows) => {
        for (const r of rows) {
          index++;
          if (index % 20 === 0) continue;
          const start = r.seg_start as bigint;
          const k = Number((start / NS - ORIGIN_SECONDS) / SEGMENT_SECONDS);
          batch.push({
            object_id: r.object_id,
            size: index % 200 === 1 ? null : BigInt(1_500_000 + ((index * 7919) % 1_000_000)),
            checked: new Date(now),
            storage_id: r.storage_id,
            flow_id: r.flow_id,
            seg_start: start,
            registered: new Date(now - 30 * DAY_MS * (1 - k / dataset.segmentsPerFlow)),
          });
          written++;
        }
        if (batch.length >= BATCH) await flush();
      },
    );
    await flush();
  } finally {
    await runtime.close();
  }
  log(
    `object sizes seeded: ${written.toLocaleString('en')} rows (${((performance.now() - started) / 1000).toFixed(0)} s)`,
  );
  return written;
}
