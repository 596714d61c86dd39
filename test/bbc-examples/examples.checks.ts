/**
 * What the BBC example clients' work is checked against, read by the test itself through the API
 * (an admin token of its own) and the presigned URLs the server hands out: the Flow's segments,
 * every object downloaded and matched byte for byte (SHA-256) to the ingested file it came from,
 * and the packets an outgest of the Flow must hold: each segment's object's packets that fall in
 * the segment's timerange once moved by its ts_offset, in timeline order.
 */

import { parseTimeRange, parseTimestamp, type TimeRange } from '../../src/time/index.ts';
import type { HttpClient, TestResponse } from '../helpers/server.ts';
import { type Packet, type SourceSegment, sha256, TS_HZ } from './examples.media.ts';

const NS_PER_S = 1_000_000_000n;

export interface FlowSegment {
  object_id: string;
  timerange: string;
  ts_offset?: string;
  object_timerange?: string;
  sample_offset?: number;
  sample_count?: number;
  get_urls?: { url: string; presigned?: boolean }[];
}

/** A segment with the ingested file its object's bytes are (matched by SHA-256 of a download). */
export interface ResolvedSegment {
  segment: FlowSegment;
  range: TimeRange;
  source: SourceSegment;
}

export interface Api {
  client: HttpClient;
  headers: Record<string, string>;
}

/** Every segment of the Flow through `base`, page after page (`Link: <...>; rel="next"`). */
export async function flowSegments(api: Api, base: string, flowId: string): Promise<FlowSegment[]> {
  const prefix = base.replace(/\/$/, '');
  let path: string | undefined = `${prefix}/flows/${flowId}/segments`;
  const all: FlowSegment[] = [];
  while (path) {
    const res: TestResponse<FlowSegment[]> = await api.client.get<FlowSegment[]>(path, {
      headers: api.headers,
    });
    if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${res.text}`);
    all.push(...res.body);
    const next: string | undefined = /<([^>]+)>;\s*rel="next"/.exec(res.headers.get('link') ?? '')?.[1];
    path = next === undefined ? undefined : `${new URL(next).pathname}${new URL(next).search}`;
  }
  return all;
}

/**
 * Downloads each segment's object from the first of its `get_urls` (as the scripts do) and finds
 * the ingested file with the same SHA-256; throws naming the segment when there is none.
 */
export async function resolveSegments(
  segments: readonly FlowSegment[],
  sources: readonly SourceSegment[],
): Promise<ResolvedSegment[]> {
  const resolved: ResolvedSegment[] = [];
  for (const segment of segments) {
    const url = segment.get_urls?.[0]?.url;
    if (!url) throw new Error(`segment ${segment.timerange} (${segment.object_id}) has no get_urls`);
    const res = await fetch(url);
    if (!res.ok) throw new Error(`GET ${url}: ${res.status}`);
    const digest = sha256(new Uint8Array(await res.arrayBuffer()));
    const source = sources.find((s) => s.sha256 === digest);
    if (!source) {
      throw new Error(
        `segment ${segment.timerange}: object ${segment.object_id} (sha256 ${digest}) is no ingested file`,
      );
    }
    resolved.push({ segment, range: parseTimeRange(segment.timerange), source });
  }
  return resolved;
}

/** A timestamp in nanoseconds as 90 kHz ticks; throws unless exact (every time here is). */
function ticks(ns: bigint): bigint {
  if ((ns * TS_HZ) % NS_PER_S !== 0n) throw new Error(`${ns} ns is not a whole number of 90 kHz ticks`);
  return (ns * TS_HZ) / NS_PER_S;
}

/** Whether `pts` ticks lie in `range` (compared exactly, scaled to a common unit). */
function inRange(range: TimeRange, pts: bigint): boolean {
  const at = pts * NS_PER_S;
  const scaled = (ns: bigint) => ns * TS_HZ;
  if (range.start !== null && (range.startInclusive ? at < scaled(range.start) : at <= scaled(range.start))) {
    return false;
  }
  return !(range.end !== null && (range.endInclusive ? at > scaled(range.end) : at >= scaled(range.end)));
}

/** The packets an outgest of these segments holds: each object's, on the Flow's timeline. */
export function expectedPackets(resolved: readonly ResolvedSegment[]): Packet[] {
  const out: Packet[] = [];
  for (const { segment, range, source } of resolved) {
    const offset = ticks(parseTimestamp(segment.ts_offset ?? '0:0'));
    for (const packet of source.packets) {
      const pts = BigInt(packet.pts) + offset;
      if (inRange(range, pts)) out.push({ pts: Number(pts), hash: packet.hash });
    }
  }
  return out;
}

/** The first difference between two packet lists, or undefined when they are the same. */
export function packetDifference(actual: readonly Packet[], expected: readonly Packet[]): string | undefined {
  for (let i = 0; i < Math.max(actual.length, expected.length); i++) {
    const a = actual[i];
    const e = expected[i];
    if (a?.pts !== e?.pts || a?.hash !== e?.hash) {
      return `packet ${i} of ${expected.length} expected (${actual.length} read): ${JSON.stringify(a)} instead of ${JSON.stringify(e)}`;
    }
  }
  return undefined;
}
