/**
 * POST /flows/{flowId}/segments (DIGEST §6.3, §14.7, §14.9-11): single and bulk registration,
 * overlap (inclusivity-aware), object rules (allocation, reuse, external objects), the stored
 * fields, refusals, and the Flow's timerange and segments_updated.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectError, getFlow, multiFlow, putValue } from '../http/fixtures.ts';
import {
  addSegments,
  contiguous,
  getSegments,
  newFlow,
  objectIds,
  type Segment,
  secs,
  timeranges,
} from './helpers.ts';

let server: TestServer;
/** Moved on between a read and a change, so the change's new time is a later one. */
const clock = steppingClock();

beforeAll(async () => {
  server = await startServer({ clock });
});
afterAll(() => server.close());

interface BulkFailure {
  failed_segments: { object_id: string; timerange?: string; error?: Doc }[];
}

const post = (flowId: string, body: unknown) => server.post<BulkFailure>(`/flows/${flowId}/segments`, body);

/** A 200 partial success: the body is a valid flow-segment-bulk-failure.json. */
function expectFailures(
  res: Awaited<ReturnType<typeof post>>,
  expected: { object_id: string; timerange: string }[],
) {
  expect(res.status, res.text).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/json');
  assertSpecValid('flow-segment-bulk-failure.json', res.body);
  expect(res.body.failed_segments.map((f) => ({ object_id: f.object_id, timerange: f.timerange }))).toEqual(
    expected,
  );
  for (const f of res.body.failed_segments) {
    assertSpecValid('error.json', f.error);
    expect(f.error?.summary).toEqual(expect.any(String));
  }
}

describe('POST segments: single and array', () => {
  it('registers one segment (201, no body) and an array (201)', async () => {
    const flowId = await newFlow(server);
    const [a, b, c] = await objectIds(server, flowId, 3);
    const single = await post(flowId, { object_id: a, timerange: secs(0, 10) });
    expect(single.status).toBe(201);
    expect(single.text).toBe('');
    const many = await post(flowId, contiguous([b as string, c as string], 10));
    expect(many.status).toBe(201);
    expect(many.text).toBe('');
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(10, 20), secs(20, 30)]);
  });

  it('accepts an empty array (201) and registers nothing', async () => {
    const flowId = await newFlow(server);
    expect((await post(flowId, [])).status).toBe(201);
    expect(await timeranges(server, flowId)).toEqual([]);
  });
});

describe('POST segments: overlap', () => {
  it('refuses a single segment overlapping an existing one (400)', async () => {
    const flowId = await newFlow(server);
    const [a, b] = await objectIds(server, flowId, 2);
    await addSegments(server, flowId, { object_id: a as string, timerange: secs(0, 10) });
    for (const timerange of [secs(0, 10), secs(5, 15), '[9:0_9:500000000)', '[-5:0_0:1)', '[9:999999999]']) {
      expectError(await post(flowId, { object_id: b, timerange }), 400);
    }
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10)]);
  });

  it('reports an overlapping segment of an array in failed_segments (200) and registers the rest', async () => {
    const flowId = await newFlow(server);
    const [a, b, c, d] = await objectIds(server, flowId, 4);
    await addSegments(server, flowId, { object_id: a as string, timerange: secs(10, 20) });
    const res = await post(flowId, [
      { object_id: b, timerange: secs(0, 10) },
      { object_id: c, timerange: secs(15, 25) },
      { object_id: d, timerange: secs(20, 30) },
    ]);
    expectFailures(res, [{ object_id: c as string, timerange: secs(15, 25) }]);
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(10, 20), secs(20, 30)]);
  });

  it('refuses overlap within one array, keeping the first', async () => {
    const flowId = await newFlow(server);
    const [a, b, c] = await objectIds(server, flowId, 3);
    const res = await post(flowId, [
      { object_id: a, timerange: secs(0, 10) },
      { object_id: b, timerange: secs(5, 15) },
      { object_id: c, timerange: secs(10, 20) },
    ]);
    expectFailures(res, [{ object_id: b as string, timerange: secs(5, 15) }]);
    expect(await timeranges(server, flowId)).toEqual([secs(0, 10), secs(10, 20)]);
  });

  it('allows adjacent segments when the first end is exclusive, not when it is inclusive', async () => {
    const flowId = await newFlow(server);
    const [a, b, c, d, e] = await objectIds(server, flowId, 5);
    await addSegments(server, flowId, { object_id: a as string, timerange: secs(0, 10) });
    await addSegments(server, flowId, { object_id: b as string, timerange: '[10:0_20:0]' });
    expectError(await post(flowId, { object_id: c, timerange: secs(20, 30) }), 400);
    await addSegments(server, flowId, { object_id: c as string, timerange: '[20:1_30:0)' });
    // An instantaneous segment at the exclusive end of the previous one (DIGEST §5.4, 8.2 text).
    await addSegments(server, flowId, { object_id: d as string, timerange: '[30:0]' });
    expectError(await post(flowId, { object_id: e, timerange: secs(30, 40) }), 400);
    await addSegments(server, flowId, { object_id: e as string, timerange: '[-10:0_0:0)' });
    expect(await timeranges(server, flowId)).toEqual([
      '[-10:0_0:0)',
      secs(0, 10),
      '[10:0_20:0]',
      '[20:1_30:0)',
      '[30:0]',
    ]);
  });

  it('refuses re-posting an existing segment (400)', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    const segment = { object_id: a as string, timerange: secs(0, 10) };
    await addSegments(server, flowId, segment);
    expectError(await post(flowId, segment), 400);
    expectFailures(await post(flowId, [segment]), [segment]);
  });
});

