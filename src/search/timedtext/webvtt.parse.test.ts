import { describe, expect, it } from 'vitest';
import {
  VTT_AUTO_CAPTIONS,
  VTT_DOCUMENTARY,
  VTT_HLS_SEGMENT,
} from '../../../test/support/search/timedtext/timedtext.samples.testkit.ts';
import { failure, ns } from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { parseWebVtt } from './webvtt.parse.ts';

const vtt = (...blocks: string[]): string => ['WEBVTT', '', ...blocks].join('\n');

describe('parseWebVtt: signature and header', () => {
  it.each([
    ['WEBVTT\n\n00:01.000 --> 00:02.000\nhi'],
    ['WEBVTT - Title\n\n00:01.000 --> 00:02.000\nhi'],
    ['WEBVTT\tTitle\n\n00:01.000 --> 00:02.000\nhi'],
    ['\ufeffWEBVTT\n\n00:01.000 --> 00:02.000\nhi'],
    ['WEBVTT\r\n\r\n00:01.000 --> 00:02.000\r\nhi\r\n'],
    ['WEBVTT\r\r00:01.000 --> 00:02.000\rhi\r'],
  ])('accepts %j', (text) => {
    expect(parseWebVtt(text).cues).toEqual([{ start: ns(1), end: ns(2), text: 'hi' }]);
  });

  it('accepts a file of just the signature', () => {
    expect(parseWebVtt('WEBVTT')).toEqual({ format: 'webvtt', cues: [], skipped: 0 });
  });

  it.each([
    ['', 'missing'],
    ['WEBVTTX\n\n00:01.000 --> 00:02.000\nhi', 'no separator'],
    ['webvtt\n\n00:01.000 --> 00:02.000\nhi', 'lower case'],
    [' WEBVTT\n', 'leading space'],
    ['1\n00:00:01,000 --> 00:00:02,000\nhi', 'an SRT file'],
  ])('refuses %j (%s) on line 1', (text) => {
    const error = failure(() => parseWebVtt(text));
    expect(error.format).toBe('webvtt');
    expect(error.where).toBe('line 1');
    expect(error.message).toMatch(/WEBVTT signature/);
  });

  it('ignores header lines, and a header line with an arrow starts the first cue', () => {
    const text =
      'WEBVTT\nKind: captions\nLanguage: en\n00:01.000 --> 00:02.000\nfirst\n\n00:03.000 --> 00:04.000\nsecond';
    expect(parseWebVtt(text).cues.map((c) => c.text)).toEqual(['first', 'second']);
  });
});

describe('parseWebVtt: timestamps', () => {
  it.each([
    ['00:01.000', ns(1)],
    ['59:59.999', ns('3599.999')],
    ['00:00:01.000', ns(1)],
    ['01:02:03.004', ns('3723.004')],
    ['99:00:00.000', ns(99 * 3600)],
    ['100:00:00.000', ns(100 * 3600)],
    ['12345:00:00.001', ns('44442000.001')],
    ['1:00:00.000', ns(3600)],
  ])('reads %s', (stamp, start) => {
    const { cues } = parseWebVtt(vtt(`${stamp} --> 99999:00:00.000\nx`));
    expect(cues[0]?.start).toBe(start);
  });

  it.each([
    ['00:60.000', 'seconds over 59'],
    ['00:60:00.000', 'minutes over 59'],
    ['60:00.000', 'two-digit first field over 59 is hours, and needs minutes and seconds'],
    ['0:01.000', 'one-digit minutes'],
    ['00:1.000', 'one-digit seconds'],
    ['00:01.00', 'two fraction digits'],
    ['00:01.0000', 'four fraction digits'],
    ['00:01,000', 'comma for point'],
    ['00:01', 'no fraction'],
    ['-00:01.000', 'a sign'],
    ['12345678901:00:00.000', 'eleven hour digits'],
  ])('skips a cue with %s (%s)', (stamp) => {
    const result = parseWebVtt(vtt(`${stamp} --> 99:00:00.000\nbad`, '', '00:01.000 --> 00:02.000\ngood'));
    expect(result.cues.map((c) => c.text)).toEqual(['good']);
    expect(result.skipped).toBe(1);
  });

  it('needs no whitespace around the arrow, allows tabs, and ignores settings', () => {
    const result = parseWebVtt(
      vtt(
        '00:01.000-->00:02.000\na',
        '',
        '00:03.000\t-->\t00:04.000 align:start line:0 position:10%\nb',
        '',
        '00:05.000 --> 00:06.000vertical:rl\nc',
      ),
    );
    expect(result.cues.map((c) => [c.start, c.end, c.text])).toEqual([
      [ns(1), ns(2), 'a'],
      [ns(3), ns(4), 'b'],
      [ns(5), ns(6), 'c'],
    ]);
  });

  it('drops cues whose end is not after their start, counting them', () => {
    const result = parseWebVtt(
      vtt(
        '00:05.000 --> 00:04.000\nbackwards',
        '',
        '00:05.000 --> 00:05.000\nempty',
        '',
        '00:06.000 --> 00:07.000\nok',
      ),
    );
    expect(result.cues.map((c) => c.text)).toEqual(['ok']);
    expect(result.skipped).toBe(2);
  });
});

