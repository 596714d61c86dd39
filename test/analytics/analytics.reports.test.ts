/**
 * Every figure of every report over a store of known content (analytics.fixture.ts), through the
 * API, on the engine of the test project: DuckDB's own SQL here, hybrid analytics over the fake
 * VAST in the `vast` project.
 */
import { describe, expect, it } from 'vitest';
import { E, F, FS_ID, fileFixture, G, L, S3_ID } from './analytics.fixture.ts';

const { fixture, api, tr, get } = fileFixture();

describe('GET /analytics/flows/{id}/usage', () => {
  it('counts segments, duration, objects (each once) and bytes, per hour of the media timeline', async () => {
    const { body } = await get(`/analytics/flows/${L}/usage`);
    expect(body).toEqual({
      flow_id: L,
      timerange: '_',
      bucket: '1h',
      segments: 7,
      duration: '62:0',
      // a2 is used twice, and counts once; a4 has no bytes.
      objects: 6,
      bytes: 1000 + 2000 + 3000 + 500 + 4000,
      unsized_objects: 1,
      first_segment: tr(0, 10),
      last_segment: tr(3610, 3612),
      ingest: [
        {
          timerange: tr(0, 3600),
          segments: 5,
          duration: '50:0',
          objects: 5,
          bytes: 6500,
          unsized_objects: 1,
          media_rate: 50 / 3600,
          bytes_per_second: 6500 / 3600,
        },
        {
          timerange: tr(3600, 7200),
          segments: 2,
          duration: '12:0',
          objects: 2,
          // a2 counts in this bucket too: a bucket's bytes are its own objects'.
          bytes: 6000,
          unsized_objects: 0,
          media_rate: 12 / 3600,
          bytes_per_second: 6000 / 3600,
        },
      ],
    });
  });

  it('takes the segments starting in the window, and pages the buckets', async () => {
    const { body } = await get<Record<string, unknown>>(`/analytics/flows/${L}/usage`, {
      timerange: tr(30, 3610),
      bucket: '1m',
    });
    expect(body).toMatchObject({
      segments: 4,
      duration: '40:0',
      objects: 4,
      bytes: 3000 + 500 + 2000,
      unsized_objects: 1,
      first_segment: tr(30, 40),
      last_segment: tr(3600, 3610),
    });
    expect((body.ingest as { timerange: string }[]).map((b) => b.timerange)).toEqual([
      tr(0, 60),
      tr(3600, 3660),
    ]);
    const first = await get<{ ingest: { timerange: string }[] }>(`/analytics/flows/${L}/usage`, { limit: 1 });
    expect(first.body.ingest.map((b) => b.timerange)).toEqual([tr(0, 3600)]);
    expect(first.headers.get('x-paging-limit')).toBe('1');
    const key = first.headers.get('x-paging-nextkey') as string;
    const second = await get<{ ingest: { timerange: string }[] }>(`/analytics/flows/${L}/usage`, {
      limit: 1,
      page: key,
    });
    expect(second.body.ingest.map((b) => b.timerange)).toEqual([tr(3600, 7200)]);
    expect(second.headers.get('x-paging-nextkey')).toBeNull();
  });

  it('counts an object another Flow registered first (its size recorded there)', async () => {
    const { body } = await get(`/analytics/flows/${G}/usage`);
    expect(body).toMatchObject({ segments: 1, duration: '5:0', objects: 1, bytes: 1000, unsized_objects: 0 });
  });

  it('answers a Flow without segments, and 404 for no Flow', async () => {
    const { body } = await get(`/analytics/flows/${E}/usage`);
    expect(body).toEqual({
      flow_id: E,
      timerange: '_',
      bucket: '1h',
      segments: 0,
      duration: '0:0',
      objects: 0,
      bytes: 0,
      unsized_objects: 0,
      ingest: [],
    });
    const missing = await api().get('/analytics/flows/50000000-0000-4000-8000-00000000000e/usage');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: 'NotFound' });
    expect((await api().get(`/analytics/flows/${L}/usage`, { query: { bucket: '2h' } })).status).toBe(400);
    expect((await api().get(`/analytics/flows/${L}/usage`, { query: { page: 'bm90IGEga2V5' } })).status).toBe(
      400,
    );
  });
});

describe('GET /analytics/storage', () => {
  it('counts objects and bytes per backend and format, growth, and what awaits collection', async () => {
    const { body } = await get('/analytics/storage');
    const day = new Date(fixture().clock);
    day.setUTCHours(0, 0, 0, 0);
    expect(body).toEqual({
      backends: [
        // a1 a2 a4 a5 b3 b4 (b5 deleted): a4 has no bytes; u1, allocated and never used, is no
        // Flow's media yet (counted in `unreferenced` only).
        {
          storage_id: FS_ID,
          label: 'local',
          objects: 6,
          bytes: 1000 + 2000 + 500 + 300 + 50,
          unsized_objects: 1,
        },
        { storage_id: S3_ID, label: 's3', objects: 4, bytes: 3000 + 4000 + 100 + 100, unsized_objects: 0 },
      ],
      formats: [
        { format: 'urn:x-nmos:format:audio', objects: 4, bytes: 550, unsized_objects: 0 },
        // a1 counts for L (video), which registered it first; G (data) registered none first.
        { format: 'urn:x-nmos:format:video', objects: 6, bytes: 10500, unsized_objects: 1 },
      ],
      growth: {
        since: new Date(fixture().clock.getTime() - 30 * 86_400_000).toISOString(),
        bucket: 'day',
        series: [
          { storage_id: FS_ID, start: day.toISOString(), objects: 6, bytes: 3850, unsized_objects: 1 },
          { storage_id: S3_ID, start: day.toISOString(), objects: 4, bytes: 7200, unsized_objects: 0 },
        ].sort((a, b) => (a.storage_id < b.storage_id ? -1 : 1)),
      },
      // Every object segments use, each once: the backends' here (no external object).
      totals: { objects: 10, bytes: 11050, unsized_objects: 1 },
      unreferenced: { allocated_unused: 1, awaiting_deletion: 1 },
    });
    const later = await get<{ growth: { series: unknown[] } }>('/analytics/storage', {
      since: new Date(fixture().clock.getTime() + 1000).toISOString(),
      bucket: 'hour',
    });
    expect(later.body.growth.series).toEqual([]);
  });
});

