/**
 * Object timeranges and key_frame_counts (TAMS 8.2, ADR 0036): set by an object's first segment,
 * kept in the store on every engine, copied onto the segments that use part of an object; the
 * 8.2 rules of segment registration; 7.0's answers and registrations as they always were.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { and, col } from '../../src/db/predicate.ts';
import type { MediaObjectV8 } from '../../src/objects/objects.v8.schemas.ts';
import type { SegmentPostBody } from '../../src/segments/segments.objects.ts';
import type { FailedSegment } from '../../src/segments/segments.registration.ts';
import { otrOf, timesOf } from '../../src/store/objects/object-times.ts';
import { T } from '../../src/store/tables.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { getAndHead } from '../http/fixtures.ts';
import { addSegments, FAST_WORKERS, getSegments, newFlow, objectIds, secs } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ env: FAST_WORKERS });
});
afterAll(() => server.close());

/** GET /objects/{id} as 8.2 answers it (the service; the 8.2 mount's route calls it). */
async function object82(id: string): Promise<MediaObjectV8> {
  return (await server.runtime.objects.get(id, undefined, 10, '8.2')).object;
}

/** A Flow's segments as 8.2 lists them with include_object_timerange=true (both ways of making a page). */
async function segments82(flowId: string) {
  const query = { reverse: false, limit: 100, urls: { verbose: false, labels: new Set<string>() } };
  const ctx = { baseUrl: server.url, expiresIn: 60 };
  const view = { objectTimerange: true };
  const listed = await server.runtime.segments.list(flowId, { ...query, view }, ctx);
  const page = await server.runtime.segments.listPage(flowId, { ...query, view }, ctx);
  const body = Buffer.isBuffer(page.body) ? JSON.parse(page.body.toString('utf8')) : page.body;
  expect(JSON.parse(JSON.stringify(listed.items))).toEqual(body);
  return listed.items;
}

/**
 * The objects' times as the store holds them: on their first reference rows (object_refs), where
 * the registration writes them, or on their own rows once that reference is gone.
 */
async function storedTimes(own: TestServer, ids: readonly string[]) {
  const { db } = own.runtime;
  const [objects, refs] = await Promise.all([
    db.select(T.objects, { where: and(col('id').in(ids)) }),
    db.select(T.objectRefs, { where: and(col('object_id').in(ids), col('first').eq(true)) }),
  ]);
  const onRow = new Map(objects.map((r) => [r.id as string, timesOf(r)]));
  const onRef = new Map(refs.map((r) => [r.object_id as string, timesOf(r)]));
  const show = (t: ReturnType<typeof timesOf>) =>
    t && `${t.timerange.format()} kfc=${t.key_frame_count ?? '-'}`;
  return new Map(ids.map((id) => [id, { row: show(onRow.get(id)), ref: show(onRef.get(id)) }]));
}

async function register82(
  flowId: string,
  body: SegmentPostBody | SegmentPostBody[],
): Promise<FailedSegment[]> {
  return server.runtime.segments.register(flowId, body, '8.2');
}

/** The 8.2 registration's refusal of one segment: its message. */
async function refused82(flowId: string, body: SegmentPostBody): Promise<string> {
  const failures = await register82(flowId, [body]);
  expect(failures, JSON.stringify(body)).toHaveLength(1);
  return failures[0]?.error?.summary ?? '';
}

