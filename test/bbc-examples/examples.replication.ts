/**
 * What test/bbc-examples/bbc-examples.replication.test.ts reads of two stores: the replication
 * jobs of the destination (made, waited for, their Flows), and every segment of a Flow through a
 * mount with the comparison of two stores' answers field by field.
 */
import { waitFor } from '../segments/helpers.ts';
import type { Api } from './examples.checks.ts';

/** A replication job as GET /replications/{id} answers it: what the test reads of it. */
export interface Job {
  id: string;
  label?: string;
  state: string;
  media: string;
  ids: string;
  flows: number;
  segments_copied: number;
  objects_copied: number;
  bytes_copied: number;
  segments_refused: number;
  origin_requests: number;
  last_error?: string;
  origin: { url: string; version?: string; auth: string };
}

/** One origin Flow of a job and its Flow here (GET /replications/{id}/flows). */
export interface JobFlow {
  origin_flow_id: string;
  flow_id: string;
  segments: number;
  gone: boolean;
  last_error?: string;
}

/** A segment as a mount answers it, every field (get_urls among them). */
export type Segment = Record<string, unknown>;

export interface SegmentUrl {
  url: string;
  label?: string;
  presigned?: boolean;
  controlled?: boolean;
}

export async function createJob(api: Api, body: Record<string, unknown>): Promise<Job> {
  const res = await api.client.post<Job>('/replications', body, { headers: api.headers });
  if (res.status !== 201) throw new Error(`POST /replications: ${res.status} ${res.text}`);
  return res.body;
}

/**
 * Waits until the job satisfies `done`; a timeout says where the job stood. A job that failed, or
 * that refused a segment (never retried: its count cannot reach the origin's), ends the wait.
 */
export async function jobUntil(
  api: Api,
  id: string,
  what: string,
  done: (job: Job) => boolean,
): Promise<Job> {
  let last: Job | undefined;
  try {
    return await waitFor(`replication job ${id}: ${what}`, async () => {
      const res = await api.client.get<Job>(`/replications/${id}`, { headers: api.headers });
      if (res.status !== 200) throw new Error(`GET /replications/${id}: ${res.status} ${res.text}`);
      last = res.body;
      if (res.body.state === 'failed' || res.body.segments_refused > 0)
        throw new Error(`replication job ${id} cannot reach ${what}`);
      return done(res.body) ? res.body : undefined;
    });
  } catch (error) {
    throw new Error(`${(error as Error).message}; the job: ${JSON.stringify(last)}`);
  }
}

export async function jobFlows(api: Api, id: string): Promise<JobFlow[]> {
  const res = await api.client.get<JobFlow[]>(`/replications/${id}/flows`, { headers: api.headers });
  if (res.status !== 200) throw new Error(`GET /replications/${id}/flows: ${res.status} ${res.text}`);
  return res.body;
}

/** Every segment of the Flow through the mount at `base`, with `query`, following the paging keys. */
export async function segmentsAt(
  api: Api,
  base: string,
  flowId: string,
  query: Record<string, string> = {},
): Promise<Segment[]> {
  const all: Segment[] = [];
  let page: string | undefined;
  do {
    const path = `${base}/flows/${flowId}/segments`;
    const res = await api.client.get<Segment[]>(path, {
      headers: api.headers,
      query: { limit: 100, ...query, ...(page !== undefined && { page }) },
    });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    all.push(...res.body);
    page = res.headers.get('x-paging-nextkey') ?? undefined;
  } while (page !== undefined);
  return all;
}

export function urlsOf(segment: Segment): SegmentUrl[] {
  return (segment.get_urls ?? []) as SegmentUrl[];
}

/**
 * Where two answers for the same Flow differ, one line each: the segment count, then each
 * segment's fields one by one (names and values, compared as JSON), get_urls aside: each store
 * hands out its own. Empty when every field of every segment is the same.
 */
export function fieldDifferences(want: readonly Segment[], got: readonly Segment[]): string[] {
  const found: string[] = [];
  if (got.length !== want.length) found.push(`${got.length} segments, not ${want.length}`);
  for (const [i, w] of want.entries()) {
    const g = got[i] ?? {};
    const names = new Set([...Object.keys(w), ...Object.keys(g)]);
    names.delete('get_urls');
    for (const name of [...names].sort()) {
      const [a, b] = [JSON.stringify(g[name]), JSON.stringify(w[name])];
      if (a !== b) found.push(`segment ${i} (${String(w.timerange)}) ${name}: ${a} instead of ${b}`);
    }
  }
  return found;
}

/** The names of the fields the answers compared carry (for the report of what was compared). */
export function fieldNames(segments: readonly Segment[]): string[] {
  return [...new Set(segments.flatMap((s) => Object.keys(s)))].filter((n) => n !== 'get_urls').sort();
}
