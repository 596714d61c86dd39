/**
 * What the upgrade test writes through a release's HTTP API, and the answers it reads back: on
 * both mounts (`/`, TAMS 7.0, and `/tams/v8.2`), every kind of thing a store holds: Sources and
 * Flows (8.2's `status` and list-valued tags among them), segments registered one at a time and in
 * bulk, uploaded objects, webhooks registered through each mount, media search (a WebVTT
 * captions segment and a published transcript), an EXR image's header catalogue, and analytics.
 */
import { expect } from 'vitest';
import { attr, i32, partAttributes, singlePartFile } from '../../tools/exr-files/exr.build.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, httpClient } from '../helpers/server.ts';
import { createFlow, dataFlow, imageFlow, videoFlow } from '../http/fixtures.ts';
import { webvtt } from '../search/search.fixtures.ts';
import { addSegments, allocate, contiguous, secs, upload, waitFor } from '../segments/helpers.ts';

export const V82 = '/tams/v8.2';

/** Settings the releases run with, on top of the engine's: the wings on, workers quick. */
export const UPGRADE_ENV = {
  TAMS_WORKER_IDLE_MS: '20',
  // The old release is SIGKILLed holding the deletion request's lease: the current code takes it
  // once it lapses. At the default 60 s that was the whole wait for the request to finish (seen
  // failing on the VAST fake under load).
  TAMS_WORKER_LEASE_SECONDS: '5',
  TAMS_SEARCH: 'true',
  TAMS_SEARCH_EMBEDDINGS: 'none',
  TAMS_EXR: 'true',
  TAMS_ANALYTICS: 'true',
  TAMS_WEBHOOK_ALLOW: '127.0.0.1',
  // A Flow of more segments than this is deleted by a request, one segment per chunk.
  TAMS_DELETE_SYNC_LIMIT: '5',
  TAMS_DELETE_CHUNK: '1',
};

export interface Written {
  flows: string[];
  sources: string[];
  objects: string[];
  captions: string;
  exr: string;
  transcript: string;
}

/** Answers of the GETs `paths` gives, through both mounts: `<mount> <path>` -> status and body. */
export type Answers = Record<string, { status: number; body: unknown }>;

function ok(res: { status: number; text: string }, status: number, what: string): void {
  expect(res.status, `${what}: ${res.text}`).toBe(status);
}

/** Writes the store through `url` (a release's server); returns what it wrote. */
export async function writeStore(url: string): Promise<Written> {
  const v7 = httpClient(url);
  const v8 = mountClient({ url }, V82);
  // Flows: one through 7.0, one through 8.2 with 8.2's fields.
  const ingest = videoFlow({ label: 'Ingest (7.0)', tags: { genre: 'news' } });
  await createFlow(v7, ingest);
  const edit = videoFlow({
    label: 'Edit (8.2)',
    status: 'ingesting',
    tags: { genre: ['news', 'live'], desk: 'national' },
  });
  ok(await v8.put(`/flows/${edit.id}`, edit), 201, 'PUT 8.2 Flow');
  const ingestId = ingest.id as string;
  const editId = edit.id as string;

  // Segments: bulk on 7.0, one at a time on 8.2, objects uploaded; one object shared by both.
  const objects = [
    ...(await allocate(v7, ingestId, { limit: 4 })),
    ...(await allocate(v8, editId, { limit: 2 })),
  ];
  for (const o of objects) await upload(o);
  const ids = objects.map((o) => o.object_id);
  await addSegments(v7, ingestId, contiguous(ids.slice(0, 4)));
  for (const [i, object_id] of ids.slice(4).entries()) {
    ok(
      await v8.post(`/flows/${editId}/segments`, { object_id, timerange: secs(i * 10, i * 10 + 10) }),
      201,
      'POST',
    );
  }
  ok(
    await v8.post(`/flows/${editId}/segments`, {
      object_id: ids[0],
      timerange: secs(20, 30),
      ts_offset: '20:0',
    }),
    201,
    'POST shared object',
  );

  // Webhooks through each mount (events no write below raises: no delivery changes them).
  ok(
    await v7.post('/service/webhooks', {
      url: 'http://127.0.0.1:9/hook-70',
      api_key_name: 'x-api-key',
      api_key_value: 'upgrade-70',
      events: ['sources/deleted'],
    }),
    201,
    'POST 7.0 webhook',
  );
  ok(
    await v8.post('/service/webhooks', {
      url: 'http://127.0.0.1:9/hook-82',
      api_key_name: 'x-api-key',
      api_key_value: 'upgrade-82',
      events: ['flows/deleted'],
      flow_ids: [editId],
      status: 'disabled',
    }),
    201,
    'POST 8.2 webhook',
  );

  // Media search: a captions Flow with a WebVTT segment, and a published transcript.
  const captions = dataFlow({ label: 'Captions', codec: 'text/vtt', container: 'text/vtt' });
  await createFlow(v7, captions);
  const [cues] = await allocate(v7, captions.id as string, { limit: 1 });
  if (!cues) throw new Error('no object allocated');
  await upload(cues, Buffer.from(webvtt([[1, 4, 'Flooding closed the coastal railway line.']])));
  await addSegments(v7, captions.id as string, { object_id: cues.object_id, timerange: secs(0, 10) });
  const transcript = await v7.post<{ id: string }>('/search/transcripts', {
    flow_id: ingestId,
    label: 'ASR',
    language: 'en-GB',
    generator: 'upgrade-test 1.0',
    cues: [{ timerange: '[12:0_15:0)', text: 'The harbour wall held overnight.', speaker: 'Reporter' }],
  });
  ok(transcript, 201, 'POST transcript');
  ok(await v7.post(`/search/transcripts/${transcript.body.id}/publish`, undefined), 200, 'publish');

  // EXR: an image Flow of one frame whose header the catalogue reads.
  const exr = imageFlow({ label: 'Render', codec: 'image/x-exr', container: 'image/x-exr' });
  await createFlow(v7, exr);
  const [frame] = await allocate(v7, exr.id as string, { limit: 1 });
  if (!frame) throw new Error('no object allocated');
  const bytes = singlePartFile(partAttributes({ width: 16, extra: [attr('frameTag', 'int', i32(7))] }), 8);
  await upload(frame, Buffer.from(bytes));
  await addSegments(v7, exr.id as string, { object_id: frame.object_id, timerange: '[0:0_0:40000000)' });

  const written: Written = {
    flows: [ingestId, editId, captions.id as string, exr.id as string],
    sources: [ingest.source_id, edit.source_id, captions.source_id, exr.source_id] as string[],
    objects: [...ids, cues.object_id, frame.object_id],
    captions: captions.id as string,
    exr: exr.id as string,
    transcript: transcript.body.id,
  };
  await followed(url, written);
  return written;
}

