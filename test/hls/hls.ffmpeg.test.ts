/**
 * HLS playback of real media (issue 24): a stream made by ffmpeg in the test, as MPEG-TS
 * segments and as fragmented MP4 segments with an init segment, ingested through the TAMS API
 * with one segment left out (a gap), then played from the playlists the server generates: each
 * playlist read back strictly (hls-parser), every media URL in it fetched without credentials
 * and its bytes compared with what was uploaded, and ffprobe reading the playlist URL end to
 * end. Authentication is on: the player side uses the token in the query only.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taiToUtcIso } from '../../src/time/index.ts';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { parseMedia, parseMultivariant } from '../support/hls/hls.parse.testkit.ts';
import { type Ingested, ingest } from './hls.ingest.ts';
import {
  ffmpegAvailable,
  type GeneratedStream,
  generateStream,
  probe,
  type StreamKind,
} from './hls.media.ts';

const available = ffmpegAvailable();
/**
 * The vast and postgres projects keep media on S3 (s3rver, MinIO), whose URLs cannot end in an extension (the path is
 * the key): ffprobe must be told to accept them there. The fs store's need nothing.
 */
const S3_MEDIA = onSharedEngine;
const S = 1_000_000_000n;
/** 2023-11-14T22:13:20Z, on the TAI timeline (37 s ahead). */
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const GAP = 2;
/** MPEG-TS; fragmented MP4 with an init segment; fragmented MP4 whose every object has its own moov. */
const KINDS: readonly StreamKind[] = ['mpegts', 'fmp4', 'fmp4-self'];

