/**
 * The live sliding window of a Flow still being written, over HTTP with a real DuckDB store:
 * segments registered a few at a time (with gaps and a ts_offset change), the playlist reloaded
 * after each step and read back strictly. Every segment keeps its Media Sequence Number and
 * discontinuity sequence number from one reload to the next (RFC 8216 §6.2.1), the window spans
 * what TAMS_HLS_LIVE_WINDOW_SECONDS asks, and a Flow idle for longer than
 * TAMS_HLS_LIVE_IDLE_SECONDS, read-only or `closed_complete` is VOD. No media is needed: the
 * objects are allocated, not uploaded (the playlist only presigns their URLs).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type SteppingClock, steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { parseMedia } from '../support/hls/hls.parse.testkit.ts';

const S = 1_000_000_000n;
const T0 = 1_800_000_000n * S;
const WINDOW_SECONDS = 6;

function ts(ns: bigint): string {
  return `${ns / S}:${ns % S}`;
}

/** Segment i: 1 s long; 3 s gaps before segments 7 and 15; ts_offset changes at segment 20. */
function segmentAt(i: number): { start: bigint; end: bigint; tsOffset: bigint } {
  const gaps = (i >= 7 ? 3n : 0n) + (i >= 15 ? 3n : 0n);
  const start = T0 + (BigInt(i) + gaps) * S;
  return { start, end: start + S, tsOffset: i >= 20 ? 5n * S : 0n };
}

/** Breaks (gap or ts_offset change) before segment i, counted from segment 1 on. */
function breaksBefore(i: number, from = 0): number {
  return [7, 15, 20].filter((b) => b > from && b < i).length;
}

