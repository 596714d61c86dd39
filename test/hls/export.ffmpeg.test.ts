/**
 * Export of a timerange of a Flow as one file (issue 50), on real media: a stream made by ffmpeg
 * in the test as MPEG-TS and as fragmented MP4 with an init segment, ingested through the API,
 * then downloaded with GET /flows/{id}/export over real HTTP. The file's bytes are the stored
 * objects' bytes one after another (the init segment first), ffprobe reads it with the duration of
 * the segments it holds, and it is refused as segment reads are. The same on media kept on S3
 * (s3rver), besides the media of the engine the project runs (fs here, S3 in `vast`/`postgres`).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TimeRange } from '../../src/time/index.ts';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { startS3Server } from '../helpers/s3.server.ts';
import { type TestServer, tempDir } from '../helpers/server.ts';
import { expectError } from '../http/fixtures.ts';
import { type Ingested, ingest } from './hls.ingest.ts';
import {
  FFPROBE,
  ffmpegAvailable,
  type GeneratedStream,
  generateStream,
  type StreamKind,
} from './hls.media.ts';

const available = ffmpegAvailable();
const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S;
const AUTH = bearer(ADMIN_TOKEN);
/** One frame at 25 fps, in seconds: the duration ffprobe reads may differ by this. */
const FRAME = 0.04;
const KINDS: readonly ('mpegts' | 'fmp4')[] = ['mpegts', 'fmp4'];

function ts(ns: bigint): string {
  return `${ns / S}:${ns % S}`;
}

interface Backend {
  name: string;
  start(): Promise<TestServer>;
}

const BACKENDS: Backend[] = [
  { name: "the project engine's media", start: () => startAuthServer({}) },
  {
    name: 'S3 (s3rver)',
    start: async () => {
      const scratch = tempDir('tams-export-s3-');
      const s3 = await startS3Server({
        env: {
          TAMS_AUTH: 'required',
          TAMS_DATA_DIR: scratch.path,
          TAMS_BOOTSTRAP_ADMIN_TOKEN: ADMIN_TOKEN,
        },
      });
      return {
        ...s3.server,
        close: async () => {
          await s3.close();
          scratch.remove();
        },
      };
    },
  },
];

