/** Helpers of the HTTP tests through /tams/v8.2: each answer checked against 8.2's schemas. */
import { expect } from 'vitest';
import type { HttpClient } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, getAndHead, videoFlow } from './fixtures.ts';

/** PUTs a Flow through 8.2 that must be new; returns the 201 body (valid flow-get.json). */
export async function createFlow82(v8: HttpClient, flow: Doc): Promise<Doc> {
  const res = await v8.put<Doc>(`/flows/${flow.id}`, flow);
  expect(res.status, res.text).toBe(201);
  spec82.assertSpecValid('flow-get.json', res.body);
  return res.body;
}

/** GET (and HEAD) of a Flow through 8.2: 200, valid flow-get.json. */
export async function getFlow82(v8: HttpClient, id: string): Promise<Doc> {
  const res = await getAndHead<Doc>(v8, `/flows/${id}`);
  expect(res.status, res.text).toBe(200);
  spec82.assertSpecValid('flow-get.json', res.body);
  return res.body;
}

/**
 * A fragmented MP4 video Flow whose media objects have initialisation segments (8.2
 * `essence_parameters.init_segments`, ADR 0045); write it through 8.2.
 */
export function initSegmentsFlow(overrides: Doc = {}): Doc {
  return videoFlow({
    container: 'video/mp4',
    essence_parameters: {
      frame_width: 1280,
      frame_height: 720,
      frame_rate: { numerator: 50 },
      init_segments: true,
    },
    ...overrides,
  });
}
