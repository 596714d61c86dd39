/**
 * What the search tests build through the ordinary TAMS API: a programme as a multi-essence Flow
 * collecting a video Flow and a WebVTT data Flow, its media uploaded and its segments registered,
 * and waits for the search index to catch up.
 */
import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, dataFlow, multiFlow, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, FAST_WORKERS, upload, waitFor } from '../segments/helpers.ts';

/** Settings of a test server with media search on (keyword only unless `embeddings`). */
export function searchEnv(embeddings = false): Record<string, string> {
  return { ...FAST_WORKERS, TAMS_SEARCH: 'true', TAMS_SEARCH_EMBEDDINGS: embeddings ? 'onnx' : 'none' };
}

export interface Programme {
  video: string;
  captions: string;
  multi: string;
  source: string;
}

/** A WebVTT file of these cues, `[start s, end s, text]`, on the media timeline. */
export function webvtt(cues: readonly (readonly [number, number, string])[]): string {
  const ts = (s: number) => {
    const ms = Math.round(s * 1000);
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor(ms / 60_000) % 60;
    const sec = Math.floor(ms / 1000) % 60;
    const pad = (n: number, w = 2) => String(n).padStart(w, '0');
    return `${pad(h)}:${pad(m)}:${pad(sec)}.${pad(ms % 1000, 3)}`;
  };
  return `WEBVTT\n\n${cues.map(([a, b, text]) => `${ts(a)} --> ${ts(b)}\n${text}\n`).join('\n')}`;
}

/**
 * Creates the programme's Flows (video and captions collected by a multi Flow, sharing no Source)
 * with `label` on the video; registers `videoSegments` seconds of video in 10 s segments and the
 * captions as one segment per WebVTT file given (`[start s, end s, vtt text]`).
 */
export async function programme(
  server: TestServer,
  options: {
    label: string;
    description?: string;
    tags?: Record<string, string>;
    videoSeconds: number;
    captions: readonly (readonly [number, number, string])[];
    captionsCodec?: string;
  },
): Promise<Programme> {
  const video = videoFlow({
    label: options.label,
    description: options.description,
    tags: options.tags ?? {},
  });
  const captions = dataFlow({
    label: `${options.label} (captions)`,
    codec: options.captionsCodec ?? 'text/vtt',
    container: options.captionsCodec ?? 'text/vtt',
  });
  await createFlow(server, video);
  await createFlow(server, captions);
  const multi = multiFlow({
    flow_collection: [
      { id: video.id, role: 'video' },
      { id: captions.id, role: 'subtitles' },
    ],
  });
  await createFlow(server, multi as Doc);
  const videoId = video.id as string;
  const captionsId = captions.id as string;
  const n = Math.ceil(options.videoSeconds / 10);
  const objects = await allocate(server, videoId, { limit: n });
  for (const o of objects) await upload(o);
  await addSegments(
    server,
    videoId,
    objects.map((o, i) => ({ object_id: o.object_id, timerange: `[${i * 10}:0_${(i + 1) * 10}:0)` })),
  );
  for (const [start, end, text] of options.captions) {
    const [object] = await allocate(server, captionsId, { limit: 1 });
    if (object === undefined) throw new Error('no object allocated');
    await upload(object, Buffer.from(text, 'utf8'));
    await addSegments(server, captionsId, {
      object_id: object.object_id,
      timerange: `[${start}:0_${end}:0)`,
    });
  }
  return {
    video: videoId,
    captions: captionsId,
    multi: multi.id as string,
    source: video.source_id as string,
  };
}

export interface SearchStatusDoc {
  up_to_date: boolean;
  building: boolean;
  documents: number;
  pending_events: number;
}

/** Waits until the index has applied everything the store has done so far. */
export async function indexed(server: TestServer): Promise<SearchStatusDoc> {
  return waitFor(
    'the search index to catch up',
    async () => {
      const res = await server.get<SearchStatusDoc>('/search/status');
      expect(res.status, res.text).toBe(200);
      return res.body.up_to_date ? res.body : undefined;
    },
    30_000,
  );
}

export interface HitDoc {
  kind: string;
  flow_id?: string;
  source_id?: string;
  text_flow_id?: string;
  timerange?: string;
  score: number;
  speaker?: string;
  snippet: { text: string; html: string; highlights: [number, number][] };
  reference: string;
}

export interface SearchDoc {
  mode: string;
  hits: HitDoc[];
  total: number;
  complete: boolean;
  facets: { kind: Record<string, number>; format: Record<string, number> };
}

export async function search(
  server: TestServer,
  query: Record<string, string | number>,
): Promise<{ status: number; body: SearchDoc; headers: Headers; text: string }> {
  const res = await server.get<SearchDoc>('/search', { query });
  return { status: res.status, body: res.body, headers: res.headers, text: res.text };
}
