/**
 * Query values the store cannot hold (issue 45, item 16): times are signed 64-bit nanoseconds in
 * the store and in the reports' arithmetic, so a timerange, a duration or a page key beyond them
 * is a 400 with the TAMS error body naming the parameter, to GET and HEAD alike, never a 500;
 * the extremes themselves are answered, and so are Flows whose segments reach them (durations,
 * holes and totals beyond int64, buckets below its minimum).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, expectGetError, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, secs } from '../segments/helpers.ts';

const QUERY_400 = 'Bad request. Invalid query options.';
const FLOW = '53000000-0000-4000-8000-00000000000c';
/** Segments at both ends of the range; and one segment longer than int64 nanoseconds. */
const ENDS = '54000000-0000-4000-8000-00000000000d';
const LONG = '55000000-0000-4000-8000-00000000000e';
const MAX = '9223372036:854775807';
const MIN = '-9223372036:854775808';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({ workers: false, env: { TAMS_ANALYTICS: 'true' } });
  await createFlow(server, videoFlow({ id: FLOW }));
  const [object] = await allocate(server, FLOW, { limit: 1 });
  await addSegments(server, FLOW, { object_id: object?.object_id as string, timerange: secs(0, 10) });
  await createFlow(server, videoFlow({ id: ENDS }));
  await createFlow(server, videoFlow({ id: LONG }));
  const [a, b, c] = (await allocate(server, ENDS, { limit: 3 })).map((o) => o.object_id);
  const [d] = (await allocate(server, LONG, { limit: 1 })).map((o) => o.object_id);
  await addSegments(server, ENDS, [
    { object_id: a as string, timerange: `[${MIN}_-9223372026:854775808)` },
    { object_id: b as string, timerange: secs(0, 10) },
    { object_id: c as string, timerange: `[9223372026:854775807_${MAX}]` },
  ]);
  await addSegments(server, LONG, { object_id: d as string, timerange: '[-9223372036:0_9223372036:0)' });
});
afterAll(async () => {
  await server?.close();
});

const page = (text: string) => Buffer.from(text).toString('base64url');

/** A 400 to GET and HEAD whose summary starts by naming `name`. */
async function refused(path: string, query: Record<string, string>, name: string): Promise<void> {
  await expectGetError(server, path, 400, QUERY_400, { query });
  const { summary } = (await server.get<Doc>(path, { query })).body;
  expect(summary).toMatch(new RegExp(`^query\\.${name}\\b`));
}

const WITH_TIMERANGE: [string, Record<string, string>][] = [
  [`/analytics/flows/${FLOW}/usage`, {}],
  [`/analytics/flows/${FLOW}/coverage`, {}],
  ['/analytics/segments/durations', {}],
  ['/analytics/flows/top', {}],
  ['/analytics/flows/top', { by: 'rate' }],
  ['/analytics/export', { table: 'segments' }],
];

describe('analytics query values beyond signed 64-bit nanoseconds', () => {
  const outside = [
    `[9223372036:854775808]`,
    `[0:0_9223372037:0)`,
    `(-9223372036:854775809_0:0]`,
    `[99999999999999999999:0_`,
    `_-99999999999999999999:0)`,
  ];
  for (const [path, extra] of WITH_TIMERANGE) {
    it(`${path} ${JSON.stringify(extra)}: a timerange outside is a 400 naming it`, async () => {
      for (const timerange of outside) await refused(path, { ...extra, timerange }, 'timerange');
      // The extremes themselves are times the store holds.
      const edge = await server.get(path, { query: { ...extra, timerange: `[${MIN}_${MAX}]` } });
      expect(edge.status, edge.text).toBe(200);
    });
  }

  it('coverage: min_gap and stall_after past int64 are 400s naming them', async () => {
    const path = `/analytics/flows/${FLOW}/coverage`;
    for (const name of ['min_gap', 'stall_after']) {
      for (const value of ['9223372036:854775808', '99999999999999999999:0']) {
        await refused(path, { [name]: value }, name);
      }
      expect((await server.get(path, { query: { [name]: MAX } })).status).toBe(200);
    }
  });

  it('page keys past int64 are 400s naming query.page', async () => {
    for (const path of [`/analytics/flows/${FLOW}/usage`, `/analytics/flows/${FLOW}/coverage`]) {
      for (const key of ['9223372036854775808', '-9223372036854775809', '9999999999999999999']) {
        await refused(path, { page: page(key) }, 'page');
      }
      expect((await server.get(path, { query: { page: page('9223372036854775807') } })).status).toBe(200);
    }
  });

  it('caps limits past any page size: X-Paging-Limit says what was used', async () => {
    for (const path of [`/analytics/flows/${FLOW}/usage`, '/analytics/segments/durations']) {
      const res = await server.get(path, { query: { limit: '1e40', group_by: 'flow' } });
      expect(res.status, res.text).toBe(200);
      expect(Number(res.headers.get('x-paging-limit'))).toBeLessThan(1e6);
    }
  });
});

