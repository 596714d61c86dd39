/**
 * Discontinuities of a playlist where ts_offset changes (issue 60). An audio Flow written by BBC's
 * ingest_hls.py with --force-start-time, as published, has offsets drifting by a nanosecond every
 * few segments (the script's rounding), media that never jumps: its playlist over HTTP has no
 * EXT-X-DISCONTINUITY. The same objects registered again with a real jump of their offset, and
 * with a gap, get their tags there and nowhere else.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, ADMIN_TOKEN, ADMIN_USER, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { BBC_T0, bbcGate, bbcIngest, discontinuities, type IngestedSegment, timestamp } from './hls.bbc.ts';
import { generateTracks, TRACK_FIELDS } from './hls.tracks.ts';

const gate = bbcGate();
const S = 1_000_000_000n;
const T0 = BBC_T0;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };

const nanos = (text: string) => {
  const [s = '0', ns = '0'] = text.split(':');
  return BigInt(s) * S + BigInt(ns);
};

describe.skipIf(gate.skip)(`ts_offset drift and HLS discontinuities${gate.note}`, () => {
  let server: TestServer;
  let scratch: ReturnType<typeof tempDir>;
  const audioId = randomUUID();

  beforeAll(async () => {
    if (gate.missing.length > 0) throw new Error(`BBC's example clients need ${gate.missing.join('; ')}`);
    scratch = tempDir('tams-hls-offsets-');
    const tracks = generateTracks(scratch.path, 21, []);
    // Media on the fs store on every engine (the database is what moves): BBC's script sends no
    // If-None-Match, which an S3 backend's conditional PUTs sign by default (src/media/s3/README.md).
    server = await startAuthServer({ TAMS_MEDIA_DIR: join(scratch.path, 'media') });
    await tracks;
    const target = { origin: server.url, username: ADMIN_USER, password: ADMIN_PASSWORD };
    await bbcIngest(target, scratch.path, '1', audioId, 'Tone', T0);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await server?.close();
    scratch?.remove();
  });

  const segmentsOf = async (id: string) => {
    const res = await server.get<IngestedSegment[]>(`/flows/${id}/segments`, {
      headers: AUTH,
      query: { limit: 1000 },
    });
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  const playlist = async (id: string) => {
    const res = await server.get(`/flows/${id}/hls.m3u8`, { headers: AUTH });
    expect(res.status, res.text).toBe(200);
    return res.text;
  };

  it("plays BBC's --force-start-time audio without a discontinuity: its offsets drift by nanoseconds", async () => {
    const segments = await segmentsOf(audioId);
    expect(segments.length).toBeGreaterThanOrEqual(21);
    const offsets = segments.map((s) => nanos(s.ts_offset ?? '0:0'));
    // What the script wrote: several offsets, all within a few nanoseconds of each other.
    expect(new Set(offsets).size).toBeGreaterThan(1);
    const sorted = [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const spread = (sorted.at(-1) as bigint) - (sorted[0] as bigint);
    expect(spread).toBeLessThan(100n);
    const text = await playlist(audioId);
    expect(text.match(/^#EXTINF:/gm)?.length).toBe(segments.length);
    expect(discontinuities(text)).toEqual([]);
  });

  it('tags a real jump of ts_offset and a gap, and only those', async () => {
    const source = await segmentsOf(audioId);
    const flowId = randomUUID();
    const created = await server.put(
      `/flows/${flowId}`,
      {
        id: flowId,
        source_id: randomUUID(),
        label: 'Tone, edited',
        container: 'audio/mp2t',
        ...TRACK_FIELDS.audio,
      },
      { headers: AUTH },
    );
    expect(created.status, created.text).toBe(201);
    const at = (i: number) => source[i] as IngestedSegment;
    const offset = (i: number, by: bigint) => timestamp(nanos(at(i).ts_offset ?? '0:0') + by);
    // Segments 0-2 as written; from 3 on the objects come 10 s later in their recording (a
    // jump, though the timeline runs on), 4 drifting a few nanoseconds from 3 as the script's
    // do; 5 is left out (a gap), 6 and 7 follow it.
    const edit: IngestedSegment[] = [0, 1, 2, 3, 4, 6, 7].map((i) => ({
      object_id: at(i).object_id,
      timerange: at(i).timerange,
      ts_offset: offset(i, i >= 3 ? 10n * S + BigInt(i) : 0n),
    }));
    const posted = await server.post(`/flows/${flowId}/segments`, edit, { headers: AUTH });
    expect(posted.status, posted.text).toBe(201);
    // Playlist positions: the jump before the 4th segment (3), the gap before the 6th (source 6).
    expect(discontinuities(await playlist(flowId))).toEqual([3, 5]);
  });
});