describe('objects registered through 7.0', () => {
  it('take the timerange and key_frame_count of their first segment; 7.0 shows neither', async () => {
    const flowId = await newFlow(server);
    const [a, b, c] = await objectIds(server, flowId, 3);
    await addSegments(server, flowId, [
      { object_id: a as string, timerange: secs(0, 10), key_frame_count: 3 },
      { object_id: b as string, timerange: secs(10, 20), ts_offset: '10:0' },
      {
        object_id: c as string,
        timerange: '[20:0_30:0]',
        ts_offset: '-5:0',
        sample_offset: 4,
        sample_count: 9,
      },
    ]);
    expect(await object82(a as string)).toMatchObject({ timerange: '[0:0_10:0)', key_frame_count: 3 });
    expect(await object82(b as string)).toMatchObject({ timerange: '[0:0_10:0)' });
    expect(await object82(b as string)).not.toHaveProperty('key_frame_count');
    // 7.0 says nothing of the object's extent: its first segment's default holds.
    expect(await object82(c as string)).toMatchObject({ timerange: '[25:0_35:0]' });

    // On the rows of their first references: the registration wrote no object row.
    const stored = await storedTimes(server, [a, b, c] as string[]);
    expect([...stored.values()]).toEqual([
      { row: undefined, ref: '[0:0_10:0) kfc=3' },
      { row: undefined, ref: '[0:0_10:0) kfc=-' },
      { row: undefined, ref: '[25:0_35:0] kfc=-' },
    ]);

    const res = await getAndHead(server, `/objects/${a}`);
    expect(res.status).toBe(200);
    assertSpecValid('object.json', res.body);
    expect(res.body).toEqual({ id: a, referenced_by_flows: [flowId], first_referenced_by_flow: flowId });
  });

  it("keep it when re-used in part; the segment carries the object's timerange, 7.0 answers as before", async () => {
    const source = await newFlow(server);
    const [id] = await objectIds(server, source, 1);
    const objectId = id as string;
    await addSegments(server, source, {
      object_id: objectId,
      timerange: secs(100, 110),
      ts_offset: '100:0',
      key_frame_count: 5,
    });
    const edit = await newFlow(server);
    // 7.0 checks none of 8.2's rules: another key_frame_count, a part outside the object.
    await addSegments(server, edit, [
      {
        object_id: objectId,
        timerange: secs(0, 4),
        ts_offset: '-2:0',
        sample_offset: 50,
        sample_count: 100,
        key_frame_count: 1,
      },
      { object_id: objectId, timerange: secs(4, 20), ts_offset: '4:0' },
    ]);
    const listed = await getSegments(server, edit);
    expect(listed.body).toEqual([
      expect.objectContaining({
        object_id: objectId,
        timerange: secs(0, 4),
        ts_offset: '-2:0',
        sample_offset: 50,
        sample_count: 100,
        key_frame_count: 1,
      }),
      expect.objectContaining({ object_id: objectId, timerange: secs(4, 20), ts_offset: '4:0' }),
    ]);
    for (const s of listed.body) expect(s).not.toHaveProperty('object_timerange');

    expect((await object82(objectId)).timerange).toBe('[0:0_10:0)');
    expect((await segments82(edit)).map((s) => s.object_timerange)).toEqual(['[0:0_10:0)', '[0:0_10:0)']);
    expect((await segments82(source)).map((s) => s.object_timerange)).toEqual(['[0:0_10:0)']);
    // Only the segments using part of the object hold its timerange.
    const rows = await server.runtime.db.select(T.segments, { where: and(col('object_id').eq(objectId)) });
    const held = rows.map((r) => [r.flow_id, otrOf(r)?.format()]).sort();
    expect(held).toEqual(
      [
        [edit, '[0:0_10:0)'],
        [edit, '[0:0_10:0)'],
        [source, undefined],
      ].sort(),
    );
  });
});

