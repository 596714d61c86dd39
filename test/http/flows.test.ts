import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import {
  AUDIO,
  audioFlow,
  createFlow,
  DATA,
  type Doc,
  dataFlow,
  expectError,
  expectGetError,
  getAndHead,
  getFlow,
  getSource,
  IMAGE,
  imageFlow,
  MULTI,
  multiFlow,
  putValue,
  uuid,
  VIDEO,
  videoFlow,
  withoutManaged,
} from './fixtures.ts';

let server: TestServer;
/** Moved on between a read and a change, so the change's new time is a later one. */
const clock = steppingClock();
beforeAll(async () => {
  server = await startServer({ clock });
});
afterAll(async () => {
  await server.close();
});

const INVALID_FLOW = 'Bad request. Invalid flow JSON.';
const FORBIDDEN = 'Forbidden. You do not have permission to modify this flow. It may be marked read-only.';

async function listIds(query: Record<string, string | number | boolean>): Promise<string[]> {
  const res = await getAndHead<Doc[]>(server, '/flows', { query });
  expect(res.status).toBe(200);
  assertSpecValid('flow.json[]', res.body);
  return res.body.map((f) => f.id as string).sort();
}

const sorted = (ids: string[]) => [...ids].sort();

describe('PUT /flows/{flowId}', () => {
  it('creates: 201 with the created Flow as body', async () => {
    const flow = videoFlow({ label: 'new', description: 'a flow', tags: { a: 'b' }, generation: 1 });
    const res = await server.put<Doc>(`/flows/${flow.id}`, flow);
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json');
    assertSpecValid('flow.json', res.body);
    expect(withoutManaged(res.body)).toEqual(flow);
    expect(typeof res.body.metadata_version).toBe('string');
    expect(Number.isNaN(Date.parse(res.body.created as string))).toBe(false);
    expect(res.body.metadata_updated).toBe(res.body.created);
    expect(await getFlow(server, flow.id as string)).toEqual(res.body);
  });

  it('replaces: 204 without a body, and the new document is what GET returns', async () => {
    const flow = videoFlow({ label: 'before', tags: { keep: 'no' } });
    await createFlow(server, flow);
    const replacement: Doc = { ...flow, label: 'after', description: 'added' };
    delete replacement.tags;
    const res = await server.put(`/flows/${flow.id}`, replacement);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    const got = await getFlow(server, flow.id as string);
    expect(withoutManaged(got)).toEqual(replacement);
    expect(got.tags).toBeUndefined();
  });

  it('rejects a body whose id differs from the path with 400', async () => {
    const flow = videoFlow();
    expectError(await server.put(`/flows/${uuid()}`, flow), 400, INVALID_FLOW);
    await expectGetError(server, `/flows/${flow.id}`, 404);
    const { id: _id, ...noId } = flow;
    const path = `/flows/${uuid()}`;
    expectError(await server.put(path, noId), 400, INVALID_FLOW);
    await expectGetError(server, path, 404);
  });

  it('ignores server-managed fields from the client on create and on replace', async () => {
    const flow = videoFlow();
    const clientValues = {
      created: '2001-01-01T00:00:00Z',
      metadata_updated: '2001-01-02T00:00:00Z',
      segments_updated: '2001-01-03T00:00:00Z',
      metadata_version: 'client-version',
      collected_by: [uuid()],
      timerange: '[0:0_10:0)',
    };
    const created = await createFlow(server, { ...flow, ...clientValues });
    for (const doc of [created, await getFlow(server, flow.id as string)]) {
      expect(doc.created).not.toBe(clientValues.created);
      expect(doc.metadata_updated).not.toBe(clientValues.metadata_updated);
      expect(doc.segments_updated).toBeUndefined();
      expect(doc.metadata_version).not.toBe(clientValues.metadata_version);
      expect(doc.collected_by).toBeUndefined();
      expect(doc.timerange).toBeUndefined();
      expect(Date.now() - Date.parse(doc.created as string)).toBeLessThan(60_000);
    }
    const withRange = await server.get<Doc>(`/flows/${flow.id}`, { query: { include_timerange: true } });
    expect(withRange.body.timerange).toBe('()');

    const replace = await server.put(`/flows/${flow.id}`, { ...flow, label: 'x', ...clientValues });
    expect(replace.status).toBe(204);
    const after = await getFlow(server, flow.id as string);
    expect(after.created).toBe(created.created);
    expect(after.segments_updated).toBeUndefined();
    expect(after.collected_by).toBeUndefined();
    expect(after.metadata_version).not.toBe(clientValues.metadata_version);
    expect(after.label).toBe('x');
  });

  it('ignores server-managed fields even when they are malformed (the spec examples have such `created`)', async () => {
    const flow = videoFlow();
    const malformed = {
      created: '2023-12-14T16:34:58.131620',
      metadata_updated: 'yesterday',
      segments_updated: 5,
      metadata_version: { v: 1 },
      collected_by: ['not-a-uuid'],
      timerange: 'garbage',
    };
    const created = await createFlow(server, { ...flow, ...malformed });
    expect(withoutManaged(created)).toEqual(flow);
    expect(created.collected_by).toBeUndefined();
    expect(created.segments_updated).toBeUndefined();
    expect(typeof created.metadata_version).toBe('string');
    expect((await server.put(`/flows/${flow.id}`, { ...flow, ...malformed })).status).toBe(204);
    expect(await getFlow(server, flow.id as string)).toEqual(created);
  });

  it('accepts all five formats with their essence parameters and returns them intact', async () => {
    const flows = [
      videoFlow({
        codec: 'video/raw',
        essence_parameters: {
          frame_rate: { numerator: 30000, denominator: 1001 },
          frame_width: 3840,
          frame_height: 2160,
          bit_depth: 10,
          interlace_mode: 'interlaced_tff',
          colorspace: 'BT2020',
          transfer_characteristic: 'HLG',
          aspect_ratio: { numerator: 16, denominator: 9 },
          pixel_aspect_ratio: { numerator: 1, denominator: 1 },
          component_type: 'YCbCr',
          horiz_chroma_subs: 2,
          vert_chroma_subs: 1,
          unc_parameters: { unc_type: 'v210' },
        },
      }),
      audioFlow({
        codec: 'audio/x-raw-int',
        essence_parameters: {
          sample_rate: 96000,
          channels: 8,
          bit_depth: 24,
          codec_parameters: { coded_frame_size: 1024, mp4_oti: 2 },
          unc_parameters: { unc_type: 'interleaved' },
        },
      }),
      imageFlow(),
      dataFlow(),
      dataFlow({ essence_parameters: {} }),
      multiFlow(),
      multiFlow({ container: undefined, codec: 'application/x-multi', essence_parameters: { any: 'thing' } }),
    ];
    for (const flow of flows) {
      const body = JSON.parse(JSON.stringify(flow));
      const created = await createFlow(server, body);
      expect(withoutManaged(created)).toEqual(body);
      const got = await getAndHead<Doc>(server, `/flows/${flow.id}`);
      assertSpecValid('flow.json', got.body);
      expect(withoutManaged(got.body)).toEqual(body);
    }
  });

  it('does not apply schema defaults to the stored document', async () => {
    const flow = videoFlow({
      essence_parameters: { frame_width: 10, frame_height: 10, frame_rate: { numerator: 25 } },
    });
    await createFlow(server, flow);
    const got = await getFlow(server, flow.id as string);
    expect(got.essence_parameters).toEqual({
      frame_width: 10,
      frame_height: 10,
      frame_rate: { numerator: 25 },
    });
  });

  const invalid: [string, Doc][] = [
    [
      'extra property in video essence_parameters',
      videoFlow({ essence_parameters: { frame_width: 1, frame_height: 1, colour: 'red' } }),
    ],
    ['missing frame_width', videoFlow({ essence_parameters: { frame_height: 1080 } })],
    ['frame_width 0', videoFlow({ essence_parameters: { frame_width: 0, frame_height: 1080 } })],
    ['frame_width a string', videoFlow({ essence_parameters: { frame_width: '1920', frame_height: 1080 } })],
    [
      'wrong interlace_mode enum',
      videoFlow({ essence_parameters: { frame_width: 1, frame_height: 1, interlace_mode: 'sideways' } }),
    ],
    [
      'wrong colorspace enum',
      videoFlow({ essence_parameters: { frame_width: 1, frame_height: 1, colorspace: 'bt709' } }),
    ],
    [
      'wrong unc_type enum',
      videoFlow({
        essence_parameters: { frame_width: 1, frame_height: 1, unc_parameters: { unc_type: 'NV12' } },
      }),
    ],
    [
      'frame_rate without numerator',
      videoFlow({ essence_parameters: { frame_width: 1, frame_height: 1, frame_rate: { denominator: 1 } } }),
    ],
    [
      'avc_parameters incomplete',
      videoFlow({
        essence_parameters: { frame_width: 1, frame_height: 1, avc_parameters: { profile: 100 } },
      }),
    ],
    ['video without codec', videoFlow({ codec: undefined })],
    ['video without essence_parameters', videoFlow({ essence_parameters: undefined })],
    [
      'video with audio essence parameters',
      videoFlow({ essence_parameters: { sample_rate: 48000, channels: 2 } }),
    ],
    ['missing sample_rate', audioFlow({ essence_parameters: { channels: 2 } })],
    ['channels a string', audioFlow({ essence_parameters: { sample_rate: 48000, channels: '2' } })],
    [
      'extra property in audio essence_parameters',
      audioFlow({ essence_parameters: { sample_rate: 48000, channels: 2, layout: '5.1' } }),
    ],
    [
      'wrong audio unc_type enum',
      audioFlow({
        essence_parameters: { sample_rate: 48000, channels: 2, unc_parameters: { unc_type: 'x' } },
      }),
    ],
    ['missing frame_height in image', imageFlow({ essence_parameters: { frame_width: 1 } })],
    [
      'extra property in image essence_parameters',
      imageFlow({ essence_parameters: { frame_width: 1, frame_height: 1, bit_depth: 8 } }),
    ],
    [
      'extra property in data essence_parameters',
      dataFlow({ essence_parameters: { data_type: 'x', schema: 'y' } }),
    ],
    ['data_type not a string', dataFlow({ essence_parameters: { data_type: 5 } })],
    ['read_only a string where a boolean is expected', videoFlow({ read_only: 'true' })],
    ['generation negative', videoFlow({ generation: -1 })],
    ['max_bit_rate a string', videoFlow({ max_bit_rate: '5000' })],
    ['unknown format', videoFlow({ format: 'urn:x-nmos:format:smell' })],
    ['no format', multiFlow({ format: undefined })],
    ['upper-case source_id', videoFlow({ source_id: uuid().toUpperCase() })],
    ['source_id missing', videoFlow({ source_id: undefined })],
    ['codec without a slash', videoFlow({ codec: 'h264' })],
    ['tags with a number value', videoFlow({ tags: { a: 1 } })],
    ['flow_collection item without role', multiFlow({ flow_collection: [{ id: uuid() }] })],
    ['an array', [videoFlow()] as unknown as Doc],
  ];
  for (const [name, flow] of invalid) {
    it(`rejects an invalid Flow with 400: ${name}`, async () => {
      const id = Array.isArray(flow) ? uuid() : (flow.id as string);
      const body = JSON.parse(JSON.stringify(flow));
      expectError(await server.put(`/flows/${id}`, body), 400, INVALID_FLOW);
      await expectGetError(server, `/flows/${id}`, 404);
      if (!Array.isArray(flow) && typeof flow.source_id === 'string') {
        await expectGetError(server, `/sources/${flow.source_id}`, 404);
      }
    });
  }

  it('rejects an invalid replacement with 400 and keeps the stored Flow', async () => {
    const flow = videoFlow();
    const created = await createFlow(server, flow);
    const bad = { ...flow, essence_parameters: { frame_width: 1 } };
    expectError(await server.put(`/flows/${flow.id}`, bad), 400, INVALID_FLOW);
    expect(await getFlow(server, flow.id as string)).toEqual(created);
  });
});