describe('live HLS window', () => {
  let server: TestServer;
  let clock: SteppingClock;
  const flowId = randomUUID();
  let objects: string[] = [];

  beforeAll(async () => {
    clock = steppingClock();
    server = await startServer({ clock, env: { TAMS_HLS_LIVE_WINDOW_SECONDS: String(WINDOW_SECONDS) } });
    const created = await server.put(`/flows/${flowId}`, {
      id: flowId,
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      essence_parameters: { frame_width: 320, frame_height: 180 },
      segment_duration: { numerator: 1 },
    });
    expect(created.status).toBe(201);
    const allocated = await server.post<{ media_objects: { object_id: string }[] }>(
      `/flows/${flowId}/storage`,
      {
        limit: 40,
      },
    );
    objects = allocated.body.media_objects.map((o) => o.object_id);
  });

  afterAll(async () => {
    await server?.close();
  });

  async function register(from: number, to: number) {
    const body = [];
    for (let i = from; i < to; i++) {
      const s = segmentAt(i);
      body.push({
        object_id: objects[i],
        timerange: `[${ts(s.start)}_${ts(s.end)})`,
        ...(s.tsOffset !== 0n ? { ts_offset: ts(s.tsOffset) } : {}),
      });
    }
    const res = await server.post(`/flows/${flowId}/segments`, body);
    expect(res.status, res.text).toBe(201);
  }

  async function playlist() {
    const res = await server.get(`/flows/${flowId}/hls.m3u8`);
    expect(res.status, res.text).toBe(200);
    return parseMedia(res.text);
  }

  it('starts as an empty live playlist, with the nominal segment duration as target', async () => {
    const empty = await playlist();
    expect(empty.endlist).toBe(false);
    expect(empty.segments).toHaveLength(0);
    expect(empty.targetDuration).toBe(1);
    const head = await server.head(`/flows/${flowId}/hls.m3u8`);
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    expect(head.text).toBe('');
  });

  it('slides, each segment keeping its numbers from one reload to the next', async () => {
    const seen = new Map<string, [number, number, boolean]>();
    let registered = 0;
    for (const step of [1, 3, 2, 4, 1, 5, 3, 6, 5]) {
      await register(registered, registered + step);
      registered += step;
      const live = await playlist();
      expect(live.endlist).toBe(false);
      const first = live.segments.length === 0 ? registered : registered - live.segments.length;
      // Numbers from the Flow's segments before the window.
      expect(live.mediaSequenceBase).toBe(first);
      expect(live.discontinuitySequenceBase ?? 0).toBe(breaksBefore(first));
      // The window: WINDOW_SECONDS at least, and three target durations besides its oldest.
      if (first > 0) {
        const total = live.segments.reduce((sum, s) => sum + s.duration, 0);
        expect(total).toBeGreaterThanOrEqual(WINDOW_SECONDS);
        expect(total - (live.segments[0]?.duration ?? 0)).toBeGreaterThanOrEqual(3 * live.targetDuration);
      }
      for (const [k, s] of live.segments.entries()) {
        const i = first + k;
        const expected = segmentAt(i);
        expect(s.title).toBe(`[${ts(expected.start)}_${ts(expected.end)})`);
        expect(!!s.discontinuity).toBe([7, 15, 20].includes(i));
        const numbers: [number, number, boolean] = [
          s.mediaSequenceNumber,
          s.discontinuitySequence,
          !!s.discontinuity,
        ];
        const before = seen.get(s.title as string);
        if (before) expect(numbers, s.title).toEqual(before);
        seen.set(s.title as string, numbers);
      }
    }
    expect(registered).toBe(30);
  });

  it('counts again from the start when segments before the window go (retention)', async () => {
    const res = await server.delete(`/flows/${flowId}/segments`, {
      query: { timerange: `_${ts(segmentAt(5).end)})` },
    });
    expect(res.status).toBe(204);
    const live = await playlist();
    // Six segments fewer before the window, and breaks counted from segment 6 on.
    const first = 30 - live.segments.length;
    expect(live.mediaSequenceBase).toBe(first - 6);
    expect(live.discontinuitySequenceBase ?? 0).toBe(breaksBefore(first, 6));
  });

  it('is VOD once idle for longer than TAMS_HLS_LIVE_IDLE_SECONDS, live again with flow_status ingesting', async () => {
    clock.advance(31_000);
    const idle = await playlist();
    expect(idle.endlist).toBe(true);
    expect(idle.playlistType).toBe('VOD');
    expect(idle.mediaSequenceBase).toBe(0);
    expect(idle.segments).toHaveLength(24);
    expect(idle.segments.filter((s) => s.discontinuity).length).toBe(3);
    expect((await server.put(`/flows/${flowId}/tags/flow_status`, '"ingesting"')).status).toBe(204);
    expect((await playlist()).endlist).toBe(false);
    expect((await server.put(`/flows/${flowId}/tags/flow_status`, '"closed_complete"')).status).toBe(204);
    expect((await playlist()).endlist).toBe(true);
  });

  it('refuses a VOD playlist over TAMS_HLS_MAX_SEGMENTS, and Flows HLS cannot play', async () => {
    const limited = await startServer({ env: { TAMS_HLS_MAX_SEGMENTS: '2' } });
    try {
      const json = randomUUID();
      await limited.put(`/flows/${json}`, {
        id: json,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:data',
        codec: 'application/json',
        container: 'application/json',
        essence_parameters: {},
      });
      const refused = await limited.get<{ summary: string }>(`/flows/${json}/hls.m3u8`);
      expect(refused.status).toBe(400);
      expect(refused.body.summary).toContain('application/json');
      const ts3 = randomUUID();
      await limited.put(`/flows/${ts3}`, {
        id: ts3,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp2t',
        essence_parameters: { frame_width: 320, frame_height: 180 },
      });
      const alloc = await limited.post<{ media_objects: { object_id: string }[] }>(`/flows/${ts3}/storage`, {
        limit: 3,
      });
      const posted = await limited.post(
        `/flows/${ts3}/segments`,
        alloc.body.media_objects.map((o, i) => ({
          object_id: o.object_id,
          timerange: `[${i}:0_${i + 1}:0)`,
        })),
      );
      expect(posted.status).toBe(201);
      const tooMany = await limited.get<{ summary: string }>(`/flows/${ts3}/hls.m3u8`, {
        query: { timerange: '_' },
      });
      expect(tooMany.status).toBe(400);
      expect(tooMany.body.summary).toContain('TAMS_HLS_MAX_SEGMENTS');
      const two = await limited.get(`/flows/${ts3}/hls.m3u8`, { query: { timerange: '[0:0_2:0)' } });
      expect(parseMedia(two.text).segments).toHaveLength(2);
      expect((await limited.get(`/flows/${randomUUID()}/hls.m3u8`)).status).toBe(404);
      expect((await limited.get(`/sources/${randomUUID()}/hls.m3u8`)).status).toBe(404);
    } finally {
      await limited.close();
    }
  });
});