describe('8.2 registration', () => {
  it('sets the object timerange given at first use, and refuses one the segment does not lie within', async () => {
    const flowId = await newFlow(server);
    const [a, b, c] = (await objectIds(server, flowId, 3)) as [string, string, string];
    expect(
      await refused82(flowId, { object_id: a, timerange: secs(0, 10), object_timerange: secs(2, 10) }),
    ).toContain(`is not within the timerange of object ${a} ([2:0_10:0))`);
    expect(
      await refused82(flowId, {
        object_id: b,
        timerange: secs(10, 20),
        ts_offset: '10:0',
        sample_offset: 25,
      }),
    ).toContain('give the object_timerange of the whole object');
    expect(
      await register82(flowId, {
        object_id: a,
        timerange: secs(0, 10),
        object_timerange: '[-1:0_12:0)',
        key_frame_count: 2,
      }),
    ).toEqual([]);
    expect(
      await register82(flowId, {
        object_id: b,
        timerange: secs(10, 20),
        ts_offset: '10:0',
        sample_offset: 25,
        object_timerange: '[-1:0_10:0)',
      }),
    ).toEqual([]);
    // A new object with sample counts but none of its start cut off takes the default.
    expect(await register82(flowId, { object_id: c, timerange: secs(20, 30), sample_count: 250 })).toEqual(
      [],
    );
    expect(await object82(a)).toMatchObject({ timerange: '[-1:0_12:0)', key_frame_count: 2 });
    expect(await object82(b)).toMatchObject({ timerange: '[-1:0_10:0)' });
    expect(await object82(c)).toMatchObject({ timerange: secs(20, 30) });
    // An object's timerange is that of the media in it: bounded, not empty.
    const [d] = (await objectIds(server, flowId, 1)) as [string];
    for (const unbounded of ['_', '[0:0_', '_40:0)', '()']) {
      expect(
        await refused82(flowId, { object_id: d, timerange: secs(30, 40), object_timerange: unbounded }),
      ).toContain('must have a start and an end, and not be empty');
    }
    // Their segments use part of their objects: they hold the objects' timeranges.
    expect((await segments82(flowId)).map((s) => s.object_timerange)).toEqual([
      '[-1:0_12:0)',
      '[-1:0_10:0)',
      secs(20, 30),
    ]);
  });

  it("refuses a re-use that changes the object's properties or leaves its timerange; 7.0 takes them", async () => {
    const source = await newFlow(server);
    const [id] = await objectIds(server, source, 1);
    const objectId = id as string;
    await addSegments(server, source, { object_id: objectId, timerange: secs(0, 10), key_frame_count: 4 });
    const edit = await newFlow(server);
    const outside = { object_id: objectId, timerange: secs(0, 5), ts_offset: '-6:0' };
    const otherKeyFrames = { object_id: objectId, timerange: secs(10, 12), key_frame_count: 1 };
    const otherRange = {
      object_id: objectId,
      timerange: secs(20, 22),
      ts_offset: '20:0',
      object_timerange: secs(0, 12),
    };
    expect(await refused82(edit, outside)).toContain(
      `the segment's timerange - ts_offset ([6:0_11:0)) is not within the timerange of object ${objectId} ([0:0_10:0))`,
    );
    expect(await refused82(edit, otherKeyFrames)).toContain(
      `key_frame_count 1 conflicts with object ${objectId}'s key_frame_count (4)`,
    );
    expect(await refused82(edit, otherRange)).toContain(
      `object_timerange [0:0_12:0) conflicts with object ${objectId}'s timerange [0:0_10:0)`,
    );
    const single = await server.post(`/flows/${edit}/segments`, outside);
    expect(single.status, '7.0 takes what 8.2 refuses').toBe(201);
    expect(await server.runtime.segments.register(edit, [otherKeyFrames, otherRange], '7.0')).toEqual([]);

    const within = {
      object_id: objectId,
      timerange: secs(30, 33),
      ts_offset: '28:0',
      key_frame_count: 4,
      object_timerange: secs(0, 10),
    };
    expect(await register82(edit, within)).toEqual([]);
    expect((await segments82(edit)).at(-1)).toMatchObject({
      timerange: secs(30, 33),
      object_timerange: secs(0, 10),
    });
  });

  it('checks a re-use against the first use of the same request', async () => {
    const flowId = await newFlow(server);
    const [id] = await objectIds(server, flowId, 1);
    const objectId = id as string;
    const failures = await register82(flowId, [
      { object_id: objectId, timerange: secs(0, 10), key_frame_count: 2 },
      { object_id: objectId, timerange: secs(10, 15), ts_offset: '10:0' },
      { object_id: objectId, timerange: secs(15, 20), ts_offset: '10:0', key_frame_count: 3 },
      { object_id: objectId, timerange: secs(20, 30), ts_offset: '15:0' },
    ]);
    expect(failures.map((f) => f.timerange)).toEqual([secs(15, 20), secs(20, 30)]);
    expect((await segments82(flowId)).map((s) => s.object_timerange)).toEqual([secs(0, 10), secs(0, 10)]);
  });
});