describe('Flows whose segments reach the ends of the range', () => {
  const ok = async (path: string, query: Record<string, string> = {}) => {
    const res = await server.get<Doc>(path, { query });
    expect(res.status, res.text).toBe(200);
    return res.body;
  };

  it('usage: the first bucket lies partly below the range, and pages on', async () => {
    const usage = await ok(`/analytics/flows/${ENDS}/usage`, { limit: '1' });
    // floor(-2^63 / 1 h) hours: -2562047.79 h floors to -2562048 h.
    const hour = 3_600_000_000_000n;
    const start = -2_562_048n * hour;
    const ts = (ns: bigint) =>
      `${ns < 0n ? '-' : ''}${(ns < 0n ? -ns : ns) / 1_000_000_000n}:${(ns < 0n ? -ns : ns) % 1_000_000_000n}`;
    expect(usage).toMatchObject({ segments: 3, duration: '30:0' });
    expect((usage.ingest as Doc[]).map((b) => b.timerange)).toEqual([`[${ts(start)}_${ts(start + hour)})`]);
    const res = await server.get<Doc>(`/analytics/flows/${ENDS}/usage`, { query: { limit: '1' } });
    const next = await ok(`/analytics/flows/${ENDS}/usage`, {
      limit: '5',
      page: res.headers.get('x-paging-nextkey') as string,
    });
    expect((next.ingest as Doc[]).map((b) => b.segments)).toEqual([1, 1]);
  });

  it('coverage: holes and their total past int64', async () => {
    const coverage = await ok(`/analytics/flows/${ENDS}/coverage`);
    expect(coverage).toMatchObject({ span_count: 3, gap_count: 2, covered: '30:0' });
    // 2^64 - 1 ns less the 30 s covered.
    expect(coverage.gap_total).toBe('18446744043:709551615');
    const windowed = await ok(`/analytics/flows/${ENDS}/coverage`, { timerange: `[${MIN}_${MAX}]` });
    expect(windowed.gap_total).toBe('18446744043:709551615');
    expect((await ok(`/analytics/flows/${LONG}/coverage`)).covered).toBe('18446744072:0');
  });

  it('durations and top: a segment longer than int64 nanoseconds', async () => {
    expect(await ok('/analytics/segments/durations', { flow_id: LONG })).toMatchObject({
      segments: 1,
      max: '18446744072:0',
      mean: '18446744072:0',
    });
    const all = await ok('/analytics/segments/durations', { group_by: 'flow' });
    expect(all.max).toBe('18446744072:0');
    const top = await ok('/analytics/flows/top', { by: 'duration', limit: '1' });
    expect((top.flows as Doc[])[0]).toMatchObject({ flow_id: LONG, duration: '18446744072:0' });
    expect((await ok(`/analytics/flows/${LONG}/usage`)).duration).toBe('18446744072:0');
    const rate = await ok('/analytics/flows/top', { by: 'rate', timerange: `[${MIN}_${MAX}]` });
    expect((rate.flows as Doc[]).map((f) => f.flow_id)[0]).toBe(LONG);
  });
});
