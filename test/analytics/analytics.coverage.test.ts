/**
 * GET /analytics/flows/{id}/coverage over the store of known content (analytics.fixture.ts):
 * spans, gaps and their inclusivity exactly, windows, min_gap, paging, live and stalled, on the
 * engine of the test project (DuckDB here, hybrid analytics over the fake VAST in `vast`).
 */
import { describe, expect, it } from 'vitest';
import { E, F, fileFixture, L } from './analytics.fixture.ts';

const { fixture, tr, get } = fileFixture();

describe('GET /analytics/flows/{id}/coverage', () => {
  it('merges adjacent segments into spans, with the gaps between them; live and stalled', async () => {
    const { body } = await get(`/analytics/flows/${L}/coverage`);
    expect(body).toEqual({
      flow_id: L,
      timerange: '_',
      spans: [tr(0, 20), tr(30, 60), tr(3600, 3612)],
      gaps: [
        { timerange: tr(20, 30), duration: '10:0' },
        { timerange: tr(60, 3600), duration: '3540:0' },
      ],
      span_count: 3,
      gap_count: 2,
      gap_total: '3550:0',
      covered: '62:0',
      segments: 7,
      end: fixture().at(3612),
      behind: '120:0',
      live: true,
      stalled: true,
    });
    const patient = await get<{ stalled: boolean; live: boolean }>(`/analytics/flows/${L}/coverage`, {
      stall_after: '300:0',
    });
    expect(patient.body).toMatchObject({ live: true, stalled: false });
  });

  it('bridges holes no longer than min_gap', async () => {
    const under = await get<Record<string, unknown>>(`/analytics/flows/${L}/coverage`, {
      min_gap: '9:999999999',
    });
    expect(under.body).toMatchObject({ spans: [tr(0, 20), tr(30, 60), tr(3600, 3612)], gap_count: 2 });
    const ten = await get<Record<string, unknown>>(`/analytics/flows/${L}/coverage`, { min_gap: '10:0' });
    expect(ten.body).toMatchObject({
      spans: [tr(0, 60), tr(3600, 3612)],
      gaps: [{ timerange: tr(60, 3600), duration: '3540:0' }],
      gap_count: 1,
      gap_total: '3540:0',
      covered: '62:0',
    });
  });

  it('cuts spans to a window, whose uncovered ends are gaps', async () => {
    const inner = await get<Record<string, unknown>>(`/analytics/flows/${L}/coverage`, {
      timerange: tr(5, 35),
    });
    expect(inner.body).toMatchObject({
      timerange: tr(5, 35),
      spans: [tr(5, 20), tr(30, 35)],
      gaps: [{ timerange: tr(20, 30), duration: '10:0' }],
      gap_count: 1,
      covered: '20:0',
      segments: 3,
    });
    const empty = await get<Record<string, unknown>>(`/analytics/flows/${L}/coverage`, {
      timerange: tr(100, 200),
    });
    expect(empty.body).toMatchObject({
      spans: [],
      gaps: [{ timerange: tr(100, 200), duration: '100:0' }],
      span_count: 0,
      gap_count: 1,
      gap_total: '100:0',
      covered: '0:0',
      segments: 0,
    });
    const edges = await get<Record<string, unknown>>(`/analytics/flows/${L}/coverage`, {
      timerange: tr(15, 3611),
    });
    expect(edges.body).toMatchObject({
      spans: [tr(15, 20), tr(30, 60), tr(3600, 3611)],
      gap_count: 2,
      covered: `${5 + 30 + 11}:0`,
    });
    const ends = await get<Record<string, unknown>>(`/analytics/flows/${L}/coverage`, {
      timerange: tr(-5, 3615, '(', ']'),
    });
    expect(ends.body).toMatchObject({
      gaps: [
        { timerange: tr(-5, 0, '(', ')'), duration: '5:0' },
        { timerange: tr(20, 30), duration: '10:0' },
        { timerange: tr(60, 3600), duration: '3540:0' },
        { timerange: tr(3612, 3615, '[', ']'), duration: '3:0' },
      ],
      gap_count: 4,
      gap_total: '3558:0',
    });
  });

  it('pages spans, each page with the gaps after its spans', async () => {
    type Page = { spans: string[]; gaps: { timerange: string }[] };
    const first = await get<Page>(`/analytics/flows/${L}/coverage`, { limit: 2 });
    expect(first.body.spans).toEqual([tr(0, 20), tr(30, 60)]);
    expect(first.body.gaps.map((g) => g.timerange)).toEqual([tr(20, 30), tr(60, 3600)]);
    const second = await get<Page>(`/analytics/flows/${L}/coverage`, {
      limit: 2,
      page: first.headers.get('x-paging-nextkey') as string,
    });
    expect(second.body.spans).toEqual([tr(3600, 3612)]);
    expect(second.body.gaps).toEqual([]);
    expect(second.headers.get('x-paging-nextkey')).toBeNull();
  });

  it('keeps inclusive ends exactly (a one-nanosecond gap); not live on a file timeline; none without segments', async () => {
    const file = await get<Record<string, unknown>>(`/analytics/flows/${F}/coverage`);
    const nowTai = BigInt(fixture().clock.getTime()) * 1_000_000n + 37_000_000_000n;
    expect(file.body).toMatchObject({
      spans: ['[0:0_3:0]', '[3:1_4:0)'],
      gaps: [{ timerange: '(3:0_3:1)', duration: '0:1' }],
      gap_count: 1,
      gap_total: '0:1',
      covered: '3:999999999',
      end: '4:0',
      behind: `${(nowTai - 4_000_000_000n) / 1_000_000_000n}:0`,
      live: false,
      stalled: false,
    });
    const zero = await get<Record<string, unknown>>(`/analytics/flows/${F}/coverage`, { min_gap: '0:0' });
    expect(zero.body).toMatchObject({ spans: ['[0:0_3:0]', '[3:1_4:0)'], gap_count: 1 });
    const bridged = await get<Record<string, unknown>>(`/analytics/flows/${F}/coverage`, { min_gap: '0:1' });
    expect(bridged.body).toMatchObject({
      spans: ['[0:0_4:0)'],
      gaps: [],
      gap_count: 0,
      covered: '3:999999999',
    });
    const none = await get<Record<string, unknown>>(`/analytics/flows/${E}/coverage`);
    expect(none.body).toEqual({
      flow_id: E,
      timerange: '_',
      spans: [],
      gaps: [],
      span_count: 0,
      gap_count: 0,
      gap_total: '0:0',
      covered: '0:0',
      segments: 0,
      live: false,
      stalled: false,
    });
  });
});