describe('POST segments: objects', () => {
  it('refuses an object allocated for another Flow and never used, which its own Flow can use', async () => {
    const mine = await newFlow(server);
    const theirs = await newFlow(server);
    const [foreign] = await objectIds(server, theirs, 1);
    const [own] = await objectIds(server, mine, 1);
    expectError(await post(mine, { object_id: foreign, timerange: secs(0, 10) }), 400);
    expectFailures(
      await post(mine, [
        { object_id: foreign, timerange: secs(0, 10) },
        { object_id: own, timerange: secs(10, 20) },
      ]),
      [{ object_id: foreign as string, timerange: secs(0, 10) }],
    );
    await addSegments(server, theirs, { object_id: foreign as string, timerange: secs(0, 10) });
  });

  it('accepts an object already used by another Flow (reuse); /objects lists both Flows', async () => {
    const first = await newFlow(server);
    const second = await newFlow(server);
    const [shared] = await objectIds(server, first, 1);
    await addSegments(server, first, { object_id: shared as string, timerange: secs(0, 10) });
    await addSegments(server, second, {
      object_id: shared as string,
      timerange: secs(100, 110),
      ts_offset: '100:0',
    });
    const object = await server.get<Doc>(`/objects/${shared}`);
    expect(object.status).toBe(200);
    assertSpecValid('object.json', object.body);
    expect((object.body.referenced_by_flows as string[]).sort()).toEqual([first, second].sort());
    expect(object.body.first_referenced_by_flow).toBe(first);
    // The reused object's controlled URLs come with the second Flow's segment too.
    // (The fs store gives a presigned and a direct URL, an S3 backend the presigned one.)
    const own = (await getSegments(server, first)).body[0]?.get_urls?.map((u) => u.presigned);
    expect(own?.length).toBeGreaterThan(0);
    const listed = await getSegments(server, second);
    expect(listed.body[0]?.get_urls?.map((u) => u.presigned)).toEqual(own);
  });

  it('refuses an unknown object without get_urls, accepts it with get_urls (external)', async () => {
    const flowId = await newFlow(server);
    const unknown = `unknown-${randomUUID()}`;
    expectError(await post(flowId, { object_id: unknown, timerange: secs(0, 10) }), 400);
    expectError(await post(flowId, { object_id: unknown, timerange: secs(0, 10), get_urls: [] }), 400);
    const url = { url: 'https://media.example.com/x.ts', label: 'external' };
    await addSegments(server, flowId, { object_id: unknown, timerange: secs(0, 10), get_urls: [url] });
    // Once known, the external object can be used again without get_urls (reuse); its URLs are
    // the object's (TAMS 8.2's object instances, ADR 0038), so the second segment has them too.
    await addSegments(server, flowId, { object_id: unknown, timerange: secs(10, 20) });
    const listed = await getSegments(server, flowId);
    expect(listed.body.map((s) => s.get_urls)).toEqual([[url], [url]]);
  });
});

