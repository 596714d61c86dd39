/**
 * Values that pass the schema yet cannot be stored (counts past what a 64-bit column keeps
 * exactly, lone UTF-16 surrogates) are refused up front as 4xx naming the field, and never fail
 * the other requests of a group commit (issue 17, item 1).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { type Doc, expectError } from '../http/fixtures.ts';
import { allSegments, newFlow, objectIds, type Segment, secs } from './helpers.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(() => server.close());

interface Poison {
  name: string;
  /** The JSON text of a single-segment body carrying the poison. */
  body: (objectId: string, timerange: string) => string;
  /** Words the error summary must contain. */
  names: string;
}

const text = (segment: Doc) => JSON.stringify(segment);
const external = (objectId: string) => `external-${objectId}`;

/**
 * Each poison value of item 1. The surrogates are written as JSON escapes, as a client's JSON
 * text carries them (JSON.stringify writes a lone surrogate that way too).
 */
const POISONS: Poison[] = [
  ...(['sample_offset', 'sample_count', 'key_frame_count'] as const).map((key) => ({
    name: `${key} beyond int64`,
    body: (object_id: string, timerange: string) => text({ object_id, timerange, [key]: 1e300 }),
    names: key,
  })),
  {
    name: 'sample_count 2^63 written as digits',
    body: (objectId, timerange) =>
      `{"object_id":"${objectId}","timerange":"${timerange}","sample_count":9223372036854775808}`,
    names: 'sample_count',
  },
  {
    name: 'a float count',
    body: (object_id, timerange) => text({ object_id, timerange, key_frame_count: 1.5 }),
    names: 'key_frame_count',
  },
  {
    name: 'a lone surrogate in object_id',
    body: (objectId, timerange) =>
      text({
        object_id: `${external(objectId)}\ud800`,
        timerange,
        get_urls: [{ url: 'https://cdn.test/a' }],
      }),
    names: 'body.object_id',
  },
  {
    name: 'a lone surrogate in a get_urls url',
    body: (objectId, timerange) =>
      text({ object_id: external(objectId), timerange, get_urls: [{ url: 'https://cdn.test/\udc00' }] }),
    names: 'body.get_urls.0.url',
  },
  {
    name: 'a lone surrogate in a get_urls label',
    body: (objectId, timerange) =>
      text({
        object_id: external(objectId),
        timerange,
        get_urls: [{ url: 'https://cdn.test/b', label: 'cdn \udbff' }],
      }),
    names: 'body.get_urls.0.label',
  },
];

const post = (flowId: string, body: unknown) =>
  server.post<{ failed_segments: Doc[] }>(`/flows/${flowId}/segments`, body);

describe('POST segments: values the store cannot keep', () => {
  for (const poison of POISONS) {
    it(`refuses ${poison.name} with a 400 naming the field`, async () => {
      const flowId = await newFlow(server);
      const [objectId] = await objectIds(server, flowId, 1);
      const res = await post(flowId, poison.body(objectId as string, secs(0, 10)));
      expectError(res, 400);
      expect((res.body as Doc).summary).toContain(poison.names);
      expect(await allSegments(server, flowId)).toEqual([]);
    });
  }

  it('reports an oversized count in failed_segments of a bulk POST and registers the rest', async () => {
    const flowId = await newFlow(server);
    const [a, b, c] = (await objectIds(server, flowId, 3)) as [string, string, string];
    const res = await post(flowId, [
      { object_id: a, timerange: secs(0, 10) },
      { object_id: b, timerange: secs(10, 20), sample_count: 1e300 },
      { object_id: c, timerange: secs(20, 30), sample_offset: 2 ** 53 },
    ]);
    expect(res.status, res.text).toBe(200);
    assertSpecValid('flow-segment-bulk-failure.json', res.body);
    expect(res.body.failed_segments.map((f) => [f.object_id, (f.error as Doc).summary])).toEqual([
      [b, expect.stringContaining('sample_count')],
      [c, expect.stringContaining('sample_offset')],
    ]);
    expect((await allSegments(server, flowId)).map((s) => s.object_id)).toEqual([a]);
  });

  it('keeps the largest exact count, 2^53 - 1', async () => {
    const flowId = await newFlow(server);
    const [a] = await objectIds(server, flowId, 1);
    const max = Number.MAX_SAFE_INTEGER;
    expect((await post(flowId, { object_id: a, timerange: secs(0, 10), sample_count: max })).status).toBe(
      201,
    );
    expect((await allSegments(server, flowId))[0]?.sample_count).toBe(max);
  });

  it('refuses a whole bulk body holding a lone surrogate (400), registering none of it', async () => {
    const flowId = await newFlow(server);
    const [a, b] = (await objectIds(server, flowId, 2)) as [string, string];
    const body = `[${text({ object_id: a, timerange: secs(0, 10) })},${POISONS.at(-1)?.body(b, secs(10, 20))}]`;
    const res = await post(flowId, body);
    expectError(res, 400);
    expect((res.body as Doc).summary).toContain('body.1.get_urls.0.label');
    expect(await allSegments(server, flowId)).toEqual([]);
  });
});