describe('Sources follow their Flows', () => {
  it('creates a minimal Source with the first Flow', async () => {
    const flow = audioFlow({ label: 'flow label', tags: { t: 'v' } });
    await expectGetError(server, `/sources/${flow.source_id}`, 404);
    await createFlow(server, flow);
    const source = await getSource(server, flow.source_id as string);
    expect(Object.keys(source).sort()).toEqual(['created', 'format', 'id', 'updated']);
    expect(source).toMatchObject({ id: flow.source_id, format: AUDIO });
  });

  it('keeps the Source while any of its Flows remains, and removes it with the last', async () => {
    const source_id = uuid();
    const a = videoFlow({ source_id });
    const b = videoFlow({
      source_id,
      codec: 'video/raw',
      essence_parameters: { frame_width: 1, frame_height: 1 },
    });
    await createFlow(server, a);
    await createFlow(server, b);
    expect(await listIds({ source_id })).toEqual(sorted([a.id as string, b.id as string]));
    const created = (await getSource(server, source_id)).created;
    expect((await server.delete(`/flows/${a.id}`)).status).toBe(204);
    expect((await getSource(server, source_id)).created).toBe(created);
    expect((await server.delete(`/flows/${b.id}`)).status).toBe(204);
    await expectGetError(server, `/sources/${source_id}`, 404, 'The requested Source does not exist.');
    expect(await listIds({ source_id })).toEqual([]);
  });

  it('moves a Flow to another source_id: creates the new Source, removes the old one if it was the last', async () => {
    const flow = videoFlow();
    const oldSource = flow.source_id as string;
    await createFlow(server, flow);
    const newSource = uuid();
    expect((await server.put(`/flows/${flow.id}`, { ...flow, source_id: newSource })).status).toBe(204);
    await expectGetError(server, `/sources/${oldSource}`, 404);
    expect((await getSource(server, newSource)).format).toBe(VIDEO);
    expect((await getFlow(server, flow.id as string)).source_id).toBe(newSource);
  });

  it('moves a Flow away from a Source that keeps other Flows', async () => {
    const source_id = uuid();
    const stay = videoFlow({ source_id });
    const move = videoFlow({ source_id });
    await createFlow(server, stay);
    await createFlow(server, move);
    const target = videoFlow();
    await createFlow(server, target);
    const res = await server.put(`/flows/${move.id}`, { ...move, source_id: target.source_id });
    expect(res.status).toBe(204);
    expect((await getSource(server, source_id)).id).toBe(source_id);
    expect(await listIds({ source_id })).toEqual([stay.id]);
    expect(await listIds({ source_id: target.source_id as string })).toEqual(
      sorted([target.id as string, move.id as string]),
    );
  });

  it('rejects a Flow whose format differs from its Source when the Source has other Flows', async () => {
    const video = videoFlow();
    await createFlow(server, video);
    const audio = audioFlow({ source_id: video.source_id });
    expectError(await server.put(`/flows/${audio.id}`, audio), 400, INVALID_FLOW);
    await expectGetError(server, `/flows/${audio.id}`, 404);
    expect((await getSource(server, video.source_id as string)).format).toBe(VIDEO);
    // Nor may a second Flow change format later.
    const second = videoFlow({ source_id: video.source_id });
    await createFlow(server, second);
    expectError(
      await server.put(`/flows/${second.id}`, { ...audioFlow(), id: second.id, source_id: video.source_id }),
      400,
    );
    expect((await getFlow(server, second.id as string)).format).toBe(VIDEO);
    // Moving into a Source of another format is rejected too.
    const other = audioFlow();
    await createFlow(server, other);
    expectError(await server.put(`/flows/${other.id}`, { ...other, source_id: video.source_id }), 400);
    expect((await getFlow(server, other.id as string)).source_id).toBe(other.source_id);
    await getSource(server, other.source_id as string);
  });

  it('lets the only Flow of a Source change format, and the Source follows', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const audio = audioFlow({ id: flow.id, source_id: flow.source_id });
    expect((await server.put(`/flows/${flow.id}`, audio)).status).toBe(204);
    expect((await getSource(server, flow.source_id as string)).format).toBe(AUDIO);
  });
});

