/**
 * A Flow's `timerange` limited by the `timerange` query of GET /flows/{flowId}, on every mount.
 * 8.2's text: "Limit `timerange` of the response to the time range over which Segments partially
 * or wholly overlap with the provided timerange." 7.0's: "Limit the returned available segment
 * timerange to this timerange." Both name the time segments are available over, not the Flow's
 * envelope: where no segment overlaps the query the answer is the empty range, and a gap at
 * either edge of the query is left out (docs/api-versions.md).
 */
import { describe, expect, it } from 'vitest';
import { mountedServer } from '../helpers/mounts.ts';
import type { HttpClient } from '../helpers/server.ts';
import { addSegments, newFlow, objectIds, secs } from '../segments/helpers.ts';
import { type Doc, getAndHead } from './fixtures.ts';

const { server, v7, v8 } = mountedServer({ workers: false });

/** A Flow with segments at [0:0_1:0) and [5:0_6:0) only. */
async function gappedFlow(): Promise<string> {
  const flowId = await newFlow(server);
  const [a, b] = (await objectIds(server, flowId, 2)) as [string, string];
  await addSegments(server, flowId, [
    { object_id: a, timerange: secs(0, 1) },
    { object_id: b, timerange: secs(5, 6) },
  ]);
  return flowId;
}

async function flowRange(client: HttpClient, flowId: string, timerange?: string): Promise<unknown> {
  const query = { include_timerange: true, ...(timerange !== undefined && { timerange }) };
  const res = await getAndHead<Doc>(client, `/flows/${flowId}`, { query });
  expect(res.status, res.text).toBe(200);
  return res.body.timerange;
}

describe('GET /flows/{flowId}?include_timerange=true&timerange=…', () => {
  const mounts: [string, () => HttpClient][] = [
    ['/', () => server],
    ['/tams/v7.0', () => v7],
    ['/tams/v8.2', () => v8],
  ];
  for (const [name, client] of mounts) {
    it(`through ${name}: the part of the query the segments cover, empty in a gap`, async () => {
      const flowId = await gappedFlow();
      expect(await flowRange(client(), flowId)).toBe(secs(0, 6));
      // Between the segments: no segment overlaps the query.
      expect(await flowRange(client(), flowId, secs(2, 4))).toBe('()');
      // The query's edges lie in gaps: from the first overlapping segment's start to the last's end.
      expect(await flowRange(client(), flowId, '[0:500000000_5:500000000)')).toBe(
        '[0:500000000_5:500000000)',
      );
      expect(await flowRange(client(), flowId, secs(2, 10))).toBe(secs(5, 6));
      expect(await flowRange(client(), flowId, '(-3:0_2:0]')).toBe(secs(0, 1));
      expect(await flowRange(client(), flowId, '[0:500000000_')).toBe('[0:500000000_6:0)');
      expect(await flowRange(client(), flowId, '_5:0]')).toBe('[0:0_5:0]');
      expect(await flowRange(client(), flowId, '()')).toBe('()');
      expect(await flowRange(client(), flowId, secs(6, 9))).toBe('()');
    });
  }

  it('GET /flows has no include_timerange on either version: listed Flows carry no timerange', async () => {
    // Neither spec lists the parameter for GET /flows; its `timerange` filters ("Flows that
    // overlap the given timerange") by the Flow's own timerange, so the gapped Flow is listed.
    const flowId = await gappedFlow();
    for (const client of [server, v7, v8]) {
      const query = { include_timerange: true, timerange: secs(2, 4) };
      const res = await client.get<Doc[]>('/flows', { query });
      expect(res.status, res.text).toBe(200);
      const listed = res.body.find((f) => f.id === flowId);
      expect(listed).toBeDefined();
      expect(listed).not.toHaveProperty('timerange');
    }
  });
});
