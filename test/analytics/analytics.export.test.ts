/**
 * GET /analytics/export: tables and one Flow's segments as CSV and Parquet (read back with
 * DuckDB), bounded by `limit`, and only the tables a reader may see.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { buildFixture, E, F, type Fixture, G, L } from './analytics.fixture.ts';

let fx: Fixture;
let api: TestServer;
let dir: string;

beforeAll(async () => {
  fx = await buildFixture();
  api = fx.server.server;
  dir = mkdtempSync(join(tmpdir(), 'tams-export-test-'));
});
afterAll(async () => {
  await fx?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function download(query: Record<string, string>) {
  const url = new URL('/analytics/export', api.url);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  const res = await fetch(url);
  const body = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, body };
}

/** Rows of a Parquet file, as DuckDB reads it. */
async function parquetRows(bytes: Buffer, sql: string): Promise<unknown[][]> {
  const file = join(dir, `read-${Math.random().toString(36).slice(2)}.parquet`);
  writeFileSync(file, bytes);
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  try {
    return (await conn.runAndReadAll(sql.replace('$file', `'${file}'`))).getRows();
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

describe('GET /analytics/export', () => {
  it("streams one Flow's segments as CSV, ordered by start, with a header line", async () => {
    const res = await download({ table: 'segments', format: 'csv', flow_id: L });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="segments.csv"');
    expect(res.headers.get('x-export-rows')).toBe('7');
    expect(res.headers.get('x-export-truncated')).toBe('false');
    const lines = res.body.toString().trimEnd().split('\n');
    expect(lines[0]).toBe(
      'flow_id,seg_start,seg_end,seg_start_incl,seg_end_incl,object_id,storage_id,storage_path,ts_offset,last_duration,sample_offset,sample_count,key_frame_count,otr_start,otr_end,otr_start_incl,otr_end_incl,init_object_id',
    );
    const rows = lines.slice(1).map((l) => l.split(','));
    const ns = (s: number) => String((fx.t0 + BigInt(s)) * 1_000_000_000n);
    expect(rows.map((r) => [r[0], r[1], r[2], r[3], r[4], r[5]])).toEqual([
      [L, ns(0), ns(10), 'true', 'false', fx.objects.a1],
      [L, ns(10), ns(20), 'true', 'false', fx.objects.a2],
      [L, ns(30), ns(40), 'true', 'false', fx.objects.a3],
      [L, ns(40), ns(50), 'true', 'false', fx.objects.a4],
      [L, ns(50), ns(60), 'true', 'false', fx.objects.a5],
      [L, ns(3600), ns(3610), 'true', 'false', fx.objects.a2],
      [L, ns(3610), ns(3612), 'true', 'false', fx.objects.a6],
    ]);
  });

  it('exports a table as Parquet that DuckDB reads back', async () => {
    const res = await download({ table: 'flows' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apache.parquet');
    expect(res.headers.get('x-export-rows')).toBe('4');
    const rows = await parquetRows(res.body, 'SELECT id, format, label FROM read_parquet($file) ORDER BY id');
    expect(rows).toEqual([
      [L, 'urn:x-nmos:format:video', 'live camera'],
      [F, 'urn:x-nmos:format:audio', 'file audio'],
      [G, 'urn:x-nmos:format:data', 'data'],
      [E, 'urn:x-nmos:format:video', 'empty'],
    ]);
    const sizes = await download({ table: 'object_sizes' });
    const sized = await parquetRows(
      sizes.body,
      'SELECT count(*)::INTEGER, count(size)::INTEGER, sum(size)::INTEGER FROM read_parquet($file)',
    );
    // a1-a6 and b1-b4 (b5's row went with its object); a4 has no size.
    expect(sized).toEqual([[10, 9, 10500 + 550]]);
  });

  it('selects segments by start within a timerange, and cuts at the limit', async () => {
    const window = `[${fx.at(30)}_${fx.at(3610)})`;
    const res = await download({ table: 'segments', format: 'csv', flow_id: L, timerange: window });
    const objects = res.body
      .toString()
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => l.split(',')[5]);
    expect(objects).toEqual([fx.objects.a3, fx.objects.a4, fx.objects.a5, fx.objects.a2]);
    const cut = await download({ table: 'segments', format: 'csv', limit: '2' });
    expect(cut.headers.get('x-export-rows')).toBe('2');
    expect(cut.headers.get('x-export-truncated')).toBe('true');
    expect(cut.body.toString().trimEnd().split('\n')).toHaveLength(3);
  });

  it('answers HEAD with the headers only', async () => {
    const res = await api.head('/analytics/export', {
      query: { table: 'segments', flow_id: F, format: 'csv' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-export-rows')).toBe('4');
    expect(res.text).toBe('');
  });

  it('refuses credentials, settings and internal tables, and filters on other tables', async () => {
    for (const table of ['auth_tokens', 'auth_users', 'service_settings', 'webhooks', 'events', 'guards']) {
      const res = await api.get('/analytics/export', { query: { table } });
      expect(res.status, table).toBe(400);
      expect(res.body).toMatchObject({ type: 'BadRequest' });
    }
    const filtered = await api.get('/analytics/export', { query: { table: 'flows', flow_id: L } });
    expect(filtered.status).toBe(400);
    expect(
      (await api.get('/analytics/export', { query: { table: 'segments', format: 'xlsx' } })).status,
    ).toBe(400);
  });
});
