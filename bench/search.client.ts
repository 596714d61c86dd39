/**
 * The media search benchmarks' client: JSON over HTTP to a tams-server, and the programmes of
 * the evaluation set (bench/search-eval) ingested through the ordinary TAMS API.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';

export interface Client {
  url: string;
  headers: Record<string, string>;
}

export async function call<T = unknown>(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${client.url}${path}`, {
    method,
    headers: { ...client.headers, ...(body !== undefined && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

export async function must<T = unknown>(
  client: Client,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await call<T>(client, method, path, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface Allocated {
  media_objects: {
    object_id: string;
    put_url: { url: string; 'content-type': string; headers?: Record<string, string> };
  }[];
}

/** A Flow with `seconds` of media in 10 s segments (objects allocated, bytes never uploaded). */
export async function flowWithMedia(
  client: Client,
  flow: Record<string, unknown>,
  seconds: number,
): Promise<void> {
  await must(client, 'PUT', `/flows/${flow.id}`, flow);
  const n = Math.ceil(seconds / 10);
  const ids: string[] = [];
  while (ids.length < n) {
    const got = await must<Allocated>(client, 'POST', `/flows/${flow.id}/storage`, {
      limit: Math.min(1000, n - ids.length),
    });
    ids.push(...got.media_objects.map((o) => o.object_id));
  }
  await must(
    client,
    'POST',
    `/flows/${flow.id}/segments`,
    ids.map((object_id, i) => ({ object_id, timerange: `[${i * 10}:0_${(i + 1) * 10}:0)` })),
  );
}

export interface Programme {
  key: string;
  label: string;
  description: string;
  tags: Record<string, string>;
  format: string;
  codec: string;
  duration_s: number;
}

export interface IngestedProgramme {
  key: string;
  flow: string;
  source: string;
}

/**
 * A programme as a broadcaster's store holds it: its picture (or sound) Flow with the metadata,
 * and its WebVTT captions as a data Flow, collected together by a multi Flow.
 */
/** The essence parameters TAMS requires of a Flow of each format. */
export function essenceOf(format: string): Record<string, unknown> {
  if (format.endsWith(':audio')) return { sample_rate: 48000, channels: 2, bit_depth: 24 };
  if (format.endsWith(':data')) return { data_type: 'urn:x-tams:data:subtitle' };
  return { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } };
}

export async function ingestProgramme(client: Client, p: Programme, vtt: string): Promise<IngestedProgramme> {
  const av = {
    essence_parameters: essenceOf(p.format),
    id: randomUUID(),
    source_id: randomUUID(),
    format: p.format,
    codec: p.codec,
    container: 'video/mp2t',
    label: p.label,
    description: p.description,
    tags: p.tags,
  };
  await flowWithMedia(client, av, p.duration_s);
  const captions = {
    id: randomUUID(),
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:data',
    codec: 'text/vtt',
    container: 'text/vtt',
    essence_parameters: essenceOf('urn:x-nmos:format:data'),
  };
  await must(client, 'PUT', `/flows/${captions.id}`, captions);
  const multi = {
    id: randomUUID(),
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:multi',
    container: 'video/mp2t',
    flow_collection: [
      { id: av.id, role: p.format.endsWith('audio') ? 'audio' : 'video' },
      { id: captions.id, role: 'subtitles' },
    ],
  };
  await must(client, 'PUT', `/flows/${multi.id}`, multi);
  const [object] = (await must<Allocated>(client, 'POST', `/flows/${captions.id}/storage`, { limit: 1 }))
    .media_objects;
  if (object === undefined) throw new Error('no object allocated');
  const put = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { ...object.put_url.headers, 'content-type': object.put_url['content-type'] },
    body: vtt,
  });
  if (put.status !== 200) throw new Error(`upload: ${put.status}`);
  await must(client, 'POST', `/flows/${captions.id}/segments`, {
    object_id: object.object_id,
    timerange: `[0:0_${p.duration_s}:0)`,
  });
  return { key: p.key, flow: av.id, source: av.source_id };
}

/**
 * Waits until the index has applied everything (and, with `settled`, done its upkeep: merged
 * its parts, trained and packed its vectors); returns its status.
 */
export async function waitIndexed(
  client: Client,
  onProgress?: (status: { documents: number; pending_events: number }) => void,
  settled = false,
): Promise<{ documents: number; parts: number; vector_rows: number }> {
  for (;;) {
    const status = await must<{
      up_to_date: boolean;
      settled: boolean;
      documents: number;
      parts: number;
      vector_rows: number;
      pending_events: number;
    }>(client, 'GET', '/search/status');
    if (settled ? status.settled : status.up_to_date) return status;
    onProgress?.(status);
    await new Promise((r) => setTimeout(r, 200));
  }
}

export const EVAL_DIR = new URL('./search-eval/', import.meta.url);

export function readEval<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(file, EVAL_DIR), 'utf8')) as T;
}

export function readTranscript(key: string): string {
  return readFileSync(new URL(`transcripts/${key}.vtt`, EVAL_DIR), 'utf8');
}