describe('parseWebVtt: blocks', () => {
  it('skips NOTE, STYLE and REGION blocks without counting them', () => {
    const result = parseWebVtt(
      vtt(
        'STYLE\n::cue { color: red }',
        '',
        'REGION\nid:r1\nwidth:40%',
        '',
        'NOTE a comment\nspanning lines',
        '',
        'NOTE',
        '',
        'NOTE\ttabbed',
        '',
        '00:01.000 --> 00:02.000\ncue',
      ),
    );
    expect(result.cues.map((c) => c.text)).toEqual(['cue']);
    expect(result.skipped).toBe(0);
  });

  it('counts a text block with no timing line as skipped', () => {
    const result = parseWebVtt(
      vtt('orphan text', '', 'NOTES are not notes', '', '00:01.000 --> 00:02.000\ncue'),
    );
    expect(result.cues).toHaveLength(1);
    expect(result.skipped).toBe(2);
  });

  it('keeps identifiers, including ones that look like arrows', () => {
    const result = parseWebVtt(
      vtt(
        'intro\n00:01.000 --> 00:02.000\na',
        '',
        '-- > not an arrow\n00:03.000 --> 00:04.000\nb',
        '',
        'a->b\n00:05.000 --> 00:06.000\nc',
        '',
        '00:07.000 --> 00:08.000\nno id',
      ),
    );
    expect(result.cues.map((c) => c.id)).toEqual(['intro', '-- > not an arrow', 'a->b', undefined]);
  });

  it('treats an identifier containing "-->" as a failed timing line: the block is skipped, the cue kept', () => {
    // The W3C algorithm reads the first line as timings (they fail), then the second arrow line
    // ends the block and starts the next one.
    const result = parseWebVtt(vtt('cue --> one\n00:01.000 --> 00:02.000\ntext'));
    expect(result.cues).toEqual([{ start: ns(1), end: ns(2), text: 'text' }]);
    expect(result.skipped).toBe(1);
  });

  it('ends a cue at a blank line or at a line with an arrow, not at a line of spaces', () => {
    const result = parseWebVtt(
      vtt(
        '00:01.000 --> 00:02.000\nline one\n   \nline three\n00:03.000 --> 00:04.000\nnext',
        '',
        '',
        '',
        'x',
      ),
    );
    expect(result.cues.map((c) => c.text)).toEqual(['line one\n\nline three', 'next']);
    expect(result.skipped).toBe(1);
  });

  it('accepts a cue with an empty payload', () => {
    expect(parseWebVtt(vtt('00:01.000 --> 00:02.000')).cues).toEqual([
      { start: ns(1), end: ns(2), text: '' },
    ]);
  });

  it('replaces NUL characters', () => {
    expect(parseWebVtt(vtt('00:01.000 --> 00:02.000\na\0b')).cues[0]?.text).toBe('a\ufffdb');
  });

  it('turns the payload into plain text with the speaker', () => {
    const result = parseWebVtt(
      vtt(
        '00:01.000 --> 00:02.000\n<v.loud.first Mary Jane><i>Hello</i> &amp; <c.yellow>bye</c></v>\n<v Bob>second</v>',
      ),
    );
    expect(result.cues).toEqual([
      { start: ns(1), end: ns(2), text: 'Hello & bye\nsecond', speaker: 'Mary Jane' },
    ]);
  });
});