describe('GET /flows/{flowId}', () => {
  it('returns 404 for an unknown Flow, HEAD included', async () => {
    await expectGetError(server, `/flows/${uuid()}`, 404, 'The requested flow does not exist.');
  });

  it('leaves out timerange unless include_timerange=true; a Flow without segments has the empty range', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const plain = await getAndHead<Doc>(server, `/flows/${flow.id}`);
    expect(plain.body.timerange).toBeUndefined();
    const no = await getAndHead<Doc>(server, `/flows/${flow.id}`, { query: { include_timerange: false } });
    expect(no.body.timerange).toBeUndefined();
    const yes = await getAndHead<Doc>(server, `/flows/${flow.id}`, { query: { include_timerange: true } });
    assertSpecValid('flow.json', yes.body);
    expect(yes.body.timerange).toBe('()');
    for (const timerange of ['_', '[0:0_10:0)', '()']) {
      const clipped = await getAndHead<Doc>(server, `/flows/${flow.id}`, {
        query: { include_timerange: true, timerange },
      });
      expect(clipped.status).toBe(200);
      expect(clipped.body.timerange).toBe('()');
    }
    const unclipped = await getAndHead<Doc>(server, `/flows/${flow.id}`, {
      query: { timerange: '[0:0_10:0)' },
    });
    expect(unclipped.body.timerange).toBeUndefined();
  });

  it('answers 400 to invalid query options', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const invalid: Record<string, string>[] = [
      { include_timerange: 'maybe' },
      { timerange: 'garbage' },
      { timerange: `[0:0_1:${'0'.repeat(12)})` },
    ];
    for (const query of invalid) {
      await expectGetError(server, `/flows/${flow.id}`, 400, 'Bad request. Invalid query options.', {
        query,
      });
    }
  });
});

