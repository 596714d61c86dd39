/**
 * Values larger than one database cell holds (CELL_MAX_BYTES: VAST DataBase's documented maximum
 * cell size, 126 KB) are refused at the API with 400 and the TAMS error body naming the field, on
 * DuckDB as on VAST (this file runs in the `vast` project too, on the fake VAST with its cell
 * limit on): never a 500, never stored cut short, and nothing changed. A value that fits is
 * stored and read back whole.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CELL_MAX_BYTES } from '../../src/common/cells.ts';
import { eventServer } from '../events/events.fixture.ts';
import type { TestResponse, TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, expectError, getFlow, getSource, putValue, videoFlow } from './fixtures.ts';

/** Text of exactly `bytes` bytes in UTF-8 (2-byte characters, an ASCII one when odd). */
const textOf = (bytes: number) => 'é'.repeat(Math.floor(bytes / 2)) + 'x'.repeat(bytes % 2);
const OVER = textOf(CELL_MAX_BYTES + 1);
const grouped = (n: number) => n.toLocaleString('en-US');

let server: TestServer;
let flow: Doc;
let flowId: string;
let sourceId: string;
beforeAll(async () => {
  // The event server allows loopback webhook URLs, so a webhook body reaches the store.
  server = await eventServer();
  flow = await createFlow(server, videoFlow({ label: 'before', tags: { genre: 'news' } }));
  flowId = flow.id as string;
  sourceId = flow.source_id as string;
});
afterAll(() => server.close());

function expectTooLarge(res: TestResponse<unknown>, field: string): void {
  expectError(res, 400);
  const summary = (res.body as Doc).summary as string;
  expect(summary.startsWith(`${field} is `), summary).toBe(true);
  expect(summary).toMatch(/bytes/);
}

describe('a tag value over the cell limit', () => {
  it('is a 400 naming the tag, on a Flow and a Source, and nothing changes', async () => {
    const flowBefore = await getFlow(server, flowId);
    const sourceBefore = await getSource(server, sourceId);
    expectTooLarge(await putValue(server, `/flows/${flowId}/tags/genre`, OVER), 'tags.genre');
    expectTooLarge(await putValue(server, `/sources/${sourceId}/tags/genre`, OVER), 'tags.genre');
    const replaced = { ...flowBefore, tags: { genre: 'news', notes: OVER } };
    expectTooLarge(await server.put(`/flows/${flowId}`, replaced), 'tags.notes');
    const fresh = videoFlow({ tags: { notes: OVER } });
    expectTooLarge(await server.put(`/flows/${fresh.id}`, fresh), 'tags.notes');
    expect((await server.get(`/flows/${fresh.id}`)).status).toBe(404);
    expect(await getFlow(server, flowId)).toEqual(flowBefore);
    expect(await getSource(server, sourceId)).toEqual(sourceBefore);
  });

  it('is stored and read back whole when it fits', async () => {
    const value = textOf(CELL_MAX_BYTES / 2);
    expect((await putValue(server, `/flows/${flowId}/tags/long`, value)).status).toBe(204);
    expect((await server.get(`/flows/${flowId}/tags/long`)).body).toBe(value);
    expect((await putValue(server, `/sources/${sourceId}/tags/long`, value)).status).toBe(204);
    expect((await getSource(server, sourceId)).tags).toMatchObject({ long: value });
    expect((await server.delete(`/flows/${flowId}/tags/long`)).status).toBe(204);
  });
});

