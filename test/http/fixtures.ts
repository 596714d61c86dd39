/**
 * Shared pieces of the HTTP tests of issue 2 (service, sources, flows): Flow documents of each
 * format, a few request helpers, and the assertions every test repeats (HEAD mirrors GET, error
 * bodies, spec validity).
 */
import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import type { HttpClient, RequestOptions, TestResponse, TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';

export type Doc = Record<string, unknown>;

export const uuid = (): string => randomUUID();

export const VIDEO = 'urn:x-nmos:format:video';
export const AUDIO = 'urn:x-nmos:format:audio';
export const IMAGE = 'urn:x-tam:format:image';
export const DATA = 'urn:x-nmos:format:data';
export const MULTI = 'urn:x-nmos:format:multi';

/** Properties the server manages: ignored on PUT, so left out when comparing documents. */
export const SERVER_MANAGED = [
  'created',
  'metadata_updated',
  'segments_updated',
  'metadata_version',
  'collected_by',
  'timerange',
] as const;

export function withoutManaged(doc: Doc): Doc {
  const copy = { ...doc };
  for (const key of SERVER_MANAGED) delete copy[key];
  return copy;
}

export function videoFlow(overrides: Doc = {}): Doc {
  return {
    id: uuid(),
    source_id: uuid(),
    format: VIDEO,
    codec: 'video/h264',
    container: 'video/mp2t',
    essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
    ...overrides,
  };
}

export function audioFlow(overrides: Doc = {}): Doc {
  return {
    id: uuid(),
    source_id: uuid(),
    format: AUDIO,
    codec: 'audio/aac',
    container: 'video/mp2t',
    essence_parameters: { sample_rate: 48000, channels: 2, bit_depth: 24 },
    ...overrides,
  };
}

export function imageFlow(overrides: Doc = {}): Doc {
  return {
    id: uuid(),
    source_id: uuid(),
    format: IMAGE,
    codec: 'image/jpeg',
    container: 'image/jpeg',
    essence_parameters: {
      frame_width: 1280,
      frame_height: 720,
      aspect_ratio: { numerator: 16, denominator: 9 },
    },
    ...overrides,
  };
}

export function dataFlow(overrides: Doc = {}): Doc {
  return {
    id: uuid(),
    source_id: uuid(),
    format: DATA,
    codec: 'application/ttml+xml',
    container: 'application/ttml+xml',
    essence_parameters: { data_type: 'urn:x-tams:data:subtitle' },
    ...overrides,
  };
}

export function multiFlow(overrides: Doc = {}): Doc {
  return { id: uuid(), source_id: uuid(), format: MULTI, container: 'video/mp2t', ...overrides };
}

/** PUTs a Flow that must be new; returns the 201 body (valid flow.json). */
export async function createFlow(server: HttpClient, flow: Doc): Promise<Doc> {
  const res = await server.put<Doc>(`/flows/${flow.id}`, flow);
  if (res.status !== 201) throw new Error(`PUT /flows/${flow.id}: ${res.status} ${res.text}`);
  assertSpecValid('flow.json', res.body);
  return res.body;
}

export async function getFlow(server: TestServer, id: string): Promise<Doc> {
  const res = await server.get<Doc>(`/flows/${id}`);
  expect(res.status).toBe(200);
  assertSpecValid('flow.json', res.body);
  return res.body;
}

export async function getSource(server: TestServer, id: string): Promise<Doc> {
  const res = await server.get<Doc>(`/sources/${id}`);
  expect(res.status).toBe(200);
  assertSpecValid('source.json', res.body);
  return res.body;
}

/** Deletes every Flow (clearing read_only first), and with them every Source. */
export async function deleteAllFlows(server: TestServer): Promise<void> {
  for (;;) {
    const res = await server.get<Doc[]>('/flows', { query: { limit: 100 } });
    if (res.body.length === 0) return;
    for (const flow of res.body) {
      await server.put(`/flows/${flow.id}/read_only`, false);
      const del = await server.delete(`/flows/${flow.id}`);
      expect(del.status).toBe(204);
    }
  }
}

/** Headers that legitimately differ between two responses. */
const VOLATILE_HEADERS = new Set(['date', 'keep-alive', 'connection']);

function headerMap(headers: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  headers.forEach((value, key) => {
    if (!VOLATILE_HEADERS.has(key)) out[key] = value;
  });
  return out;
}

/**
 * GETs `path`, HEADs it, and checks the HEAD answer: same status and headers, no body, content
 * type exactly `application/json`. Returns the GET response.
 */
export async function getAndHead<T = unknown>(
  server: HttpClient,
  path: string,
  options?: RequestOptions,
): Promise<TestResponse<T>> {
  const get = await server.get<T>(path, options);
  const head = await server.head(path, options);
  expect(get.headers.get('content-type')).toBe('application/json');
  expect(head.status).toBe(get.status);
  expect(head.text).toBe('');
  expect(head.headers.get('content-type')).toBe('application/json');
  expect(headerMap(head.headers)).toEqual(headerMap(get.headers));
  return get;
}

/** A TAMS error response: the status, `application/json`, a valid error.json with a `message`. */
export function expectError(res: TestResponse<unknown>, status: number, message?: string): void {
  expect({ status: res.status, text: res.text }).toMatchObject({ status });
  expect(res.headers.get('content-type')).toBe('application/json');
  assertSpecValid('error.json', res.body);
  const body = res.body as Doc;
  expect(Object.keys(body).sort()).toEqual(['message', 'summary', 'time', 'type']);
  expect(typeof body.message).toBe('string');
  expect(typeof body.summary).toBe('string');
  if (message !== undefined) expect(body.message).toBe(message);
}

/** An error response to GET, and the same status with no body to HEAD. */
export async function expectGetError(
  server: TestServer,
  path: string,
  status: number,
  message?: string,
  options?: RequestOptions,
): Promise<void> {
  const get = await server.get(path, options);
  expectError(get, status, message);
  const head = await server.head(path, options);
  expect(head.status).toBe(status);
  expect(head.text).toBe('');
  expect(head.headers.get('content-type')).toBe('application/json');
}

/** `Link: <url>; rel="next"` -> url, or undefined. */
export function nextLink(res: TestResponse<unknown>): string | undefined {
  const link = res.headers.get('link');
  if (link === null) return undefined;
  const match = /^<([^>]+)>;\s*rel="next"$/.exec(link);
  if (!match) throw new Error(`malformed Link header: ${link}`);
  return match[1];
}

/** Follows `Link rel="next"` from `path` to the last page; returns every page. */
export async function allPages<T>(
  server: HttpClient,
  path: string,
  query: Record<string, string | number | boolean>,
  schema: string,
): Promise<TestResponse<T[]>[]> {
  const pages: TestResponse<T[]>[] = [];
  let res = await server.get<T[]>(path, { query });
  for (;;) {
    expect(res.status).toBe(200);
    assertSpecValid(`${schema}[]`, res.body);
    pages.push(res);
    const next = nextLink(res);
    if (next === undefined) return pages;
    if (pages.length > 1000) throw new Error('paging does not terminate');
    res = await server.get<T[]>(next);
  }
}

/** PUTs a bare JSON value (`"a label"`, `true`, `5000`), as the single-property endpoints take. */
export function putValue(server: TestServer, path: string, value: unknown): Promise<TestResponse<unknown>> {
  return server.put(path, JSON.stringify(value));
}