describe('POST segments: stored fields', () => {
  it('keeps and returns ts_offset, last_duration, sample_offset, sample_count and key_frame_count', async () => {
    const flowId = await newFlow(server);
    const [a, b] = await objectIds(server, flowId, 2);
    const full: Segment = {
      object_id: a as string,
      timerange: '[1694429247:40000000_1694429249:40000000)',
      ts_offset: '1694429200:500000000',
      last_duration: '0:40000000',
      sample_offset: 3,
      sample_count: 50,
      key_frame_count: 2,
    };
    const bare: Segment = { object_id: b as string, timerange: '[1694429250:0_1694429251:0)' };
    await addSegments(server, flowId, [full, bare]);
    const listed = await getSegments(server, flowId, { accept_get_urls: '' });
    expect(listed.body.map(({ get_urls, ...rest }) => rest)).toEqual([full, bare]);
  });

  it('returns timestamps in canonical form', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    await addSegments(server, flowId, {
      object_id: a as string,
      timerange: '[0:500000000_1:0)',
      ts_offset: '-1:500000000',
    });
    const [segment] = (await getSegments(server, flowId, { accept_get_urls: '' })).body;
    expect(segment?.timerange).toBe('[0:500000000_1:0)');
    expect(segment?.ts_offset).toBe('-1:500000000');
  });
});

describe('POST segments: refusals', () => {
  it('refuses a Flow without a container (400)', async () => {
    const multi = multiFlow();
    delete multi.container;
    expect((await server.put(`/flows/${multi.id}`, multi)).status).toBe(201);
    const other = await newFlow(server);
    const [a] = await objectIds(server, other, 1);
    expectError(await post(multi.id as string, { object_id: a, timerange: secs(0, 10) }), 400);
  });

  it('refuses a read-only Flow (403)', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    expect((await putValue(server, `/flows/${flowId}/read_only`, true)).status).toBe(204);
    expectError(await post(flowId, { object_id: a, timerange: secs(0, 10) }), 403);
    expectError(await post(flowId, [{ object_id: a, timerange: secs(0, 10) }]), 403);
    expect(await timeranges(server, flowId)).toEqual([]);
  });

  it('answers 404 for an unknown or malformed Flow id', async () => {
    expectError(await post(randomUUID(), { object_id: 'x', timerange: secs(0, 10) }), 404);
    expectError(await post('nope', { object_id: 'x', timerange: secs(0, 10) }), 404);
  });

  it('refuses empty, unbounded and exclusive-start timeranges, alone (400) and in arrays (200)', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    const bad = ['()', '', '[10:0_5:0)', '(5:0)', '_', '[0:0_', '_10:0)', '(0:0_10:0)', '(0:0_10:0]'];
    for (const timerange of bad) expectError(await post(flowId, { object_id: a, timerange }), 400);
    const res = await post(
      flowId,
      bad.map((timerange) => ({ object_id: a, timerange })),
    );
    expectFailures(
      res,
      bad.map((timerange) => ({ object_id: a as string, timerange })),
    );
    expect(await timeranges(server, flowId)).toEqual([]);
  });

  it('refuses invalid bodies (400)', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    for (const body of [
      '{"object_id": ',
      { timerange: secs(0, 1) },
      { object_id: a },
      { object_id: a, timerange: 'later' },
      { object_id: a, timerange: secs(0, 1), sample_count: 'ten' },
      { object_id: a, timerange: secs(0, 1), get_urls: [{ label: 'no url' }] },
      [{ object_id: a, timerange: 'later' }],
    ]) {
      expectError(await post(flowId, body), 400);
    }
    expectError(await post(flowId, { object_id: a, timerange: secs(0, 1), sample_count: -1 }), 400);
    expect(await timeranges(server, flowId)).toEqual([]);
  });
});