describe('parseWebVtt: X-TIMESTAMP-MAP', () => {
  // An independent oracle: MPEGTS ticks to ns, halves rounded up.
  const mpegNs = (ticks: bigint): bigint => (ticks * 2_000_000_000n + 90_000n) / 180_000n;

  it.each([
    ['MPEGTS:900000,LOCAL:00:00:00.000', ns(10)],
    ['LOCAL:00:00:00.000,MPEGTS:900000', ns(10)],
    ['LOCAL:00:00:05.000,MPEGTS:900000', ns(5)],
    ['MPEGTS:0,LOCAL:00:00:00.000', 0n],
    ['MPEGTS:1,LOCAL:00:00.000', 11_111n],
    ['MPEGTS:8589934591,LOCAL:00:00:00.000', mpegNs(8_589_934_591n)],
    ['MPEGTS:180000, LOCAL:00:00:01.500', ns('0.5')],
  ])('X-TIMESTAMP-MAP=%s shifts cues by %s ns', (map, shift) => {
    const text = `WEBVTT\nX-TIMESTAMP-MAP=${map}\n\n00:00:02.000 --> 00:00:03.000\nx`;
    expect(parseWebVtt(text).cues[0]).toMatchObject({ start: ns(2) + shift, end: ns(3) + shift });
  });

  it('rounds the 90 kHz count to the nearest nanosecond', () => {
    expect(mpegNs(8_589_934_591n)).toBe(95_443_717_677_778n);
    const text = 'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:8589934591,LOCAL:00:00:00.000\n\n00:00.000 --> 00:01.000\nx';
    expect(parseWebVtt(text).cues[0]?.start).toBe(95_443_717_677_778n);
  });

  it.each([
    ['MPEGTS:8589934592,LOCAL:00:00:00.000', 'over 33 bits'],
    ['MPEGTS:900000', 'no LOCAL'],
    ['LOCAL:00:00:00.000', 'no MPEGTS'],
    ['MPEGTS:900000,LOCAL:00:00:00.000,MPEGTS:1', 'three parts'],
    ['MPEGTS:900000,MPEGTS:900000', 'MPEGTS twice'],
    ['MPEGTS:-5,LOCAL:00:00:00.000', 'negative'],
    ['MPEGTS:9e5,LOCAL:00:00:00.000', 'not digits'],
    ['MPEGTS:900000,LOCAL:00:00:00', 'LOCAL without fraction'],
    ['MPEGTS:900000,LOCAL:00:00:00.000x', 'LOCAL with trailing text'],
  ])('refuses X-TIMESTAMP-MAP=%s (%s) on its line', (map) => {
    const error = failure(() =>
      parseWebVtt(`WEBVTT\nKind: captions\nX-TIMESTAMP-MAP=${map}\n\n00:01.000 --> 00:02.000\nx`),
    );
    expect(error.where).toBe('line 3');
    expect(error.message).toMatch(/X-TIMESTAMP-MAP/);
  });

  it('refuses a repeated map', () => {
    const map = 'X-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.000';
    const error = failure(() => parseWebVtt(`WEBVTT\n${map}\n${map}\n`));
    expect(error.where).toBe('line 3');
    expect(error.message).toMatch(/repeated/);
  });

  it('reads the map only in the header', () => {
    const text = vtt('X-TIMESTAMP-MAP=MPEGTS:900000,LOCAL:00:00:00.000', '', '00:01.000 --> 00:02.000\nx');
    const result = parseWebVtt(text);
    expect(result.cues[0]?.start).toBe(ns(1));
    expect(result.skipped).toBe(1);
  });
});

describe('parseWebVtt: realistic files', () => {
  it('reads a 3 min 40 s documentary', () => {
    const result = parseWebVtt(VTT_DOCUMENTARY);
    expect(result.format).toBe('webvtt');
    expect(result.skipped).toBe(0);
    expect(result.cues).toHaveLength(22);
    expect(result.cues[0]).toEqual({
      start: 0n,
      end: ns('4.2'),
      text: 'The harbour wakes before the town does.',
      speaker: 'Narrator',
      id: 'intro-1',
    });
    expect(result.cues[2]).toEqual({
      start: ns('9.5'),
      end: ns('13.25'),
      text: "Morning! Mind the chain\non berth six – it's loose again.",
      speaker: 'Harbour Master',
    });
    expect(result.cues.find((c) => c.id === 'title')?.text).toBe('HARBOUR LIGHTS');
    expect(result.cues.find((c) => c.text.startsWith('Forty I have'))?.text).toBe(
      'Forty I have. Forty-five?',
    );
    expect(result.cues.find((c) => c.text.startsWith('Lot one'))?.text).toBe(
      'Lot one, hake, four boxes & a half!',
    );
    expect(result.cues.find((c) => c.text.includes('council'))?.text).toBe(
      'Next spring, the council plans\nto light it again\u00a0— for the visitors.',
    );
    expect(new Set(result.cues.map((c) => c.speaker))).toEqual(
      new Set(['Narrator', 'Harbour Master', 'Skipper', 'Margaret Doyle', 'Auctioneer', 'Buyer', undefined]),
    );
    expect(result.cues.at(-1)).toEqual({ start: ns(214), end: ns(220), text: '[theme music]' });
  });

  it('reads 2 min 50 s of automatic captions with word timestamps', () => {
    const result = parseWebVtt(VTT_AUTO_CAPTIONS);
    expect(result.skipped).toBe(0);
    expect(result.cues.map((c) => c.text)).toEqual([
      'welcome back to the boat building workshop',
      "today we're fitting the garboard strake",
      'which is the plank next to the keel',
      '[Music]',
      'you want the steam box hot before you start',
      'about an hour per inch of thickness',
      "okay it's coming out now quick quick",
      'clamp at the bow first',
      "and that's it let it cool overnight",
      '[Applause]',
    ]);
    expect(result.cues[4]).toEqual({ start: ns('62.33'), end: ns('66.45'), text: result.cues[4]?.text });
    expect(result.cues.at(-1)?.end).toBe(ns(170));
  });

  it('reads an HLS segment onto the MPEG-TS timeline', () => {
    const result = parseWebVtt(VTT_HLS_SEGMENT);
    const shift = (8_589_924_592n * 2_000_000_000n + 90_000n) / 180_000n;
    expect(result.cues.map((c) => [c.start, c.end])).toEqual([
      [shift + ns('0.5'), shift + ns(2)],
      [shift + ns('2.2'), shift + ns('5.9')],
    ]);
    expect(result.cues[1]?.speaker).toBe('Skipper');
  });
});
