/**
 * Shared pieces of the issue-3 tests (segments, storage, objects, deletion): the client steps
 * the BBC example ingest and outgest scripts take (DIGEST §15), each response checked against
 * the spec's schemas, and polling for the background workers.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, expect } from 'vitest';
import type { MediaStore } from '../../src/media/media.types.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import {
  type HttpClient,
  type RequestOptions,
  type TestResponse,
  type TestServer,
  tempDir,
} from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { allPages, createFlow, type Doc, getAndHead, videoFlow } from '../http/fixtures.ts';
import type { ChildServer } from '../ops/child.ts';

export interface PutUrl {
  url: string;
  'content-type': string;
  headers?: Record<string, string>;
}

export interface AllocatedObject {
  object_id: string;
  put_url: PutUrl;
}

export interface GetUrl {
  url: string;
  presigned?: boolean;
  label?: string;
  storage_id?: string;
  controlled?: boolean;
  provider?: string;
  store_product?: string;
  store_type?: string;
  region?: string;
}

export interface Segment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  last_duration?: string;
  sample_offset?: number;
  sample_count?: number;
  key_frame_count?: number;
  get_urls?: GetUrl[];
}

export interface Backend {
  id: string;
  label?: string;
  provider: string;
  store_product: string;
  store_type: string;
  region?: string;
  availability_zone?: string;
  default_storage?: boolean;
}

/** Settings that make the background workers react within milliseconds. */
export const FAST_WORKERS = { TAMS_WORKER_IDLE_MS: '20' };

/** PUTs a new video Flow (container video/mp2t unless overridden); returns its id. */
export async function newFlow(server: HttpClient, overrides: Doc = {}): Promise<string> {
  const flow = videoFlow(overrides);
  await createFlow(server, flow);
  return flow.id as string;
}

/** POST /flows/{id}/storage that must succeed: the 201 body, checked against flow-storage.json. */
export async function allocate(
  server: HttpClient,
  flowId: string,
  body: unknown = { limit: 1 },
): Promise<AllocatedObject[]> {
  const res = await server.post<{ media_objects: AllocatedObject[] }>(`/flows/${flowId}/storage`, body);
  if (res.status !== 201) throw new Error(`POST /flows/${flowId}/storage: ${res.status} ${res.text}`);
  assertSpecValid('flow-storage.json', res.body);
  return res.body.media_objects;
}

/** Allocates `n` objects; returns their ids. */
export async function objectIds(server: HttpClient, flowId: string, n: number): Promise<string[]> {
  const ids: string[] = [];
  while (ids.length < n) {
    const objects = await allocate(server, flowId, { limit: Math.min(1000, n - ids.length) });
    ids.push(...objects.map((o) => o.object_id));
  }
  return ids;
}

/** PUTs bytes to an object's put_url as the example ingest client does (DIGEST §7). */
export async function upload(object: AllocatedObject, bytes: Buffer = randomBytes(1024)): Promise<void> {
  const res = await fetch(object.put_url.url, {
    method: 'PUT',
    headers: { ...object.put_url.headers, 'content-type': object.put_url['content-type'] },
    body: bytes,
  });
  if (res.status !== 200) throw new Error(`PUT ${object.put_url.url}: ${res.status} ${await res.text()}`);
}

/** `[a:0_b:0)` for whole seconds. */
export function secs(a: number, b: number): string {
  return `[${a}:0_${b}:0)`;
}

/** Back-to-back segments of `seconds` each from `start`, one per object id. */
export function contiguous(ids: readonly string[], start = 0, seconds = 10): Segment[] {
  return ids.map((object_id, i) => ({
    object_id,
    timerange: secs(start + i * seconds, start + (i + 1) * seconds),
  }));
}

/** POSTs segments that must all be registered (201, no body). */
export async function addSegments(
  server: HttpClient,
  flowId: string,
  segments: Segment | Segment[],
): Promise<void> {
  const res = await server.post(`/flows/${flowId}/segments`, segments);
  if (res.status !== 201) throw new Error(`POST /flows/${flowId}/segments: ${res.status} ${res.text}`);
  expect(res.text).toBe('');
}

/** Allocates one object per segment and registers back-to-back segments; returns the object ids. */
export async function fillFlow(
  server: HttpClient,
  flowId: string,
  n: number,
  start = 0,
  seconds = 10,
): Promise<string[]> {
  const ids = await objectIds(server, flowId, n);
  await addSegments(server, flowId, contiguous(ids, start, seconds));
  return ids;
}