describe('DELETE /flows/{flowId}', () => {
  it('deletes with 204 and the Flow is gone', async () => {
    const flow = dataFlow({ tags: { a: 'b' } });
    await createFlow(server, flow);
    const res = await server.delete(`/flows/${flow.id}`);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    await expectGetError(server, `/flows/${flow.id}`, 404);
    await expectGetError(server, `/flows/${flow.id}/tags`, 404);
    expect(await listIds({ source_id: flow.source_id as string })).toEqual([]);
  });

  it('answers 404 for an unknown Flow', async () => {
    expectError(
      await server.delete(`/flows/${uuid()}`),
      404,
      'The requested Flow ID in the path is invalid.',
    );
  });

  it('answers 403 for a read-only Flow and keeps it', async () => {
    const flow = videoFlow({ read_only: true });
    await createFlow(server, flow);
    expectError(await server.delete(`/flows/${flow.id}`), 403, FORBIDDEN);
    await getFlow(server, flow.id as string);
    await getSource(server, flow.source_id as string);
  });

  it('a deleted id can be created again (201)', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    await server.delete(`/flows/${flow.id}`);
    const again = await server.put(`/flows/${flow.id}`, flow);
    expect(again.status).toBe(201);
  });
});

describe('read-only Flows', () => {
  it('PUT on a read-only Flow is 403 and changes nothing', async () => {
    const flow = videoFlow({ read_only: true, label: 'ro' });
    const created = await createFlow(server, flow);
    expectError(await server.put(`/flows/${flow.id}`, { ...flow, label: 'changed' }), 403, FORBIDDEN);
    expectError(await server.put(`/flows/${flow.id}`, { ...flow, read_only: false }), 403, FORBIDDEN);
    expect(await getFlow(server, flow.id as string)).toEqual(created);
    expect((await putValue(server, `/flows/${flow.id}/read_only`, false)).status).toBe(204);
    expect(
      (await server.put(`/flows/${flow.id}`, { ...flow, read_only: false, label: 'changed' })).status,
    ).toBe(204);
    expect((await getFlow(server, flow.id as string)).label).toBe('changed');
  });
});

