import { describe, expect, it } from 'vitest';
import { parseTimeRange, TimeRange } from '../time/index.ts';
import { coverageFigures } from './analytics.coverage.ts';
import { EXPORT_TABLES } from './analytics.schemas.ts';
import { EXPORTABLE } from './store/reports.ts';

const S = 1_000_000_000n;
const span = (start: number, end: number, startIncl = true, endIncl = false) => ({
  start: BigInt(start) * S,
  end: BigInt(end) * S,
  startIncl,
  endIncl,
});

describe('coverageFigures', () => {
  const islands = {
    spans: [span(0, 10), span(20, 30, true, true)],
    islands: 2,
    first: span(0, 10),
    last: span(20, 30, true, true),
    covered: 20n * S,
    holes: 10n * S,
    intervals: 2,
  };

  it('adds the uncovered ends of a bounded window, with its inclusivity', () => {
    const figures = coverageFigures(islands, parseTimeRange('(-5:0_40:0]'), undefined, true);
    expect(figures.gaps).toEqual([
      { timerange: '(-5:0_0:0)', duration: '5:0' },
      { timerange: '[10:0_20:0)', duration: '10:0' },
      { timerange: '(30:0_40:0]', duration: '10:0' },
    ]);
    expect(figures).toMatchObject({ gapCount: 3, gapTotal: 25n * S });
  });

  it('leaves ends out that min_gap bridges, or that the window does not bound', () => {
    const bridged = coverageFigures(islands, parseTimeRange('[-5:0_40:0]'), 5n * S, true);
    expect(bridged.gaps.map((g) => g.timerange)).toEqual(['[10:0_20:0)', '(30:0_40:0]']);
    const open = coverageFigures(islands, TimeRange.ETERNITY, undefined, true);
    expect(open).toMatchObject({ gapCount: 1, gapTotal: 10n * S });
  });

  it('lists the leading end on the first page only, the trailing one on the last', () => {
    const paged = { ...islands, spans: [span(0, 10)], next: span(20, 30, true, true) };
    const first = coverageFigures(paged, parseTimeRange('[-5:0_40:0)'), undefined, true);
    expect(first.gaps.map((g) => g.timerange)).toEqual(['[-5:0_0:0)', '[10:0_20:0)']);
    const last = coverageFigures(
      { ...islands, spans: [span(20, 30, true, true)] },
      parseTimeRange('[-5:0_40:0)'),
      undefined,
      false,
    );
    expect(last.gaps.map((g) => g.timerange)).toEqual(['(30:0_40:0)']);
    expect(last.gapCount).toBe(3);
  });

  it('makes the whole bounded window one gap when nothing covers it', () => {
    const none = { spans: [], islands: 0, covered: 0n, holes: 0n, intervals: 0 };
    expect(coverageFigures(none, parseTimeRange('[0:0_1:0)'), undefined, true).gaps).toEqual([
      { timerange: '[0:0_1:0)', duration: '1:0' },
    ]);
    expect(coverageFigures(none, parseTimeRange('[0:0_'), undefined, true).gapCount).toBe(0);
  });
});

describe('the export schema', () => {
  it('offers exactly the tables the store lets readers export', () => {
    expect([...EXPORT_TABLES].sort()).toEqual([...EXPORTABLE].sort());
  });
});