describe('POST segments: a client sending poison among 60 concurrent clients', () => {
  it('registers every valid request while each poison value is refused', async () => {
    const CLIENTS = 60;
    const FLOWS = 6;
    // Each round every client sends one request at once; the poison client (client 0) sends a
    // poison value in every odd round and a valid request in every even one.
    const ROUNDS = POISONS.length * 2;
    const SEGMENTS = 2; // per valid request: odd clients send arrays, even ones single segments
    const flows = await Promise.all(Array.from({ length: FLOWS }, () => newFlow(server)));
    const perFlow = Math.ceil(CLIENTS / FLOWS) * ROUNDS * SEGMENTS;
    const pools = await Promise.all(flows.map((f) => objectIds(server, f, perFlow)));

    const expected = new Map<string, Segment[]>(flows.map((f) => [f, []]));
    const valid: { client: number; round: number; status: number; text: string }[] = [];
    const poisoned: { name: string; status: number; body: Doc }[] = [];
    const client = async (c: number, round: number) => {
      const flowId = flows[c % FLOWS] as string;
      const pool = pools[c % FLOWS] as string[];
      // Each client has its own stretch of its Flow's timeline and its own objects.
      const slot = Math.floor(c / FLOWS);
      const at = (k: number) => 100_000 * slot + SEGMENTS * 10 * round + 10 * k;
      const objectAt = (k: number) => pool[(slot * ROUNDS + round) * SEGMENTS + k] as string;
      if (c === 0 && round % 2 === 1) {
        const poison = POISONS[(round - 1) / 2] as Poison;
        const res = await fetch(`${server.url}/flows/${flowId}/segments`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: poison.body(objectAt(0), secs(at(0), at(0) + 10)),
        });
        poisoned.push({ name: poison.name, status: res.status, body: (await res.json()) as Doc });
        return;
      }
      const segments = Array.from({ length: SEGMENTS }, (_, k) => ({
        object_id: objectAt(k),
        timerange: secs(at(k), at(k) + 10),
        sample_offset: 0,
        sample_count: 250,
        key_frame_count: 1,
      }));
      const single = c % 2 === 0;
      const sent = single ? segments.slice(0, 1) : segments;
      const res = await fetch(`${server.url}/flows/${flowId}/segments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(single ? sent[0] : sent),
      });
      valid.push({ client: c, round, status: res.status, text: await res.text() });
      expected.get(flowId)?.push(...sent);
    };
    for (let round = 0; round < ROUNDS; round++) {
      await Promise.all(Array.from({ length: CLIENTS }, (_, c) => client(c, round)));
    }

    expect(valid.filter((r) => r.status !== 201)).toEqual([]);
    expect(valid).toHaveLength(CLIENTS * ROUNDS - POISONS.length);
    expect(poisoned.map((p) => p.name)).toEqual(POISONS.map((p) => p.name));
    for (const p of poisoned) {
      expect({ name: p.name, status: p.status }).toEqual({ name: p.name, status: 400 });
      assertSpecValid('error.json', p.body);
    }
    for (const flowId of flows) {
      const stored = await allSegments(server, flowId, { limit: 1000 });
      const sent = (expected.get(flowId) as Segment[]).sort((x, y) => start(x) - start(y));
      expect(
        stored.map(({ object_id, timerange, sample_count }) => ({ object_id, timerange, sample_count })),
      ).toEqual(
        sent.map(({ object_id, timerange, sample_count }) => ({ object_id, timerange, sample_count })),
      );
    }
  });
});

/** The start second of a `[s:0_e:0)` timerange. */
function start(segment: Segment): number {
  return Number(segment.timerange.slice(1, segment.timerange.indexOf(':')));
}