describe('metadata_version, metadata_updated and created', () => {
  it('changes version and metadata_updated on each metadata change, keeps created', async () => {
    const flow = videoFlow();
    const v0 = await createFlow(server, flow);
    const versions = new Set([v0.metadata_version]);
    let previous = v0;
    const changes: Doc[] = [
      { ...flow, label: 'one' },
      { ...flow, label: 'one', tags: { a: 'b' } },
      { ...flow, label: 'one', tags: { a: 'c' } },
      {
        ...flow,
        label: 'one',
        tags: { a: 'c' },
        essence_parameters: { frame_width: 1280, frame_height: 720 },
      },
      { ...flow, codec: 'video/h265' },
    ];
    for (const change of changes) {
      clock.advance();
      expect((await server.put(`/flows/${flow.id}`, change)).status).toBe(204);
      const now = await getFlow(server, flow.id as string);
      expect(versions.has(now.metadata_version)).toBe(false);
      versions.add(now.metadata_version);
      expect(Date.parse(now.metadata_updated as string)).toBeGreaterThan(
        Date.parse(previous.metadata_updated as string),
      );
      expect(now.created).toBe(v0.created);
      previous = now;
    }
  });

  it('keeps version and metadata_updated on a replace that changes nothing', async () => {
    const flow = audioFlow({
      label: 'same',
      description: 'same',
      // Not in alphabetical order: the server may store tags sorted, the document is the same.
      tags: { zeta: '1', alpha: '2', _tams_segmentation_rate: '375/8' },
      essence_parameters: {
        sample_rate: 48000,
        channels: 2,
        codec_parameters: { mp4_oti: 2, coded_frame_size: 1024 },
      },
    });
    const created = await createFlow(server, flow);
    clock.advance();
    const res = await server.put(`/flows/${flow.id}`, flow);
    expect(res.status).toBe(204);
    const after = await getFlow(server, flow.id as string);
    expect(after.metadata_version).toBe(created.metadata_version);
    expect(after.metadata_updated).toBe(created.metadata_updated);
    // Server-managed values in the body are not changes either.
    await server.put(`/flows/${flow.id}`, {
      ...flow,
      created: '1999-01-01T00:00:00Z',
      metadata_version: 'x',
    });
    expect((await getFlow(server, flow.id as string)).metadata_version).toBe(created.metadata_version);
  });
});