/** Waits for the wings to have followed what was written: the search index, the EXR catalogue. */
export async function followed(url: string, written: Written): Promise<void> {
  const v7 = httpClient(url);
  await waitFor('the search index to catch up', async () => {
    const res = await v7.get<{ up_to_date: boolean }>('/search/status');
    return res.status === 200 && res.body.up_to_date;
  });
  await waitFor('the EXR catalogue to have the frame', async () => {
    const res = await v7.get<unknown[]>('/exr/files', { query: { flow_id: written.exr } });
    return res.status === 200 && res.body.length === 1;
  });
}

/** The TAMS GETs whose answers must read back the same, each through both mounts. */
function tamsPaths(written: Written): string[] {
  return [
    '/sources?limit=100',
    ...written.sources.map((id) => `/sources/${id}`),
    '/flows?limit=100',
    ...written.flows.flatMap((id) => [
      `/flows/${id}?include_timerange=true`,
      `/flows/${id}/segments?limit=100`,
    ]),
    ...written.objects.map((id) => `/objects/${id}`),
    '/service/webhooks',
  ];
}

/** The wings' GETs (served at the root only). */
function wingPaths(written: Written): string[] {
  return [
    ...written.flows.map((id) => `/analytics/flows/${id}/usage`),
    '/search?q=railway',
    '/search?q=harbour',
    `/search/transcripts?flow_id=${written.flows[0]}`,
    `/exr/files?flow_id=${written.exr}`,
  ];
}

/**
 * What legitimately changes from one server to the next, taken out: a URL's origin when it is the
 * server's own (each start listens on another port) and every URL's query (a presigned URL's
 * signature and expiry are made per answer).
 */
export function normalise(value: unknown, origin: string): unknown {
  if (typeof value === 'string' && /^https?:\/\//.test(value)) {
    const url = value.startsWith(origin) ? `ORIGIN${value.slice(origin.length)}` : value;
    return url.replace(/\?.*$/, '?…');
  }
  if (Array.isArray(value)) return value.map((v) => normalise(v, origin));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, normalise(v, origin)]));
  }
  return value;
}

/** The answers of `paths` through both mounts, normalised. */
export async function readAnswers(
  url: string,
  written: Written,
  extra: readonly string[] = [],
): Promise<Answers> {
  const answers: Answers = {};
  for (const mount of ['', V82]) {
    const client: HttpClient = mount === '' ? httpClient(url) : mountClient({ url }, mount);
    const paths = [...tamsPaths(written), ...(mount === '' ? wingPaths(written) : []), ...extra];
    for (const path of paths) {
      const res = await client.get(path);
      answers[`${mount || '/'} ${path}`] = { status: res.status, body: normalise(res.body, url) };
    }
  }
  return answers;
}

/**
 * A Flow of `n` one-second segments in one bulk POST, deleted by a request (more than
 * TAMS_DELETE_SYNC_LIMIT), of a Source the store has already (Sources outlive their Flows).
 */
export async function bigFlow(url: string, n: number, sourceId: string): Promise<string> {
  const v7 = httpClient(url);
  const flow = videoFlow({ label: 'To delete', source_id: sourceId });
  await createFlow(v7, flow);
  const objects = await allocate(v7, flow.id as string, { limit: n });
  await addSegments(
    v7,
    flow.id as string,
    objects.map((o, k) => ({ object_id: o.object_id, timerange: secs(k, k + 1) })),
  );
  return flow.id as string;
}