describe('POST segments: the Flow timerange and segments_updated', () => {
  it('follow registrations and deletions', async () => {
    const flowId = await newFlow(server);
    const flowRange = async () =>
      (await server.get<Doc>(`/flows/${flowId}`, { query: { include_timerange: true } })).body.timerange;
    const before = await getFlow(server, flowId);
    expect(before.segments_updated).toBeUndefined();
    expect(await flowRange()).toBe('()');

    const [a, b, c] = await objectIds(server, flowId, 3);
    await addSegments(server, flowId, { object_id: b as string, timerange: secs(10, 20) });
    const afterFirst = await getFlow(server, flowId);
    expect(afterFirst.segments_updated).toEqual(expect.any(String));
    expect(afterFirst.metadata_updated).toBe(before.metadata_updated);
    expect(await flowRange()).toBe(secs(10, 20));

    clock.advance();
    await addSegments(server, flowId, [
      { object_id: a as string, timerange: secs(0, 10) },
      { object_id: c as string, timerange: '[20:0_30:0]' },
    ]);
    const afterMore = await getFlow(server, flowId);
    expect(Date.parse(afterMore.segments_updated as string)).toBeGreaterThan(
      Date.parse(afterFirst.segments_updated as string),
    );
    expect(await flowRange()).toBe('[0:0_30:0]');
    expect(
      (
        await server.get<Doc>(`/flows/${flowId}`, {
          query: { include_timerange: true, timerange: '[5:0_15:0)' },
        })
      ).body.timerange,
    ).toBe('[5:0_15:0)');

    // A failed registration changes neither.
    expectError(await post(flowId, { object_id: a, timerange: secs(0, 10) }), 400);
    expect((await getFlow(server, flowId)).segments_updated).toBe(afterMore.segments_updated);

    clock.advance();
    expect(
      (await server.delete(`/flows/${flowId}/segments`, { query: { timerange: '[0:0_10:0)' } })).status,
    ).toBe(204);
    const afterDelete = await getFlow(server, flowId);
    expect(Date.parse(afterDelete.segments_updated as string)).toBeGreaterThan(
      Date.parse(afterMore.segments_updated as string),
    );
    expect(await flowRange()).toBe('[10:0_30:0]');

    expect(
      (await server.delete(`/flows/${flowId}/segments`, { query: { timerange: '[20:0_' } })).status,
    ).toBe(204);
    expect(await flowRange()).toBe(secs(10, 20));
    expect((await server.delete(`/flows/${flowId}/segments`)).status).toBe(204);
    expect(await flowRange()).toBe('()');
    // Flow listings filter on the computed timerange: an empty one is a Flow with no content.
    const empty = await server.get<Doc[]>('/flows', { query: { timerange: '()', limit: 1000 } });
    expect(empty.body.map((f) => f.id)).toContain(flowId);
  });
});

describe('POST segments: a large batch', () => {
  it('accepts 5,000 segments in one request', async () => {
    const flowId = await newFlow(server);
    const ids = await objectIds(server, flowId, 5000);
    const batch = contiguous(ids, 0, 2);
    const started = performance.now();
    const res = await post(flowId, batch);
    const elapsed = performance.now() - started;
    console.log(`POST of 5,000 segments in one request: ${elapsed.toFixed(0)} ms`);
    expect(res.status, res.text).toBe(201);
    const first = await getSegments(server, flowId, { limit: 1 });
    expect(first.body[0]?.timerange).toBe(secs(0, 2));
    const last = await getSegments(server, flowId, { limit: 1, reverse_order: true });
    expect(last.body[0]?.timerange).toBe(secs(9998, 10000));
    expect(
      (await server.get<Doc>(`/flows/${flowId}`, { query: { include_timerange: true } })).body.timerange,
    ).toBe(secs(0, 10000));
    // Every one is there: a page of 1000 at offsets.
    const middle = await getSegments(server, flowId, { timerange: '[5000:0_7000:0)', limit: 1000 });
    expect(middle.body).toHaveLength(1000);
  });
});