describe.skipIf(!available)('export of a timerange as one file (ffmpeg media)', () => {
  let scratch: ReturnType<typeof tempDir>;
  const streams = {} as Record<StreamKind, GeneratedStream>;

  beforeAll(async () => {
    scratch = tempDir('tams-export-');
    for (const kind of KINDS) {
      const dir = `${scratch.path}/${kind}`;
      await mkdir(dir);
      streams[kind] = await generateStream(dir, kind);
      expect(streams[kind].segments.length).toBeGreaterThanOrEqual(5);
    }
  }, SLOW_TEST_MS);

  afterAll(() => scratch?.remove());

  for (const backend of BACKENDS) {
    describe(`on ${backend.name}`, () => {
      let server: TestServer;
      const flows = {} as Record<StreamKind, Ingested>;
      let reader: Record<string, string>;
      let writer: Record<string, string>;

      beforeAll(async () => {
        server = await backend.start();
        const admin = server.runtime.auth.admin;
        reader = bearer((await admin.createToken({ name: 'viewer', scopes: ['read'] })).token);
        writer = bearer((await admin.createToken({ name: 'ingest', scopes: ['write'] })).token);
        const sourceId = randomUUID();
        for (const kind of KINDS) {
          flows[kind] = await ingest(server, streams[kind], {
            sourceId,
            start: T0,
            headers: AUTH,
            label: `Studio A (${kind})`,
          });
        }
      }, SLOW_TEST_MS);

      afterAll(async () => {
        await server?.close();
      });

      /** From inside segment 1 to inside segment 3: segments 1, 2 and 3, whole. */
      function middle(flow: Ingested): { query: string; first: number; last: number } {
        const at = (i: number) => flow.segments[i]?.start ?? 0n;
        const from = at(1) + S / 10n;
        const to = at(3) + S / 2n;
        return { query: `[${ts(from)}_${ts(to)})`, first: 1, last: 3 };
      }

      for (const kind of KINDS) {
        it(`${kind}: sends the stored objects' bytes, and ffprobe plays the file`, async () => {
          const flow = flows[kind];
          const stream = streams[kind];
          const { query, first, last } = middle(flow);
          const res = await fetch(
            `${server.url}/flows/${flow.flowId}/export?timerange=${encodeURIComponent(query)}`,
            { headers: reader },
          );
          expect(res.status, await res.clone().text()).toBe(200);
          const type = kind === 'mpegts' ? 'video/mp2t' : 'video/mp4';
          expect(res.headers.get('content-type')).toBe(type);
          expect(res.headers.get('cache-control')).toBe('no-store');
          const start = flow.segments[first]?.start ?? 0n;
          const held = stream.segments.slice(first, last + 1);
          const end = start + held.reduce((sum, s) => sum + s.durationNs, 0n);
          // Only [A-Za-z0-9._-]: the label as a slug, the UTC second it starts (TAI less the 37 s
          // of 2023) and its duration in ISO 8601; nothing else for a shell or a MAM to quote.
          const utc = new Date(Number(start / S - 37n) * 1000)
            .toISOString()
            .slice(0, 19)
            .replace(/[-:]/g, '');
          const duration = `PT${(end - start) / S}${fraction(end - start)}S`;
          const name = `Studio-A-${kind}_${utc}Z_${duration}.${kind === 'mpegts' ? 'ts' : 'mp4'}`;
          expect(name).toMatch(/^Studio-A-[a-z0-9]+_20231114T2213\d\dZ_PT[0-9.]+S\.(ts|mp4)$/);
          expect(res.headers.get('content-disposition')).toBe(`attachment; filename="${name}"`);
          expect(res.headers.get('x-export-timerange')).toBe(`[${ts(start)}_${ts(end)})`);
          expect(res.headers.get('x-export-segments')).toBe('3');
          const bytes = Buffer.from(await res.arrayBuffer());
          const expected = Buffer.concat([
            ...(stream.init ? [stream.init] : []),
            ...flow.segments.slice(first, last + 1).map((s) => s.bytes),
          ]);
          expect(bytes.length).toBe(expected.length);
          expect(bytes.equals(expected)).toBe(true);

          const file = `${scratch.path}/${randomUUID()}.${kind === 'mpegts' ? 'ts' : 'mp4'}`;
          await writeFile(file, bytes);
          // Every frame decoded, and the span the file plays, as ffprobe reads them.
          const played = await probeFile(file);
          expect(played.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
          const seconds = Number(held.reduce((sum, s) => sum + s.durationNs, 0n)) / 1e9;
          const frames = Number(played.streams.find((s) => s.codec_type === 'video')?.nb_read_frames);
          expect(Math.abs(frames * FRAME - seconds)).toBeLessThanOrEqual(FRAME + 1e-9);
          expect(Math.abs(played.span - seconds)).toBeLessThanOrEqual(FRAME);
        });
      }

      it('refuses a principal without the read scope, and one without credentials', async () => {
        const path = `/flows/${flows.mpegts.flowId}/export?timerange=_`;
        expectError(await server.get(path, { headers: writer }), 403);
        expectError(await server.get(path), 401);
        // The URL token players use is accepted as for every route.
        const token = reader.authorization?.slice('Bearer '.length) ?? '';
        const tokened = await fetch(`${server.url}${path}&access_token=${encodeURIComponent(token)}`);
        expect(tokened.status).toBe(200);
        await tokened.arrayBuffer();
      });

      it('answers 400 for a bad timerange, 404 for an empty one or an unknown Flow', async () => {
        const flowId = flows.mpegts.flowId;
        expectError(
          await server.get(`/flows/${flowId}/export?timerange=yesterday`, { headers: reader }),
          400,
        );
        const before = `[${ts(T0 - 10n * S)}_${ts(T0 - 5n * S)})`;
        const empty = await server.get(`/flows/${flowId}/export?timerange=${encodeURIComponent(before)}`, {
          headers: reader,
        });
        expectError(empty, 404);
        expect((empty.body as { summary: string }).summary).toContain('no segments in timerange');
        expectError(await server.get(`/flows/${randomUUID()}/export`, { headers: reader }), 404);
      });

      it('refuses, before any byte, segments that only client-registered URLs reach', async () => {
        const flowId = randomUUID();
        const flow = { id: flowId, source_id: randomUUID(), format: 'urn:x-nmos:format:multi' };
        expect(
          (await server.put(`/flows/${flowId}`, { ...flow, container: 'video/mp2t' }, { headers: AUTH }))
            .status,
        ).toBe(201);
        const objectId = `external-${randomUUID()}`;
        const posted = await server.post(
          `/flows/${flowId}/segments`,
          {
            object_id: objectId,
            timerange: `[${ts(T0)}_${ts(T0 + S)})`,
            get_urls: [{ url: 'http://media.invalid/a.ts' }],
          },
          { headers: AUTH },
        );
        expect(posted.status, posted.text).toBe(201);
        const res = await server.get(`/flows/${flowId}/export`, { headers: reader });
        expectError(res, 400);
        expect((res.body as { summary: string }).summary).toContain(
          `(object ${objectId}): its object is only reachable through URLs registered by a client`,
        );
      });

      it('answers HEAD with the headers alone', async () => {
        const res = await server.head(`/flows/${flows.fmp4.flowId}/export`, { headers: reader });
        expect(res.status).toBe(200);
        expect(res.headers.get('content-type')).toBe('video/mp4');
        expect(res.headers.get('content-disposition')).toContain('.mp4"');
        expect(res.text).toBe('');
      });

      it('cuts the response off when an object is gone after the first bytes', async () => {
        // Another Flow of the same media, whose third object then loses its bytes in storage.
        const flow = await ingest(server, streams.mpegts, {
          sourceId: randomUUID(),
          start: T0,
          headers: AUTH,
        });
        const page = await server.runtime.store.segments.page(flow.flowId, TimeRange.ETERNITY, {
          reverse: false,
          limit: 10,
        });
        const lost = page.items[2]?.storage;
        if (lost === undefined) throw new Error('the third segment has no stored object');
        await server.runtime.media.get(lost.id)?.delete(lost.path);
        const res = await fetch(`${server.url}/flows/${flow.flowId}/export`, { headers: reader });
        expect(res.status).toBe(200);
        // The body never ends as a whole one: reading it fails.
        await expect(res.arrayBuffer()).rejects.toThrow();
      });
    });
  }
});

interface Played {
  streams: { codec_type?: string; nb_read_frames?: string }[];
  /** Seconds from the file's first timestamp to its end. */
  span: number;
}

/**
 * ffprobe decoding the whole file: the frames of each stream, and the span it plays. ffprobe's
 * `duration` of a fragmented MP4 runs from 0 to its end (the fragments' decode times start where
 * they were in the Flow), of MPEG-TS from its first timestamp: the span is the same for both.
 */
async function probeFile(file: string): Promise<Played> {
  const { stdout } = await promisify(execFile)(FFPROBE, [
    ...['-v', 'error', '-count_frames', '-print_format', 'json'],
    ...['-show_entries', 'stream=codec_type,nb_read_frames:format=format_name,duration,start_time'],
    file,
  ]);
  const out = JSON.parse(stdout) as {
    streams: Played['streams'];
    format: { format_name: string; duration: string; start_time: string };
  };
  const duration = Number(out.format.duration);
  const mp4 = out.format.format_name.includes('mp4');
  return { streams: out.streams, span: mp4 ? duration - Number(out.format.start_time) : duration };
}

function fraction(ns: bigint): string {
  const f = (ns % S).toString().padStart(9, '0').replace(/0+$/, '');
  return f === '' ? '' : `.${f}`;
}
