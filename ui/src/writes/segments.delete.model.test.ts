import { describe, expect, it } from 'vitest';
import { type Span, spanOf } from '../time.ts';
import { spanAcross, splitByCover } from './segments.delete.model.ts';

const S = 1_000_000_000n;
const listed = (...timeranges: string[]) =>
  timeranges.map((timerange) => ({ timerange, span: spanOf(timerange) }));

describe('segments a timerange deletes', () => {
  it('deletes the segments wholly inside; those at the ends it covers in part stay', () => {
    const range: Span = { start: 5n * S, end: 30n * S };
    const split = splitByCover(range, listed('[0:0_10:0)', '[10:0_20:0)', '[20:0_30:0)', '[30:0_40:0)'));
    expect(split.going).toEqual([
      { start: 10n * S, end: 20n * S },
      { start: 20n * S, end: 30n * S },
    ]);
    expect(split.staying.map((s) => s.timerange)).toEqual(['[0:0_10:0)', '[30:0_40:0)']);
  });

  it('keeps a segment whose inclusive end is the range end, as the server does', () => {
    const range: Span = { start: 20n * S, end: 30n * S };
    const split = splitByCover(range, listed('[20:0_30:0]'));
    expect(split.going).toEqual([]);
    expect(split.staying.map((s) => s.timerange)).toEqual(['[20:0_30:0]']);
  });

  it('keeps an unbounded segment', () => {
    const split = splitByCover({ start: 0n, end: 10n * S }, listed('[5:0_'));
    expect(split.going).toEqual([]);
    expect(split.staying).toHaveLength(1);
  });

  it('spans the segments that go from the first start to the last end', () => {
    expect(spanAcross([])).toBeUndefined();
    expect(
      spanAcross([
        { start: 1n, end: 2n },
        { start: 5n, end: 9n },
      ]),
    ).toEqual({ start: 1n, end: 9n });
  });
});