describe('GET /analytics/segments/durations', () => {
  it('gives nearest-rank percentiles across the store, per filter, per Flow', async () => {
    const all = await get('/analytics/segments/durations');
    // 0.999999999 1 1 1 2 5 10 10 10 10 10 10: the 6th, 11th and 12th of twelve; mean 70.999999999/12 s.
    expect(all.body).toEqual({
      segments: 12,
      p50: '5:0',
      p90: '10:0',
      p99: '10:0',
      min: '0:999999999',
      max: '10:0',
      mean: '5:916666666',
    });
    const video = await get('/analytics/segments/durations', { format: 'urn:x-nmos:format:video' });
    expect(video.body).toEqual({
      segments: 7,
      p50: '10:0',
      p90: '10:0',
      p99: '10:0',
      min: '2:0',
      max: '10:0',
      mean: '8:857142857',
    });
    const file = await get('/analytics/segments/durations', { flow_id: F });
    expect(file.body).toEqual({
      segments: 4,
      p50: '1:0',
      p90: '1:0',
      p99: '1:0',
      min: '0:999999999',
      max: '1:0',
      mean: '0:999999999',
    });
    const windowed = await get('/analytics/segments/durations', { flow_id: L, timerange: tr(3600, 3700) });
    expect(windowed.body).toMatchObject({ segments: 2, p50: '2:0', p99: '10:0', mean: '6:0' });
    const nothing = await get('/analytics/segments/durations', { codec: 'none/such' });
    expect(nothing.body).toEqual({ segments: 0 });
  });

  it('pages the per-Flow figures by Flow id', async () => {
    const first = await get<{ flows: { flow_id: string; segments: number; p50: string }[] }>(
      '/analytics/segments/durations',
      { group_by: 'flow', limit: 2 },
    );
    expect(first.body.flows).toEqual([
      {
        flow_id: L,
        segments: 7,
        p50: '10:0',
        p90: '10:0',
        p99: '10:0',
        min: '2:0',
        max: '10:0',
        mean: '8:857142857',
      },
      {
        flow_id: F,
        segments: 4,
        p50: '1:0',
        p90: '1:0',
        p99: '1:0',
        min: '0:999999999',
        max: '1:0',
        mean: '0:999999999',
      },
    ]);
    const second = await get<{ flows: { flow_id: string }[] }>('/analytics/segments/durations', {
      group_by: 'flow',
      limit: 2,
      page: first.headers.get('x-paging-nextkey') as string,
    });
    expect(second.body.flows).toEqual([
      { flow_id: G, segments: 1, p50: '5:0', p90: '5:0', p99: '5:0', min: '5:0', max: '5:0', mean: '5:0' },
    ]);
    expect(second.headers.get('x-paging-nextkey')).toBeNull();
  });
});

describe('GET /analytics/flows/top', () => {
  it('ranks by bytes (objects by the Flow that registered them), segments and duration', async () => {
    const bytes = await get('/analytics/flows/top');
    expect(bytes.body).toEqual({
      by: 'bytes',
      timerange: '_',
      flows: [
        {
          flow_id: L,
          label: 'live camera',
          format: 'urn:x-nmos:format:video',
          segments: 7,
          duration: '62:0',
          objects: 6,
          bytes: 10500,
          unsized_objects: 1,
        },
        {
          flow_id: F,
          label: 'file audio',
          format: 'urn:x-nmos:format:audio',
          segments: 4,
          duration: '3:999999999',
          objects: 4,
          bytes: 550,
          unsized_objects: 0,
        },
      ],
      // a4 (no bytes); u1, allocated and never used, is no Flow's media yet.
      unsized_objects: 1,
    });
    const segments = await get<{ flows: { flow_id: string; segments: number }[] }>('/analytics/flows/top', {
      by: 'segments',
    });
    expect(segments.body.flows.map((f) => [f.flow_id, f.segments])).toEqual([
      [L, 7],
      [F, 4],
      [G, 1],
    ]);
    const duration = await get<{ flows: { flow_id: string; duration: string; bytes: number }[] }>(
      '/analytics/flows/top',
      { by: 'duration', limit: 2 },
    );
    expect(duration.body.flows.map((f) => [f.flow_id, f.duration, f.bytes])).toEqual([
      [L, '62:0', 10500],
      [G, '5:0', 0],
    ]);
  });

  it('ranks by rate over a bounded window of the media timeline', async () => {
    const { body } = await get('/analytics/flows/top', { by: 'rate', timerange: tr(0, 3600) });
    expect(body).toEqual({
      by: 'rate',
      timerange: tr(0, 3600),
      flows: [
        {
          flow_id: L,
          label: 'live camera',
          format: 'urn:x-nmos:format:video',
          segments: 5,
          duration: '50:0',
          objects: 5,
          bytes: 6500,
          unsized_objects: 1,
          media_rate: 50 / 3600,
          bytes_per_second: 6500 / 3600,
        },
      ],
      unsized_objects: 1,
    });
    expect((await api().get('/analytics/flows/top', { query: { by: 'rate' } })).status).toBe(400);
  });
});
