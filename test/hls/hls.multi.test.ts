/**
 * A multi Flow without segments of its own, collecting a video, an audio and a WebVTT caption
 * Flow made by ffmpeg (test/hls/hls.tracks.ts), each ingested through the API: its playlist
 * (GET /flows/{id}/hls.m3u8) is the multivariant playlist of its members, read back strictly
 * (hls-parser), every link carrying the query and playing as it is, and ffprobe reading it. A
 * multi Flow with no members keeps its 400, one whose members have no segments a 404.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { parseMedia, parseMultivariant } from '../support/hls/hls.parse.testkit.ts';
import { type Ingested, ingest } from './hls.ingest.ts';
import { ffmpegAvailable, probe } from './hls.media.ts';
import { generateTracks, putMultiFlow, TRACK_FIELDS } from './hls.tracks.ts';

const available = ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
const AUTH = { authorization: `Bearer ${ADMIN_TOKEN}` };
const _MULTI = 'urn:x-nmos:format:multi';

describe.skipIf(!available)('HLS of a multi Flow collecting video, audio and captions', () => {
  let server: TestServer;
  let scratch: ReturnType<typeof tempDir>;
  let video: Ingested;
  let audio: Ingested;
  let captions: Ingested;
  const multiId = randomUUID();

  const multiFlow = (id: string, members: { id: string; role: string }[]) =>
    putMultiFlow(server, id, members, AUTH, { label: 'Harbour programme' });

  beforeAll(async () => {
    scratch = tempDir('tams-hls-multi-');
    server = await startAuthServer({});
    const tracks = await generateTracks(scratch.path, 4, [{ start: 1, end: 3, text: 'The harbour wakes.' }]);
    video = await ingest(server, tracks.video, {
      sourceId: randomUUID(),
      start: T0,
      headers: AUTH,
      label: 'Harbour video',
      fields: TRACK_FIELDS.video,
    });
    audio = await ingest(server, tracks.audio, {
      sourceId: randomUUID(),
      start: T0,
      headers: AUTH,
      label: 'Harbour sound',
      fields: TRACK_FIELDS.audio,
    });
    captions = await ingest(server, tracks.captions, {
      sourceId: randomUUID(),
      start: T0,
      headers: AUTH,
      label: 'Harbour captions',
      fields: TRACK_FIELDS.captions,
    });
    await multiFlow(multiId, [
      { id: video.flowId, role: 'video' },
      { id: audio.flowId, role: 'audio' },
      { id: captions.flowId, role: 'captions' },
    ]);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    await server?.close();
    scratch?.remove();
  });

  const withToken = (path: string) =>
    `${server.url}${path}${path.includes('?') ? '&' : '?'}access_token=${ADMIN_TOKEN}`;

  it('answers the multivariant playlist of its members, each link carrying the query', async () => {
    const res = await fetch(withToken(`/flows/${multiId}/hls.m3u8?timerange=_`));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/vnd.apple.mpegurl');
    const playlist = parseMultivariant(await res.text());
    const path = (uri: string) => new URL(uri).pathname;
    expect(playlist.variants.map((v) => path(v.uri))).toEqual([`/flows/${video.flowId}/hls.m3u8`]);
    const variant = playlist.variants[0];
    expect(variant?.resolution).toEqual({ width: 320, height: 180 });
    expect(variant?.audio.map((r) => [r.name, path(r.uri ?? '')])).toEqual([
      ['Harbour sound', `/flows/${audio.flowId}/hls.m3u8`],
    ]);
    expect(variant?.subtitles.map((r) => [r.name, path(r.uri ?? '')])).toEqual([
      ['Harbour captions', `/flows/${captions.flowId}/hls.m3u8`],
    ]);
    const links = [
      variant?.uri,
      ...(variant?.audio ?? []).map((r) => r.uri),
      ...(variant?.subtitles ?? []).map((r) => r.uri),
    ];
    const counts = new Map([
      [video.flowId, video.segments.length],
      [audio.flowId, audio.segments.length],
      [captions.flowId, captions.segments.length],
    ]);
    for (const uri of links) {
      const link = new URL(uri ?? '');
      expect(link.searchParams.get('timerange')).toBe('_');
      expect(link.searchParams.get('access_token')).toBe(ADMIN_TOKEN);
      // Each link is its member's own media playlist, as it is, with no header.
      const media = await fetch(link);
      expect(media.status).toBe(200);
      const id = link.pathname.split('/')[2] ?? '';
      expect(parseMedia(await media.text()).segments).toHaveLength(counts.get(id) ?? -1);
    }
  });

  it('is read by ffprobe: the video variant with its audio rendition', async () => {
    const probed = await probe(withToken(`/flows/${multiId}/hls.m3u8?timerange=_`), onSharedEngine);
    const kinds = probed.streams.map((s) => `${s.codec_type}:${s.codec_name}`);
    expect(kinds).toContain('video:h264');
    expect(kinds).toContain('audio:aac');
  });

  it('keeps a clear 4xx for a multi Flow with nothing to play, and for an unknown Flow', async () => {
    const empty = randomUUID();
    await multiFlow(empty, []);
    const none = await fetch(withToken(`/flows/${empty}/hls.m3u8`));
    expect(none.status).toBe(400);
    expect(await none.text()).toMatch(/multi Flow with no segments of its own .* empty flow_collection/);

    // Members that have no segments yet: nothing HLS can play.
    const bare = randomUUID();
    const member = await server.put(
      `/flows/${bare}`,
      {
        id: bare,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp2t',
        essence_parameters: { frame_width: 320, frame_height: 180 },
      },
      { headers: AUTH },
    );
    expect(member.status, member.text).toBe(201);
    const waiting = randomUUID();
    await multiFlow(waiting, [{ id: bare, role: 'video' }]);
    const nothing = await fetch(withToken(`/flows/${waiting}/hls.m3u8`));
    expect(nothing.status).toBe(404);
    expect(await nothing.text()).toMatch(
      new RegExp(`collection of Flow ${waiting} has no Flow HLS can play`),
    );

    expect((await fetch(withToken(`/flows/${randomUUID()}/hls.m3u8`))).status).toBe(404);
    // Without credentials, as any playlist.
    expect((await fetch(`${server.url}/flows/${multiId}/hls.m3u8`)).status).toBe(401);
  });
});