/** GET segments (and HEAD, which must agree); the body is checked against flow-segment.json[]. */
export async function getSegments(
  server: HttpClient,
  flowId: string,
  query: RequestOptions['query'] = {},
): Promise<TestResponse<Segment[]>> {
  const res = await getAndHead<Segment[]>(server, `/flows/${flowId}/segments`, { query });
  expect(res.status, res.text).toBe(200);
  assertSpecValid('flow-segment.json[]', res.body);
  return res;
}

/** Every segment, following `Link rel="next"` to the end. */
export async function allSegments(
  server: HttpClient,
  flowId: string,
  query: Record<string, string | number | boolean> = {},
): Promise<Segment[]> {
  const pages = await allPages<Segment>(server, `/flows/${flowId}/segments`, query, 'flow-segment.json');
  return pages.flatMap((p) => p.body);
}

/** Timeranges of the Flow's segments (first page of 1000). */
export async function timeranges(
  server: HttpClient,
  flowId: string,
  query: Record<string, string | number | boolean> = {},
): Promise<string[]> {
  const res = await getSegments(server, flowId, { limit: 1000, ...query });
  return res.body.map((s) => s.timerange);
}

/** Every storage backend of a test server, from /service/storage-backends (schema-checked). */
export async function backends(server: TestServer): Promise<Backend[]> {
  const res = await getAndHead<Backend[]>(server, '/service/storage-backends');
  expect(res.status).toBe(200);
  assertSpecValid('storage-backends-list.json', res.body);
  return res.body;
}

/** The only storage backend of a test server (the fs store), from /service/storage-backends. */
export async function backend(server: TestServer): Promise<Backend> {
  const list = await backends(server);
  expect(list).toHaveLength(1);
  return list[0] as Backend;
}

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false>,
  timeoutMs = WAIT_MS,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

/** The status of a plain GET of a URL (a media URL), body discarded. */
export async function fetchStatus(url: string): Promise<number> {
  const res = await fetch(url);
  await res.arrayBuffer();
  return res.status;
}

/** The presigned get_url of each object id, read from the Flow's segments. */
export async function presignedUrls(server: TestServer, flowId: string): Promise<Map<string, string>> {
  const segments = await allSegments(server, flowId, { presigned: true, limit: 1000 });
  const urls = new Map<string, string>();
  for (const s of segments) {
    const url = s.get_urls?.[0]?.url;
    if (url !== undefined) urls.set(s.object_id, url);
  }
  return urls;
}

/** The storage path (key in the fs backend) a media URL of this server points at. */
export function storagePathOf(url: string): string {
  const path = new URL(url).pathname;
  expect(path.startsWith('/media/')).toBe(true);
  return decodeURIComponent(path.slice('/media/'.length));
}

/**
 * Where an object's bytes live: the backend and the storage path recorded at allocation. Read it
 * while the object exists (the record goes with the object), then probe the backend with it.
 */
export interface StoredBytes {
  objectId: string;
  storageId: string;
  path: string;
}

/** The backend and storage path of an object, from the store (any backend kind). */
export async function storedBytes(server: TestServer, objectId: string): Promise<StoredBytes> {
  const record = await server.runtime.store.objects.get(objectId);
  if (!record?.storage_id || record.storage_path === undefined) {
    throw new Error(`object ${objectId} has no storage location`);
  }
  return { objectId, storageId: record.storage_id, path: record.storage_path };
}

function backendOf(server: TestServer, storageId: string): MediaStore {
  const store = server.runtime.media.get(storageId);
  if (!store) throw new Error(`no storage backend ${storageId}`);
  return store;
}

/**
 * Whether the backend still holds the bytes (its head(), asked of the backend itself: the S3
 * server for S3). Given a media URL of the fs backend instead, the path is read from the URL.
 */
export async function bytesExist(server: TestServer, where: StoredBytes | string): Promise<boolean> {
  if (typeof where !== 'string') return (await backendOf(server, where.storageId).head(where.path)) !== null;
  const [store] = server.runtime.media.stores;
  if (!store) throw new Error('no media store');
  return (await store.head(storagePathOf(where))) !== null;
}

/** The size of the bytes the backend holds for an object, or undefined when it holds none. */
export async function storedSize(server: TestServer, where: StoredBytes): Promise<number | undefined> {
  return (await backendOf(server, where.storageId).head(where.path))?.size;
}

/**
 * Waits until the media GC has deleted the bytes: head() null in the object's backend. Given a
 * media URL (fs), waits for GET to answer 404 first.
 */
export async function waitBytesGone(
  server: TestServer,
  where: StoredBytes | string,
  timeoutMs = WAIT_MS,
): Promise<void> {
  const what = typeof where === 'string' ? where : `object ${where.objectId}`;
  if (typeof where === 'string') {
    await waitFor(`bytes of ${what} deleted`, async () => (await fetchStatus(where)) === 404, timeoutMs);
  } else {
    await waitFor(`bytes of ${what} deleted`, async () => !(await bytesExist(server, where)), timeoutMs);
  }
  expect(await bytesExist(server, where)).toBe(false);
}