describe("the first reference's row", () => {
  it("keeps the times; when it goes, the object's own row gets them, and 8.2 still shows them", async () => {
    const source = await newFlow(server);
    const [id] = await objectIds(server, source, 1);
    const objectId = id as string;
    await addSegments(server, source, { object_id: objectId, timerange: secs(0, 10), key_frame_count: 6 });
    const edit = await newFlow(server);
    await addSegments(server, edit, { object_id: objectId, timerange: secs(50, 52), ts_offset: '48:0' });
    expect((await storedTimes(server, [objectId])).get(objectId)).toEqual({
      row: undefined,
      ref: '[0:0_10:0) kfc=6',
    });
    expect((await server.delete(`/flows/${source}/segments`)).status).toBe(204);
    expect((await storedTimes(server, [objectId])).get(objectId)).toEqual({
      row: '[0:0_10:0) kfc=6',
      ref: undefined,
    });
    expect(await object82(objectId)).toMatchObject({
      referenced_by_flows: [edit],
      timerange: secs(0, 10),
      key_frame_count: 6,
    });
    // And 8.2's rules hold against them still.
    expect(
      await refused82(edit, { object_id: objectId, timerange: secs(60, 62), key_frame_count: 1 }),
    ).toContain(`key_frame_count 1 conflicts with object ${objectId}'s key_frame_count (6)`);
  });

  it('stays when the first segment goes and a later one of its Flow stays', async () => {
    const flowId = await newFlow(server);
    const [id] = await objectIds(server, flowId, 1);
    const objectId = id as string;
    await addSegments(server, flowId, [
      { object_id: objectId, timerange: secs(0, 10), key_frame_count: 3 },
      { object_id: objectId, timerange: secs(40, 45), ts_offset: '40:0' },
    ]);
    const del = await server.delete(`/flows/${flowId}/segments`, { query: { timerange: secs(0, 10) } });
    expect(del.status).toBe(204);
    expect((await storedTimes(server, [objectId])).get(objectId)).toEqual({
      row: undefined,
      ref: '[0:0_10:0) kfc=3',
    });
    expect(await object82(objectId)).toMatchObject({
      timerange: secs(0, 10),
      first_referenced_by_flow: flowId,
    });
    expect((await segments82(flowId)).map((s) => s.object_timerange)).toEqual([secs(0, 10)]);
  });

  it('keeps them across a restart', async () => {
    const dir = tempDir('tams-otr-restart-');
    try {
      let ids: string[];
      let own = await startServer({ dataDir: dir.path, workers: false });
      try {
        const flowId = await newFlow(own);
        ids = await objectIds(own, flowId, 2);
        await addSegments(own, flowId, [
          { object_id: ids[0] as string, timerange: secs(0, 10), key_frame_count: 2 },
          { object_id: ids[1] as string, timerange: secs(10, 20), ts_offset: '10:0' },
        ]);
      } finally {
        await own.close();
      }
      own = await startServer({ dataDir: dir.path, workers: false });
      try {
        const objects = await Promise.all(
          ids.map(
            async (id) => (await own.runtime.objects.get(id, undefined, 10, '8.2')).object as MediaObjectV8,
          ),
        );
        expect(objects.map((o) => [o.timerange, o.key_frame_count])).toEqual([
          [secs(0, 10), 2],
          [secs(0, 10), undefined],
        ]);
      } finally {
        await own.close();
      }
    } finally {
      dir.remove();
    }
  });
});