describe('GET /flows filters', () => {
  it('lists every Flow without filters, each a valid flow.json', async () => {
    const flow = videoFlow();
    await createFlow(server, flow);
    const res = await getAndHead<Doc[]>(server, '/flows');
    assertSpecValid('flow.json[]', res.body);
    expect(res.body.map((f) => f.id)).toContain(flow.id);
  });

  it('filters on source_id', async () => {
    const source_id = uuid();
    const a = videoFlow({ source_id });
    const b = videoFlow({ source_id });
    const c = videoFlow();
    for (const f of [a, b, c]) await createFlow(server, f);
    expect(await listIds({ source_id })).toEqual(sorted([a.id as string, b.id as string]));
    expect(await listIds({ source_id: uuid() })).toEqual([]);
  });

  it('filters on timerange: () and _ select Flows without segments, a bounded range none', async () => {
    const tag = uuid();
    const a = videoFlow({ tags: { group: tag } });
    const b = audioFlow({ tags: { group: tag } });
    for (const f of [a, b]) await createFlow(server, f);
    const both = sorted([a.id as string, b.id as string]);
    expect(await listIds({ 'tag.group': tag, timerange: '()' })).toEqual(both);
    expect(await listIds({ 'tag.group': tag, timerange: '' })).toEqual(both);
    expect(await listIds({ 'tag.group': tag, timerange: '_' })).toEqual(both);
    expect(await listIds({ 'tag.group': tag })).toEqual(both);
    for (const timerange of ['[0:0_10:0)', '[10:0]', '(5:0_', '_100:0)', '[1694429247:0_1694429248:0)']) {
      expect(await listIds({ 'tag.group': tag, timerange })).toEqual([]);
    }
  });

  it('filters on format, codec and label', async () => {
    const tag = uuid();
    const v = videoFlow({ tags: { group: tag }, label: 'L1' });
    const raw = videoFlow({ tags: { group: tag }, codec: 'video/raw', label: 'L2' });
    const a = audioFlow({ tags: { group: tag }, label: 'L1' });
    const d = dataFlow({ tags: { group: tag } });
    const m = multiFlow({ tags: { group: tag } });
    for (const f of [v, raw, a, d, m]) await createFlow(server, f);
    const q = (extra: Record<string, string>) => listIds({ 'tag.group': tag, ...extra });
    expect(await q({ format: VIDEO })).toEqual(sorted([v.id as string, raw.id as string]));
    expect(await q({ format: AUDIO })).toEqual([a.id]);
    expect(await q({ format: DATA })).toEqual([d.id]);
    expect(await q({ format: MULTI })).toEqual([m.id]);
    expect(await q({ format: IMAGE })).toEqual([]);
    expect(await q({ codec: 'video/raw' })).toEqual([raw.id]);
    expect(await q({ codec: 'audio/aac' })).toEqual([a.id]);
    expect(await q({ codec: 'video/h265' })).toEqual([]);
    expect(await q({ label: 'L1' })).toEqual(sorted([v.id as string, a.id as string]));
    expect(await q({ label: 'l1' })).toEqual([]);
  });

  it('filters on tag.{name} and tag_exists.{name}, including escaped names', async () => {
    const value = uuid();
    const name = 'odd name/with=chars&.ü';
    const a = videoFlow({ tags: { [name]: value, other: 'x' } });
    const b = videoFlow({ tags: { [name]: `${value}-b` } });
    const c = videoFlow({ tags: { group: value } });
    for (const f of [a, b, c]) await createFlow(server, f);
    expect(await listIds({ [`tag.${name}`]: value })).toEqual([a.id]);
    expect(await listIds({ [`tag.${name}`]: `${value}-b` })).toEqual([b.id]);
    const exists = await listIds({ [`tag_exists.${name}`]: true });
    expect(exists).toEqual(expect.arrayContaining([a.id, b.id]));
    expect(exists).not.toContain(c.id);
    expect(await listIds({ 'tag.group': value, [`tag_exists.${name}`]: false })).toEqual([c.id]);
    expect(await listIds({ 'tag.group': value, [`tag_exists.${name}`]: true })).toEqual([]);
    const absent = await listIds({ [`tag_exists.${name}`]: false });
    expect(absent).toContain(c.id);
    expect(absent).not.toContain(a.id);
    // A literal percent-encoded name in the URL.
    const raw = await server.get<Doc[]>(
      `/flows?tag.${encodeURIComponent(name)}=${encodeURIComponent(value)}`,
    );
    expect(raw.body.map((f) => f.id)).toEqual([a.id]);
  });

  it('filters on frame_width and frame_height', async () => {
    const tag = uuid();
    const hd = videoFlow({
      tags: { group: tag },
      essence_parameters: { frame_width: 1920, frame_height: 1080 },
    });
    const sd = videoFlow({
      tags: { group: tag },
      essence_parameters: { frame_width: 720, frame_height: 576 },
    });
    const odd = videoFlow({
      tags: { group: tag },
      essence_parameters: { frame_width: 1920, frame_height: 800 },
    });
    const audio = audioFlow({ tags: { group: tag } });
    for (const f of [hd, sd, odd, audio]) await createFlow(server, f);
    const q = (extra: Record<string, number>) => listIds({ 'tag.group': tag, ...extra });
    expect(await q({ frame_width: 1920 })).toEqual(sorted([hd.id as string, odd.id as string]));
    expect(await q({ frame_height: 576 })).toEqual([sd.id]);
    expect(await q({ frame_width: 1920, frame_height: 1080 })).toEqual([hd.id]);
    expect(await q({ frame_width: 1921 })).toEqual([]);
  });

  it('follows a replacement that changes frame size, label and tags', async () => {
    const tag = uuid();
    const flow = videoFlow({
      tags: { group: tag },
      label: 'before',
      essence_parameters: { frame_width: 640, frame_height: 480 },
    });
    await createFlow(server, flow);
    await server.put(`/flows/${flow.id}`, {
      ...flow,
      label: 'after',
      tags: { group: tag, added: 'yes' },
      essence_parameters: { frame_width: 1280, frame_height: 720 },
    });
    expect(await listIds({ 'tag.group': tag, frame_width: 640 })).toEqual([]);
    expect(await listIds({ 'tag.group': tag, frame_width: 1280 })).toEqual([flow.id]);
    expect(await listIds({ 'tag.group': tag, label: 'before' })).toEqual([]);
    expect(await listIds({ 'tag.group': tag, label: 'after', 'tag.added': 'yes' })).toEqual([flow.id]);
  });

  it('combines every filter with AND', async () => {
    const tag = uuid();
    const source_id = uuid();
    const match = videoFlow({
      source_id,
      label: 'M',
      tags: { group: tag, k: 'v' },
      essence_parameters: { frame_width: 100, frame_height: 50 },
    });
    const others = [
      videoFlow({
        source_id,
        label: 'other',
        tags: { group: tag, k: 'v' },
        essence_parameters: { frame_width: 100, frame_height: 50 },
      }),
      videoFlow({
        source_id,
        label: 'M',
        tags: { group: tag },
        essence_parameters: { frame_width: 100, frame_height: 50 },
      }),
      videoFlow({
        source_id,
        label: 'M',
        tags: { group: tag, k: 'v' },
        codec: 'video/raw',
        essence_parameters: { frame_width: 100, frame_height: 50 },
      }),
      videoFlow({
        source_id,
        label: 'M',
        tags: { group: tag, k: 'v' },
        essence_parameters: { frame_width: 100, frame_height: 51 },
      }),
      videoFlow({
        label: 'M',
        tags: { group: tag, k: 'v' },
        essence_parameters: { frame_width: 100, frame_height: 50 },
      }),
    ];
    for (const f of [match, ...others]) await createFlow(server, f);
    expect(
      await listIds({
        source_id,
        label: 'M',
        format: VIDEO,
        codec: 'video/h264',
        'tag.group': tag,
        'tag_exists.k': true,
        frame_width: 100,
        frame_height: 50,
        timerange: '()',
      }),
    ).toEqual([match.id]);
  });

  it('answers 400 to invalid filters', async () => {
    for (const query of [
      { format: 'bogus' },
      { source_id: 'not-a-uuid' },
      { codec: 'h264' },
      { timerange: 'garbage' },
      { frame_width: 'wide' },
      { frame_height: '1.5' },
      { 'tag_exists.x': 'maybe' },
      { limit: 'abc' },
    ] as Record<string, string>[]) {
      await expectGetError(server, '/flows', 400, 'Bad request. Invalid query options.', { query });
    }
  });
});
