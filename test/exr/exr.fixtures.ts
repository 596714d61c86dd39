/**
 * What the EXR tests build through the ordinary TAMS API: an image Flow of container
 * image/x-exr, its objects allocated, the sample files of ../shared/exr-samples uploaded to their
 * put URLs and registered as one segment each (a frame at 25 fps), and polling of /exr/files
 * until the catalogue has followed.
 */
import { expect } from 'vitest';
import { sampleBytes, samplesGate } from '../../tools/exr-files/exr.samples.ts';
import type { TestServer } from '../helpers/server.ts';
import { createFlow, imageFlow } from '../http/fixtures.ts';
import { addSegments, allocate, FAST_WORKERS, upload, waitFor } from '../segments/helpers.ts';

export const gate = samplesGate();
export const sample = (name: string): Buffer => Buffer.from(sampleBytes(gate.dir, name));

/** Settings of a test server with EXR inspection on. */
export function exrEnv(): Record<string, string> {
  return { ...FAST_WORKERS, TAMS_EXR: 'true' };
}

/** 1/25 s, a whole number of nanoseconds. */
export const FRAME_NS = 40_000_000n;

export function frameRange(n: number): string {
  const ts = (ns: bigint) => `${ns / 1_000_000_000n}:${ns % 1_000_000_000n}`;
  return `[${ts(BigInt(n) * FRAME_NS)}_${ts(BigInt(n + 1) * FRAME_NS)})`;
}

/** PUTs an EXR image Flow (25 fps, a segment per frame); returns its id. */
export async function exrFlow(server: TestServer, overrides: Record<string, unknown> = {}): Promise<string> {
  const flow = imageFlow({
    label: 'Render: shot 010',
    codec: 'image/x-exr',
    container: 'image/x-exr',
    segment_duration: { numerator: 1, denominator: 25 },
    essence_parameters: { frame_width: 64, frame_height: 48 },
    ...overrides,
  });
  await createFlow(server, flow);
  return flow.id as string;
}

export interface Frame {
  /** Bytes to upload; undefined: none (the object's bytes stay missing). */
  bytes: Buffer | undefined;
  /** A client-chosen object id (its frame number may be in it). */
  objectId?: string;
}

/** Allocates, uploads and registers `frames` from frame number `first`; returns the object ids. */
export async function ingest(server: TestServer, flowId: string, frames: readonly Frame[], first = 0) {
  const named = frames.every((f) => f.objectId !== undefined);
  const objects = named
    ? await allocate(server, flowId, { object_ids: frames.map((f) => f.objectId) })
    : await allocate(server, flowId, { limit: frames.length });
  expect(objects).toHaveLength(frames.length);
  for (const [i, o] of objects.entries()) {
    const bytes = frames[i]?.bytes;
    if (bytes !== undefined) await upload(o, bytes);
  }
  await addSegments(
    server,
    flowId,
    objects.map((o, i) => ({ object_id: o.object_id, timerange: frameRange(first + i) })),
  );
  return objects.map((o) => o.object_id);
}

export interface ChannelDoc {
  name: string;
  layer: string;
  component: string;
  pixel_type: string;
  x_sampling: number;
  y_sampling: number;
}

export interface PartDoc {
  index: number;
  name?: string;
  type: string;
  width?: number;
  height?: number;
  compression?: string;
  tiled: boolean;
  deep: boolean;
  tiles?: { width: number; height: number };
  channels: ChannelDoc[];
  attributes?: { name: string; type: string; size: number; offset: number; value: unknown }[];
}

export interface FileDoc {
  id: string;
  status: 'inspected' | 'failed';
  error?: { code: string; message: string };
  object_id?: string;
  path: string;
  size_bytes?: number;
  header_hash?: string;
  part_count?: number;
  deep?: boolean;
  tiled?: boolean;
  width?: number;
  height?: number;
  compressions: string[];
  channel_names: string[];
  pixel_types: string[];
  resolutions: string[];
  frame_number?: number;
  frame_source?: string;
  inspection_count: number;
  first_inspected: string;
  last_inspected: string;
  removed?: string;
  frame?: {
    flow_id: string;
    object_id: string;
    timerange: string;
    frame_number?: number;
    frame_source?: string;
  };
  parts: PartDoc[];
}

export interface FileDetail extends FileDoc {
  issues: unknown[];
  frames: NonNullable<FileDoc['frame']>[];
  vector_layout?: string;
}

/** GET /exr/files with these parameters (one page). */
export async function files(server: TestServer, query: Record<string, string | number | boolean> = {}) {
  const res = await server.get<FileDoc[]>('/exr/files', { query });
  expect(res.status, res.text).toBe(200);
  return res;
}

/** Waits until the Flow lists `n` frames (all statuses). */
export async function framesListed(server: TestServer, flowId: string, n: number): Promise<FileDoc[]> {
  return waitFor(
    `${n} frames of ${flowId} in the EXR catalogue`,
    async () => {
      const res = await server.get<FileDoc[]>('/exr/files', {
        query: { flow_id: flowId, status: 'all', limit: 1000 },
      });
      expect(res.status, res.text).toBe(200);
      return res.body.length === n ? res.body : undefined;
    },
    30_000,
  );
}

/** POSTs raw bytes to /exr/inspect. */
export async function postBytes(
  server: TestServer,
  bytes: Uint8Array,
  options: { query?: Record<string, string | number>; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: unknown; text: string; headers: Headers }> {
  const url = new URL('/exr/inspect', server.url);
  for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, String(v));
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', ...options.headers },
    body: bytes,
  });
  const text = await res.text();
  return {
    status: res.status,
    text,
    headers: res.headers,
    body:
      res.headers.get('content-type') === 'application/json' && text !== '' ? JSON.parse(text) : undefined,
  };
}