/** Waits until the media GC queue is empty, so absent deletions are real rather than pending. */
export async function waitGcIdle(server: TestServer, timeoutMs = WAIT_MS): Promise<void> {
  await waitFor(
    'the media GC queue to drain',
    async () => (await server.runtime.store.mediaGc.backlog()) === 0,
    timeoutMs,
  );
}

/** The segments with their URLs' signatures taken out: two answers a second apart sign differently. */
export const unsigned = (segments: readonly Segment[]) =>
  segments.map((s) => ({
    ...s,
    // The query of a signed URL (the fs store's expires and sig, or S3's X-Amz-Date, -Expires and
    // -Signature) moves on with the clock, by the second.
    get_urls: s.get_urls?.map((u) => ({
      ...u,
      url: u.presigned ? u.url.split('?')[0] : u.url.replace(/\?expires=\d+&sig=[\w-]+$/, ''),
    })),
  }));

/** Whether the store keeps its cache and segment indexes in memory (the embedded engine, cache on). */
export const accelerated = !onSharedEngine && process.env.TAMS_TEST_ACCELERATOR !== 'off';

/** The store's segment index stats; throws where the store has no segment index. */
export function indexStats(server: TestServer) {
  const s = server.runtime.accelerator?.segmentIndexStats();
  if (!s) throw new Error('no segment index');
  return s;
}

/** A Flow of `flows` whose index is not in memory once loading has settled. */
export async function droppedFlow(server: TestServer, flows: readonly string[]): Promise<string> {
  await server.runtime.accelerator?.segmentLoadsIdle();
  const flowId = flows.find((f) => server.runtime.accelerator?.segmentIndexHolds(f) === false);
  if (!flowId) throw new Error('every Flow is loaded: the budget holds them all');
  return flowId;
}

/** What each Flow holds: its segments' [start, end) in seconds, in time order. */
export type Spans = Map<string, [number, number][]>;

/** The timeranges the Flow holds (those `keep` accepts), in time order. */
export function expectedTimeranges(
  expected: Spans,
  flowId: string,
  keep: (s: [number, number]) => boolean = () => true,
): string[] {
  return (expected.get(flowId) ?? []).filter(keep).map(([a, b]) => secs(a, b));
}

/**
 * Makes `count` Flows of `n` back-to-back 10 s segments, each set in `expected` and read once
 * (appends load no index: the read does, as a player's would); returns their ids.
 */
export async function filledFlows(
  server: HttpClient,
  count: number,
  n: number,
  expected: Spans,
): Promise<string[]> {
  const flows: string[] = [];
  for (let i = 0; i < count; i++) {
    const flowId = await newFlow(server);
    await fillFlow(server, flowId, n);
    await timeranges(server, flowId, { limit: 1 });
    flows.push(flowId);
    expected.set(
      flowId,
      Array.from({ length: n }, (_, k) => [k * 10, k * 10 + 10]),
    );
  }
  return flows;
}

/** Every page (of 7), a timerange filter and the last five in reverse order: each as `expected` says. */
export async function expectReadsExact(server: HttpClient, expected: Spans, flowId: string): Promise<void> {
  const want = (keep?: (s: [number, number]) => boolean) => expectedTimeranges(expected, flowId, keep);
  expect((await allSegments(server, flowId, { limit: 7 })).map((s) => s.timerange)).toEqual(want());
  expect(await timeranges(server, flowId, { timerange: '[55:0_125:0)' })).toEqual(
    want(([a, b]) => b > 55 && a < 125),
  );
  expect(await timeranges(server, flowId, { reverse_order: true, limit: 5 })).toEqual(
    want().reverse().slice(0, 5),
  );
}

/**
 * A data directory for tests that kill a server and start another on it: the servers running
 * (a child process, one in this process) are ended, and the directory removed, after the file.
 */
export function crashDir(prefix: string): {
  dir: { path: string };
  running: { child?: ChildServer; server?: TestServer };
  /** SIGKILL to the child server: it dies at once, writing nothing more. */
  kill(): Promise<void>;
} {
  const dir = tempDir(prefix);
  const running: { child?: ChildServer; server?: TestServer } = {};
  afterAll(async () => {
    running.child?.process.kill('SIGKILL');
    await running.server?.close();
    dir.remove();
  });
  return {
    dir,
    running,
    async kill() {
      const child = running.child;
      if (!child) return;
      child.process.kill('SIGKILL');
      await child.exited;
      running.child = undefined;
    },
  };
}