describe('Flow and Source properties', () => {
  it('label, description and an open property over the limit are 400 naming them', async () => {
    expectTooLarge(await putValue(server, `/flows/${flowId}/label`, OVER), 'label');
    expectTooLarge(await putValue(server, `/flows/${flowId}/description`, OVER), 'description');
    expectTooLarge(await putValue(server, `/sources/${sourceId}/label`, OVER), 'label');
    // Properties the spec leaves open are kept verbatim, all together in one value.
    expectTooLarge(
      await server.put(`/flows/${flowId}`, { ...flow, x_notes: { text: OVER } }),
      'x_notes.text',
    );
    expect((await getFlow(server, flowId)).label).toBe('before');
  });

  it('a Flow whose fields fit one by one but not together is a 400 naming its largest', async () => {
    const third = textOf(Math.floor(CELL_MAX_BYTES / 3));
    const big = videoFlow({ label: third, description: third, tags: { a: third, b: 'x' } });
    const res = await server.put(`/flows/${big.id}`, big);
    expectError(res, 400);
    const summary = (res.body as Doc).summary as string;
    expect(summary).toMatch(/^a Flow is [\d,]+ bytes as JSON; a Flow is stored whole in one value/);
    expect(summary).toMatch(/largest fields: (label|description|tags) \(/);
    expect(summary).toContain(grouped(CELL_MAX_BYTES - 64));
    expect((await server.get(`/flows/${big.id}`)).status).toBe(404);
  });
});

describe('segments', () => {
  /** `n` segments of one second each from `from`, on external objects with a long URL each. */
  const segments = (n: number, from: number, url: string) =>
    Array.from({ length: n }, (_, i) => ({
      object_id: `external-${from + i}`,
      timerange: `[${from + i}:0_${from + i + 1}:0)`,
      get_urls: [{ url: `${url}/${from + i}` }],
    }));

  it('a segment whose get_urls cannot fit is refused alone, named in failed_segments', async () => {
    const fine = segments(1, 0, 'https://cdn.test');
    const [huge] = segments(1, 1, `https://cdn.test/${'x'.repeat(CELL_MAX_BYTES)}`);
    const res = await server.post<Doc>(`/flows/${flowId}/segments`, [...fine, huge]);
    expect(res.status, res.text).toBe(200);
    const failed = res.body.failed_segments as { object_id: string; error: Doc }[];
    expect(failed.map((f) => f.object_id)).toEqual(['external-1']);
    expect(failed[0]?.error.summary).toMatch(
      /^get_urls\.0\.url is [\d,]+ bytes as JSON; a segment is stored whole/,
    );
    const listed = await server.get<Doc[]>(`/flows/${flowId}/segments`);
    expect(listed.body.map((s) => s.object_id)).toEqual(['external-0']);
  });

  it('a bulk registration larger than one event holds comes in several events, none lost', async () => {
    const flowB = await createFlow(server, videoFlow());
    const id = flowB.id as string;
    // 600 segments of about 400 bytes: some 240 KB of segments, two events or more.
    const bulk = segments(600, 0, `https://cdn.test/${'p'.repeat(300)}`);
    const res = await server.post(`/flows/${id}/segments`, bulk);
    expect(res.status, res.text).toBe(201);
    const listed = await server.get<Doc[]>(`/flows/${id}/segments`, { query: { limit: 1000 } });
    expect(listed.body).toHaveLength(600);
    const events = await server.runtime.db.select('events', {
      where: { all: [{ column: 'flow_id', any: [{ op: 'eq', value: id }] }] },
      orderBy: [{ column: 'seq' }],
    });
    const added = events.filter((e) => e.event_type === 'flows/segments_added');
    expect(added.length).toBeGreaterThan(1);
    const objectIds = added.flatMap((e) =>
      ((e.payload as Doc).segments as Doc[]).map((s) => s.object_id as string),
    );
    expect(objectIds).toEqual(bulk.map((s) => s.object_id));
    for (const e of added) expect(Buffer.byteLength(JSON.stringify(e.payload))).toBeLessThan(CELL_MAX_BYTES);
  });
});

describe('webhooks and the service', () => {
  it('a webhook url, api key or filters over the limit are a 400 naming them; nothing registered', async () => {
    const url = 'http://127.0.0.1:1/hook';
    const cases: [Doc, string][] = [
      [{ url: `${url}/${'x'.repeat(CELL_MAX_BYTES)}` }, 'url'],
      [{ url, api_key_name: 'k', api_key_value: OVER }, 'api_key_value'],
      [{ url, flow_ids: Array.from({ length: 4000 }, () => crypto.randomUUID()) }, 'flow_ids'],
    ];
    for (const [body, field] of cases) {
      const res = await server.post('/service/webhooks', { events: ['flows/created'], ...body });
      expectError(res, 400);
      expect((res.body as Doc).summary).toMatch(new RegExp(`^${field} is [\\d,]+ bytes`));
    }
    expect((await server.get<unknown[]>('/service/webhooks')).body).toEqual([]);
  });

  it('a service name or description over the limit is a 400 naming it', async () => {
    const before = (await server.get<Doc>('/service')).body;
    expectTooLarge(await server.post('/service', { name: OVER }), 'name');
    expectTooLarge(await server.post('/service', { description: OVER }), 'description');
    expect((await server.get<Doc>('/service')).body).toEqual(before);
  });
});
