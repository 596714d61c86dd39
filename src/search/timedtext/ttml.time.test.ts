import { describe, expect, it } from 'vitest';
import { ns } from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { parseTimeExpression, type TimingParams, timingParams } from './ttml.time.ts';
import type { XmlElement } from './ttml.xml.ts';

function tt(params: Record<string, string>): XmlElement {
  const attrs = new Map(Object.entries(params).map(([k, v]) => [`ttp:${k}`, v]));
  return { ns: 'tt', local: 'tt', attrs, children: [], index: 0 };
}

function params(attrs: Record<string, string> = {}): TimingParams {
  const p = timingParams(tt(attrs));
  if (typeof p === 'string') throw new Error(p);
  return p;
}

describe('timingParams', () => {
  it('fills in TTML defaults', () => {
    expect(params()).toEqual({
      frameRate: 30n,
      multiplier: { num: 1n, den: 1n },
      subFrameRate: 1n,
      tickRate: { num: 1n, den: 1n },
    });
  });

  it('defaults the tick rate to the effective frame rate times the sub-frame rate', () => {
    expect(params({ frameRate: '25', subFrameRate: '4' }).tickRate).toEqual({ num: 100n, den: 1n });
    expect(params({ frameRate: '30', frameRateMultiplier: '1000 1001' }).tickRate).toEqual({
      num: 30_000n,
      den: 1001n,
    });
    expect(params({ frameRate: '25', tickRate: '10000000' }).tickRate).toEqual({ num: 10_000_000n, den: 1n });
  });

  it.each([
    [{ timeBase: 'smpte' }, /timeBase "smpte"/],
    [{ timeBase: 'clock' }, /timeBase "clock"/],
    [{ frameRate: '0' }, /frameRate "0"/],
    [{ frameRate: '29.97' }, /frameRate/],
    [{ subFrameRate: '-2' }, /subFrameRate/],
    [{ tickRate: 'fast' }, /tickRate/],
    [{ frameRateMultiplier: '1000' }, /frameRateMultiplier/],
    [{ frameRateMultiplier: '1000 0' }, /frameRateMultiplier/],
    [{ frameRateMultiplier: '1000:1001' }, /frameRateMultiplier/],
  ])('refuses %o', (attrs, reason) => {
    expect(timingParams(tt(attrs))).toMatch(reason);
  });

  it('accepts an explicit media time base and surrounding whitespace', () => {
    expect(
      params({ timeBase: ' media ', frameRate: ' 50 ', frameRateMultiplier: ' 1000  1001 ' }),
    ).toMatchObject({
      frameRate: 50n,
      multiplier: { num: 1000n, den: 1001n },
    });
  });
});

describe('parseTimeExpression', () => {
  const defaults = params();

  it.each([
    ['00:00:01', ns(1)],
    ['01:02:03', ns(3723)],
    ['123:00:00', ns(123 * 3600)],
    ['0:00:01', ns(1)],
    ['00:00:01.5', ns('1.5')],
    ['00:00:01.123456789', ns('1.123456789')],
    ['00:00:01.1234567896', ns('1.12345679')],
    ['00:00:00.0000000004', 0n],
    ['00:00:01:15', ns('1.5')],
    ['00:00:01:29', ns(1) + 966_666_667n],
    ['  00:00:02  ', ns(2)],
    ['2h', ns(7200)],
    ['1.5m', ns(90)],
    ['90s', ns(90)],
    ['0.25s', ns('0.25')],
    ['1500ms', ns('1.5')],
    ['0.5ms', 500_000n],
    ['45f', ns('1.5')],
    ['1t', ns(1)],
    ['1.5t', ns('1.5')],
  ])('%j -> %s ns with the defaults', (expression, value) => {
    expect(parseTimeExpression(expression, defaults)).toBe(value);
  });

  it('counts frames at the effective frame rate, with sub-frames', () => {
    const ntsc = params({ frameRate: '30', frameRateMultiplier: '1000 1001', subFrameRate: '2' });
    // 1 s + 15.5 frames at 30000/1001 fps.
    expect(parseTimeExpression('00:00:01:15.1', ntsc)).toBe(ns(1) + 517_183_333n);
    expect(parseTimeExpression('30f', ntsc)).toBe(ns('1.001'));
    expect(parseTimeExpression('60t', ntsc)).toBe(ns('1.001'));
    const pal = params({ frameRate: '25' });
    expect(parseTimeExpression('00:01:00:24', pal)).toBe(ns('60.96'));
    expect(parseTimeExpression('25f', pal)).toBe(ns(1));
    expect(parseTimeExpression('25t', pal)).toBe(ns(1));
  });

  it('counts ticks at an explicit tick rate', () => {
    const p = params({ tickRate: '10000000' });
    expect(parseTimeExpression('12345678t', p)).toBe(1_234_567_800n);
    expect(parseTimeExpression('1t', p)).toBe(100n);
  });

  it.each([
    ['', 'empty'],
    ['1', 'no metric'],
    ['1 s', 'space before metric'],
    ['1S', 'upper case metric'],
    ['-1s', 'negative'],
    ['1e3s', 'exponent'],
    ['.5s', 'no integer part'],
    ['1.s', 'empty fraction'],
    ['00:01', 'no hours'],
    ['00:60:00', 'minutes over 59'],
    ['00:00:60', 'seconds over 59'],
    ['00:0:00', 'one-digit minutes'],
    ['00:00:01:30', 'frames at the frame rate'],
    ['00:00:01:15.1', 'sub-frame at the sub-frame rate'],
    ['00:00:01.', 'empty fraction in clock time'],
    ['00:00:01.5:10', 'fraction and frames'],
    ['2024-01-01T00:00:00Z', 'wallclock'],
    [`${'9'.repeat(70)}s`, 'too long'],
  ])('refuses %j (%s)', (expression) => {
    expect(parseTimeExpression(expression, defaults)).toBeUndefined();
  });
});
