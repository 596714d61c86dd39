/**
 * /metrics: Prometheus text with the documented metrics, whose values follow what the server
 * does (requests by route pattern, errors, segments registered, queues, index, store timings).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, videoFlow } from '../http/fixtures.ts';
import { parseMetrics, type Sample, value } from './prom.ts';

/**
 * Every metric the metrics table of docs/operations.md lists, by name (the first cell of each row;
 * some rows name several), and a few of prom-client's default process metrics.
 */
const DOCUMENTED = (() => {
  const doc = readFileSync(new URL('../../docs/operations.md', import.meta.url), 'utf8');
  const heading = doc.indexOf('\n## Health, readiness and metrics');
  const section = doc.slice(heading, doc.indexOf('\n## ', heading + 1));
  const names = section
    .split('\n')
    .filter((line) => line.startsWith('| `tams_'))
    .flatMap((line) =>
      [...(line.split('|')[1] ?? '').matchAll(/`(tams_[a-z_]+)`/g)].map((m) => m[1] as string),
    );
  return [
    ...names,
    'process_cpu_seconds_total',
    'process_resident_memory_bytes',
    'nodejs_heap_size_used_bytes',
    'nodejs_eventloop_lag_seconds',
  ];
})();

let server: TestServer;
beforeAll(async () => {
  // No workers: queue depths stay where the requests leave them. Deletions of more than two
  // segments go to the (stopped) deletion worker.
  // EXR and analytics on: their followers' metrics are in the table too.
  server = await startServer({
    workers: false,
    env: {
      TAMS_DELETE_SYNC_LIMIT: '2',
      TAMS_EXR: 'true',
      TAMS_ANALYTICS: 'true',
      TAMS_RECORDER: 'true',
      TAMS_REPLICATION: 'true',
    },
  });
});
afterAll(async () => {
  await server.close();
});

async function scrape(): Promise<{ text: string; samples: Sample[] }> {
  const res = await fetch(`${server.url}/metrics`);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  return { text, samples: parseMetrics(text) };
}

const count = (samples: Sample[], name: string, labels: Record<string, string>) =>
  value(samples, `${name}_count`, labels) ?? 0;

describe('/metrics', () => {
  it('exposes every documented metric', async () => {
    const { text } = await scrape();
    const typed = new Set(
      text
        .split('\n')
        .filter((l) => l.startsWith('# TYPE '))
        .map((l) => l.split(' ')[2]),
    );
    // The documented table was read (a parse gone wrong would check nothing).
    expect(DOCUMENTED.filter((n) => n.startsWith('tams_')).length).toBeGreaterThanOrEqual(20);
    for (const name of DOCUMENTED) expect(typed, name).toContain(name);
  });

  it('follows requests, registrations, queues and the store', async () => {
    const before = (await scrape()).samples;
    const segRoute = { route: '/flows/:flowId/segments', method: 'POST', status_class: '2xx' };
    const txCommits = count(before, 'tams_store_transaction_duration_seconds', { outcome: 'commit' });

    const flow = videoFlow();
    await createFlow(server, flow);
    const external = (n: number, start: number) =>
      Array.from({ length: n }, (_, i) => ({
        object_id: `ext-${start + i}`,
        timerange: `[${start + i}:0_${start + i + 1}:0)`,
        get_urls: [{ url: `http://media.invalid/ext-${start + i}` }],
      }));
    expect((await server.post(`/flows/${flow.id}/segments`, external(5, 0))).status).toBe(201);
    // One overlapping segment refused, one accepted: only the accepted one counts.
    const mixed = [...external(1, 2), ...external(1, 10)];
    expect((await server.post(`/flows/${flow.id}/segments`, mixed)).status).toBe(200);
    expect((await server.get(`/flows/${crypto.randomUUID()}`)).status).toBe(404);
    // An object with bytes in the fs backend, registered then deleted: its bytes are queued.
    const alloc = await server.post<{ media_objects: { object_id: string }[] }>(`/flows/${flow.id}/storage`, {
      limit: 2,
    });
    expect(alloc.status).toBe(201);
    const [stored] = alloc.body.media_objects;
    const seg = { object_id: stored?.object_id, timerange: '[100:0_101:0)' };
    expect((await server.post(`/flows/${flow.id}/segments`, seg)).status).toBe(201);
    expect(
      (await server.delete(`/flows/${flow.id}/segments`, { query: { timerange: '[100:0_101:0)' } })).status,
    ).toBe(204);
    // Loads the Flow's segment index.
    expect((await server.get(`/flows/${flow.id}/segments`)).status).toBe(200);
    // A Flow of three segments deleted: a pending deletion request (the worker is stopped).
    const doomed = videoFlow();
    await createFlow(server, doomed);
    expect((await server.post(`/flows/${doomed.id}/segments`, external(3, 200))).status).toBe(201);
    expect((await server.delete(`/flows/${doomed.id}`)).status).toBe(202);

    // Indexes load in the background (asked for by the reads and writes above).
    await server.runtime.accelerator?.segmentLoadsIdle();
    const after = (await scrape()).samples;
    const delta = (name: string, labels: Record<string, string> = {}) =>
      (value(after, name, labels) ?? 0) - (value(before, name, labels) ?? 0);
    expect(delta('tams_segments_registered_total')).toBe(5 + 1 + 1 + 3);
    expect(count(after, 'tams_http_request_duration_seconds', segRoute)).toBe(
      count(before, 'tams_http_request_duration_seconds', segRoute) + 4,
    );
    expect(delta('tams_http_errors_total', { route: '/flows/:flowId', method: 'GET', status: '404' })).toBe(
      1,
    );
    expect(delta('tams_http_errors_total', { route: '/flows/:flowId/segments', method: 'POST' })).toBe(0);
    expect(value(after, 'tams_deletion_requests_pending')).toBe(1);
    expect(value(after, 'tams_media_gc_backlog')).toBe(1);
    // Two allocated; the one used and then deleted was released with its allocation row.
    expect(value(after, 'tams_allocations_rows')).toBe(1);
    expect(value(after, 'tams_segment_index_segments')).toBeGreaterThanOrEqual(6);
    expect(value(after, 'tams_segment_index_bytes')).toBeGreaterThan(0);
    expect(count(after, 'tams_store_transaction_duration_seconds', { outcome: 'commit' })).toBeGreaterThan(
      txCommits,
    );
    expect(
      count(after, 'tams_store_operation_duration_seconds', { operation: 'insert', table: 'segments' }),
    ).toBeGreaterThanOrEqual(4);
    expect(value(after, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    // The scrape itself is in flight while it is answered.
    expect(value(after, 'tams_http_requests_in_flight')).toBe(1);
  });
});
