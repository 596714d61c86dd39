/**
 * The requests of the broadcast benchmark's scenarios, built from the data set: pages of the long
 * Flow at a position (a fraction of it, spread over a band of 32 pages there so that not every
 * request reads the same rows), single POSTs after its live end, Flow creates, Flow lists with a
 * tag filter, and analytics over it.
 */
import { randomUUID } from 'node:crypto';
import { parseTimeRange } from '../src/time/timerange.parse.ts';
import { ORIGIN_SECONDS, SEGMENT_SECONDS, segmentRange } from './bench.dataset.ts';
import { type BroadcastDataset, DAY_SEGMENTS, GROUP_TAG } from './broadcast.dataset.ts';
import type { Request } from './broadcast.measure.ts';

/** Positions of the long Flow its pages are measured at. */
export const POSITIONS = [0.01, 0.5, 0.99] as const;
/** Pages at one position: a band this many pages wide. */
const BAND = 32;
const NS = 1_000_000_000n;

export type PageWay = 'timerange' | 'paging key' | 'reversed';

/** The band's first segments at `fraction` of a Flow of `segments` (pages 1,000 segments apart at 10M). */
export function band(segments: number, fraction: number): number[] {
  const step = Math.max(100, Math.floor(segments / 10_000));
  const base = Math.min(Math.floor(segments * fraction), segments - 200 - BAND * step);
  return Array.from({ length: BAND }, (_, j) => Math.max(0, base) + j * step);
}

/** `[start(k)_start(k + 200))`: a timerange holding 200 segments from the k-th (a page of 100 of them). */
export function pageRange(k: number): string {
  const from = segmentRange(BigInt(k)).format().split('_')[0];
  const to = segmentRange(BigInt(k + 200))
    .format()
    .split('_')[0]
    ?.slice(1);
  return `${from}_${to})`;
}

export function pagePath(flowId: string, k: number, way: 'timerange' | 'reversed'): string {
  const reverse = way === 'reversed' ? '&reverse_order=true' : '';
  return `/flows/${flowId}/segments?timerange=${encodeURIComponent(pageRange(k))}&limit=100${reverse}`;
}

/** Requests taking the paths in turn. */
export function cycle(paths: readonly string[]): () => Request {
  let i = 0;
  return () => ({ path: paths[i++ % paths.length] as string });
}

/** The segment index after a Flow's timerange end (`…_<s>:<ns>)`): where its next segment starts. */
export function nextIndex(timerange: string): number {
  const { end } = parseTimeRange(timerange);
  if (end === null) throw new Error(`no end in ${timerange}`);
  return Number((end / NS - ORIGIN_SECONDS) / SEGMENT_SECONDS);
}

/**
 * Single-segment POSTs after the long Flow's end, from index `from`, on the objects allocated for
 * them (used again once all were: counted in `reused`).
 */
export function appends(
  flowId: string,
  from: number,
  objects: readonly string[],
): { next: () => Request; sent: () => number; reused: () => number } {
  let n = 0;
  return {
    next: () => {
      const k = n++;
      const body = {
        object_id: objects[k % objects.length],
        timerange: segmentRange(BigInt(from + k)).format(),
      };
      return { path: `/flows/${flowId}/segments`, method: 'POST', body: JSON.stringify(body) };
    },
    sent: () => n,
    reused: () => Math.max(0, n - objects.length),
  };
}

/** PUTs of new Flows (each with a Source of its own); their ids, to delete afterwards. */
export function creates(): { next: () => Request; made: string[] } {
  const made: string[] = [];
  return {
    made,
    next: () => {
      const id = randomUUID();
      made.push(id);
      const body = {
        id,
        source_id: randomUUID(),
        format: 'urn:x-nmos:format:video',
        codec: 'video/h264',
        container: 'video/mp2t',
        label: 'bench created channel',
        tags: { bench: 'broadcast-created' },
        essence_parameters: {
          frame_width: 1920,
          frame_height: 1080,
          frame_rate: { numerator: 50, denominator: 1 },
        },
      };
      return { path: `/flows/${id}`, method: 'PUT', body: JSON.stringify(body) };
    },
  };
}

/** The Flow list filtered on a group of a tenth of the short Flows, a group in turn. */
export function flowLists(): () => Request {
  let g = 0;
  return () => ({ path: `/flows?tag.${GROUP_TAG}=${g++ % 10}` });
}

/** The analytics reports over the long Flow, each with its request. */
export function analytics(dataset: BroadcastDataset): { name: string; request: Request }[] {
  const id = dataset.longFlow;
  const day = Math.floor(dataset.segments * 0.6);
  const window = `${segmentRange(BigInt(day)).format().split('_')[0]}_${segmentRange(
    BigInt(day + DAY_SEGMENTS),
  )
    .format()
    .split('_')[0]
    ?.slice(1)})`;
  return [
    {
      name: 'analytics: usage of one day, 1h buckets',
      request: { path: `/analytics/flows/${id}/usage?timerange=${encodeURIComponent(window)}&bucket=1h` },
    },
    {
      name: 'analytics: coverage of one day',
      request: { path: `/analytics/flows/${id}/coverage?timerange=${encodeURIComponent(window)}` },
    },
    {
      name: 'analytics: usage of the whole Flow, 1d buckets',
      request: { path: `/analytics/flows/${id}/usage?bucket=1d` },
    },
    { name: 'analytics: coverage of the whole Flow', request: { path: `/analytics/flows/${id}/coverage` } },
  ];
}
