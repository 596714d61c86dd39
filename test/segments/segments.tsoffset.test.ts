/**
 * One rule for a segment's `ts_offset` on every mount: the segment's timerange minus `ts_offset`
 * is its range on the object's timeline, which becomes the object's timerange (8.2 object.json:
 * "This parameter MUST be set where the Object contains media"); a registration whose range
 * there lies beyond the 64-bit nanoseconds the store keeps is refused through 7.0 as through 8.2,
 * so no object is left without a timerange for 8.2 to show.
 */
import { describe, expect, it } from 'vitest';
import { mountedServer } from '../helpers/mounts.ts';
import type { HttpClient } from '../helpers/server.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';
import { type Doc, expectError } from '../http/fixtures.ts';
import { newFlow, objectIds, secs } from './helpers.ts';

const { server, v7, v8 } = mountedServer({ workers: false });

const MOUNTS: [string, () => HttpClient][] = [
  ['/', () => server],
  ['/tams/v7.0', () => v7],
  ['/tams/v8.2', () => v8],
];

/** `timerange - ts_offset` of [0:0_10:0) ends at 2^63 - 1 ns with this offset: the last it may. */
const LAST_FITTING = '-9223372026:854775807';

describe('POST segments: ts_offset beyond what the object timeline keeps', () => {
  for (const [name, client] of MOUNTS) {
    it(`through ${name}: 400 when timerange - ts_offset leaves the 64-bit range`, async () => {
      const flowId = await newFlow(server);
      const [a, b] = (await objectIds(server, flowId, 2)) as [string, string];
      const refused: Doc[] = [
        { object_id: a, timerange: secs(0, 10), ts_offset: '-9223372036:854775808' },
        { object_id: a, timerange: secs(0, 10), ts_offset: '-9223372026:854775808' },
        { object_id: a, timerange: '[-1:0_0:0)', ts_offset: '9223372036:854775807' },
      ];
      for (const body of refused) {
        const res = await client().post(`/flows/${flowId}/segments`, body);
        expectError(res, 400);
        expect((res.body as Doc).summary).toContain('timerange - ts_offset');
      }
      // The last offset that fits is taken, and 8.2 shows the object's timerange it makes.
      const ok = await client().post(`/flows/${flowId}/segments`, {
        object_id: b,
        timerange: secs(0, 10),
        ts_offset: LAST_FITTING,
      });
      expect(ok.status, ok.text).toBe(201);
      const object = await v8.get<Doc>(`/objects/${encodeURIComponent(b)}`);
      expect(object.status, object.text).toBe(200);
      spec82.assertSpecValid('object.json', object.body);
      expect(object.body.timerange).toBe('[9223372026:854775807_9223372036:854775807)');
      const segments = await v8.get<Doc[]>(`/flows/${flowId}/segments`, {
        query: { include_object_timerange: true },
      });
      expect(segments.body.map((s) => [s.object_id, s.object_timerange])).toEqual([
        [b, object.body.timerange],
      ]);
    });
  }
});