describe.skipIf(!available)('HLS of real media (ffmpeg)', () => {
  let server: TestServer;
  let scratch: ReturnType<typeof tempDir>;
  const sourceId = randomUUID();
  const streams = {} as Record<StreamKind, { stream: GeneratedStream; flow: Ingested }>;

  beforeAll(async () => {
    scratch = tempDir('tams-hls-');
    server = await startAuthServer({});
    for (const kind of KINDS) {
      const dir = `${scratch.path}/${kind}`;
      await import('node:fs/promises').then((fs) => fs.mkdir(dir));
      const stream = await generateStream(dir, kind);
      expect(stream.segments.length).toBeGreaterThanOrEqual(4);
      const flow = await ingest(server, stream, { sourceId, start: T0, skip: [GAP], headers: AUTH });
      streams[kind] = { stream, flow };
    }
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await server?.close();
    scratch?.remove();
  });

  /** GET with the token in the query only, as a player that cannot send headers. */
  async function playerGet(url: string): Promise<Response> {
    const target = new URL(url, server.url);
    if (target.origin === server.url && target.pathname.endsWith('.m3u8')) {
      target.searchParams.set('access_token', ADMIN_TOKEN);
    }
    return fetch(target);
  }

  for (const kind of KINDS) {
    describe(kind, () => {
      it('answers a VOD playlist whose every URL plays without credentials', async () => {
        const { flow, stream } = streams[kind];
        const res = await playerGet(`/flows/${flow.flowId}/hls.m3u8?timerange=_`);
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
        expect(res.headers.get('cache-control')).toBe('no-store');
        const playlist = parseMedia(await res.text());
        expect(playlist.endlist).toBe(true);
        expect(playlist.playlistType).toBe('VOD');
        expect(playlist.segments).toHaveLength(flow.segments.length);
        // The gap: EXT-X-DISCONTINUITY on the segment after it, and its own date.
        const flags = playlist.segments.map((s) => s.discontinuity ?? false);
        expect(flags).toEqual(flow.segments.map((_, i) => i === GAP));
        playlist.segments.forEach((segment, i) => {
          const registered = flow.segments[i];
          expect(segment.title).toBe(registered?.timerange);
          if (i === 0 || i === GAP) {
            expect(segment.programDateTime?.toISOString()).toBe(taiToUtcIso(registered?.start ?? 0n));
          }
        });
        expect(playlist.segments[0]?.programDateTime?.toISOString()).toBe('2023-11-14T22:13:20.000Z');
        // Every media URL, fetched as a player does, gives back the uploaded bytes.
        for (const [i, segment] of playlist.segments.entries()) {
          const media = await playerGet(segment.uri);
          expect(media.status, segment.uri).toBe(200);
          expect(Buffer.from(await media.arrayBuffer()).equals(flow.segments[i]?.bytes as Buffer)).toBe(true);
        }
        const map = playlist.segments[0]?.map;
        if (kind === 'fmp4') {
          expect(map?.uri).toBeDefined();
          const init = await playerGet(map?.uri as string);
          expect(Buffer.from(await init.arrayBuffer()).equals(stream.init as Buffer)).toBe(true);
        } else {
          // MPEG-TS needs none; self-initialising objects carry theirs (no init tag set).
          expect(map).toBeFalsy();
        }
      });

      it('plays end to end in ffprobe from the playlist URL', async () => {
        const { flow } = streams[kind];
        const url = `${server.url}/flows/${flow.flowId}/hls.m3u8?timerange=_&access_token=${ADMIN_TOKEN}`;
        const probed = await probe(url, S3_MEDIA);
        const codecs = probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`).sort();
        expect(codecs).toEqual(['audio:aac', 'video:h264']);
        // The registered segments' durations (the gap's segment is not there).
        const expected = Number(flow.segments.length);
        expect(Number(probed.format.duration)).toBeGreaterThan(expected - 0.5);
        expect(Number(probed.format.duration)).toBeLessThan(expected + 0.5);
      });

      it('answers a VOD playlist of the segments overlapping a timerange', async () => {
        const { flow } = streams[kind];
        const range = `[${T0 / S}:500000000_${T0 / S + 2n}:0)`;
        const res = await playerGet(`/flows/${flow.flowId}/hls.m3u8?timerange=${encodeURIComponent(range)}`);
        const playlist = parseMedia(await res.text());
        expect(playlist.segments.map((s) => s.title)).toEqual(
          flow.segments.slice(0, 2).map((s) => s.timerange),
        );
        expect(playlist.endlist).toBe(true);
      });
    });
  }

  it('plays a Flow still being written as live, and as VOD once it is read-only', async () => {
    const { flow } = streams.mpegts;
    const live = parseMedia(await (await playerGet(`/flows/${flow.flowId}/hls.m3u8`)).text());
    expect(live.endlist).toBe(false);
    expect(live.playlistType).toBeUndefined();
    expect(live.mediaSequenceBase).toBe(0);
    expect(live.segments).toHaveLength(flow.segments.length);
    const readOnly = await server.put(`/flows/${flow.flowId}/read_only`, true, { headers: AUTH });
    expect(readOnly.status).toBe(204);
    const finished = parseMedia(await (await playerGet(`/flows/${flow.flowId}/hls.m3u8`)).text());
    expect(finished.endlist).toBe(true);
    expect(finished.segments).toHaveLength(flow.segments.length);
  });

  it('lists the Flows in the Source multivariant playlist, each link carrying the token', async () => {
    const res = await playerGet(`/sources/${sourceId}/hls.m3u8?timerange=_`);
    expect(res.status).toBe(200);
    const playlist = parseMultivariant(await res.text());
    const ids = KINDS.map((kind) => streams[kind].flow.flowId);
    expect(playlist.variants.map((v) => new URL(v.uri).pathname).sort()).toEqual(
      ids.map((id) => `/flows/${id}/hls.m3u8`).sort(),
    );
    for (const variant of playlist.variants) {
      const link = new URL(variant.uri);
      expect(link.searchParams.get('access_token')).toBe(ADMIN_TOKEN);
      expect(link.searchParams.get('timerange')).toBe('_');
      // Measured from the objects' sizes: a few hundred kbit/s of 320x180 H.264 and AAC.
      expect(variant.bandwidth).toBeGreaterThan(50_000);
      expect(variant.bandwidth).toBeLessThan(5_000_000);
      // The variant's link plays as it is, with no header.
      expect((await fetch(link)).status).toBe(200);
    }
    // With `timerange` the linked playlists are VOD too (without it, Flows still being written
    // would be live windows, which ffprobe follows until they end).
    const probed = await probe(
      `${server.url}/sources/${sourceId}/hls.m3u8?timerange=_&access_token=${ADMIN_TOKEN}`,
      S3_MEDIA,
    );
    expect(probed.streams.some((s) => s.codec_name === 'h264')).toBe(true);
  });

  it('refuses a player without credentials, and one whose token is wrong', async () => {
    const { flow } = streams.fmp4;
    expect((await fetch(`${server.url}/flows/${flow.flowId}/hls.m3u8`)).status).toBe(401);
    expect((await fetch(`${server.url}/flows/${flow.flowId}/hls.m3u8?access_token=nope`)).status).toBe(401);
    expect((await fetch(`${server.url}/sources/${sourceId}/hls.m3u8`)).status).toBe(401);
  });
});
