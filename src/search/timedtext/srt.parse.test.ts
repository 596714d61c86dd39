import { describe, expect, it } from 'vitest';
import { SRT_DRAMA, SRT_LECTURE } from '../../../test/support/search/timedtext/timedtext.samples.testkit.ts';
import { ns } from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { parseSrt } from './srt.parse.ts';
import { plainSrtText } from './srt.text.ts';

describe('parseSrt: structure', () => {
  const expected = [
    { start: ns(1), end: ns('2.5'), text: 'Hello', id: '1' },
    { start: ns(3), end: ns(4), text: 'Two\nlines', id: '2' },
  ];

  it.each([
    ['LF', '1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo\nlines\n'],
    [
      'CRLF',
      '1\r\n00:00:01,000 --> 00:00:02,500\r\nHello\r\n\r\n2\r\n00:00:03,000 --> 00:00:04,000\r\nTwo\r\nlines\r\n',
    ],
    ['CR', '1\r00:00:01,000 --> 00:00:02,500\rHello\r\r2\r00:00:03,000 --> 00:00:04,000\rTwo\rlines'],
    ['BOM', '\ufeff1\n00:00:01,000 --> 00:00:02,500\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo\nlines'],
    [
      'extra blank lines',
      '\n\n1\n00:00:01,000 --> 00:00:02,500\nHello\n\n\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo\n\nlines\n\n\n',
    ],
    [
      'no blank lines',
      '1\n00:00:01,000 --> 00:00:02,500\nHello\n2\n00:00:03,000 --> 00:00:04,000\nTwo\nlines',
    ],
    [
      'trailing spaces',
      '1  \n00:00:01,000 --> 00:00:02,500  \nHello   \n  \n 2\t\n00:00:03,000 --> 00:00:04,000 \nTwo \nlines ',
    ],
    [
      'points for commas',
      '1\n00:00:01.000 --> 00:00:02.500\nHello\n\n2\n00:00:03.000 --> 00:00:04.000\nTwo\nlines',
    ],
    ['short fractions', '1\n00:00:01,0 --> 00:00:02,5\nHello\n\n2\n00:00:03,00 --> 00:00:04\nTwo\nlines'],
    [
      'position coordinates',
      '1\n00:00:01,000 --> 00:00:02,500  X1:40 X2:600 Y1:20 Y2:50\nHello\n\n2\n00:00:03,000 --> 00:00:04,000\nTwo\nlines',
    ],
  ])('reads %s', (_, text) => {
    expect(parseSrt(text)).toEqual({ format: 'srt', cues: expected, skipped: 0 });
  });

  it('reads cues without index lines', () => {
    const text = '00:00:01,000 --> 00:00:02,000\nfirst\n\n00:00:03,000 --> 00:00:04,000\nsecond';
    expect(parseSrt(text).cues).toEqual([
      { start: ns(1), end: ns(2), text: 'first' },
      { start: ns(3), end: ns(4), text: 'second' },
    ]);
  });

  it('keeps a number that is text, unless an arrow line follows it', () => {
    const text =
      '1\n00:00:01,000 --> 00:00:02,000\nThe year was\n1984\n\n2\n00:00:03,000 --> 00:00:04,000\nnext';
    expect(parseSrt(text).cues.map((c) => c.text)).toEqual(['The year was\n1984', 'next']);
  });

  it.each([
    ['100:00:00,000', ns(360_000)],
    ['0:0:1,5', ns('1.5')],
    ['00:59:59,999', ns('3599.999')],
  ])('reads the time %s', (time, start) => {
    expect(parseSrt(`1\n${time} --> 999:00:00,000\nx`).cues[0]?.start).toBe(start);
  });

  it.each([
    ['00:60:00,000', 'minutes over 59'],
    ['00:00:60,000', 'seconds over 59'],
    ['00:00:01,0000', 'four fraction digits'],
    ['00:01,000', 'no hours'],
    ['00:00:01;000', 'semicolon'],
    ['-00:00:01,000', 'sign'],
    ['00:000:01,000', 'three minute digits'],
  ])('skips a block with the time %s (%s), counting it', (time) => {
    const text = `1\n${time} --> 00:00:05,000\nbad\n\n2\n00:00:06,000 --> 00:00:07,000\ngood`;
    const result = parseSrt(text);
    expect(result.cues.map((c) => c.text)).toEqual(['good']);
    expect(result.skipped).toBe(1);
  });

  it('skips a malformed arrow line and counts text before the first cue', () => {
    const text =
      'Subtitles by someone\nwww.example.com\n\n1\n00:00:01,000 -> 00:00:02,000\nlost\n\n2\n00:00:03,000 --> 00:00:04,000\nkept';
    const result = parseSrt(text);
    expect(result.cues).toEqual([{ start: ns(3), end: ns(4), text: 'kept', id: '2' }]);
    expect(result.skipped).toBe(1);
    const broken = '1\n00:00:01,000 --> 00:00:02,000\nfine\n\n2\n00:00:0x,000 --> 00:00:04,000\nlost';
    expect(parseSrt(broken)).toMatchObject({ cues: [{ text: 'fine' }], skipped: 1 });
  });

  it('drops cues whose end is not after their start', () => {
    const text =
      '1\n00:00:05,000 --> 00:00:04,000\nback\n\n2\n00:00:05,000 --> 00:00:05,000\nzero\n\n3\n00:00:06,000 --> 00:00:07,000\nok';
    expect(parseSrt(text)).toMatchObject({ cues: [{ text: 'ok' }], skipped: 2 });
  });

  it('reads empty and blank input as no cues', () => {
    expect(parseSrt('')).toEqual({ format: 'srt', cues: [], skipped: 0 });
    expect(parseSrt('\n \r\n\t\n')).toEqual({ format: 'srt', cues: [], skipped: 0 });
  });

  it('keeps a cue with no text lines', () => {
    expect(parseSrt('1\n00:00:01,000 --> 00:00:02,000\n\n2\n00:00:03,000 --> 00:00:04,000\nb').cues).toEqual([
      { start: ns(1), end: ns(2), text: '', id: '1' },
      { start: ns(3), end: ns(4), text: 'b', id: '2' },
    ]);
  });
});

describe('plainSrtText', () => {
  it.each([
    ['<i>italic</i> <b>bold</b> <u>under</u> <s>struck</s>', 'italic bold under struck'],
    ['<I>upper</I> <B>case</B>', 'upper case'],
    ['<font color="#ff0000">red</font> <font face="Arial" size="20">face</font>', 'red face'],
    ['<i><b>nested</b></i>', 'nested'],
    ['{\\an8}top', 'top'],
    ['{\\i1}ass{\\i0} italic', 'ass italic'],
    ['{not ass} braces', '{not ass} braces'],
    ['{\\an8 unclosed', '{\\an8 unclosed'],
    ['<3 and <inaudible> and a < b', '<3 and <inaudible> and a < b'],
    ['<i unclosed', '<i unclosed'],
    ['<br>keep unknown tags', '<br>keep unknown tags'],
    ['&amp; &lt;i&gt; &nbsp; &#233; &eacute;', '& <i> \u00a0 é &eacute;'],
    ['  line one  \n  line two  ', 'line one\nline two'],
    ['<i>spans\nlines</i>', 'spans\nlines'],
  ])('%j -> %j', (raw, text) => {
    expect(plainSrtText(raw)).toBe(text);
  });
});

describe('parseSrt: realistic file', () => {
  it('reads a 3 minute drama scene with CRLF, BOM and styling', () => {
    const result = parseSrt(SRT_DRAMA);
    expect(result.skipped).toBe(0);
    expect(result.cues).toHaveLength(15);
    expect(result.cues.map((c) => c.id)).toEqual(Array.from({ length: 15 }, (_, n) => String(n + 1)));
    expect(result.cues[0]).toEqual({ start: ns('1.2'), end: ns(4), text: 'Previously...', id: '1' });
    expect(result.cues[3]?.text).toBe("- Until three in the morning?\n- It wasn't three.");
    expect(result.cues[4]?.text).toBe('[DOOR SLAMS]');
    expect(result.cues[6]?.text).toBe('I found the letters, Sam.\nAll of them.');
    expect(result.cues[12]?.text).toBe('She wrote to him for six years\n& you never said a word.');
    expect(result.cues.at(-1)).toEqual({
      start: ns(178),
      end: ns('182.5'),
      text: 'It did anyway.',
      id: '15',
    });
    for (const cue of result.cues) expect(cue.end).toBeGreaterThan(cue.start);
  });

  it('reads a 4 minute lecture from a transcription tool', () => {
    const result = parseSrt(SRT_LECTURE);
    expect(result.skipped).toBe(0);
    expect(result.cues).toHaveLength(9);
    expect(result.cues.every((c) => c.id === undefined)).toBe(true);
    expect(result.cues[0]).toEqual({
      start: ns(2),
      end: ns('6.5'),
      text: 'Good morning. Today we start on tides,\nand why there are two of them a day.',
    });
    expect(result.cues[1]).toEqual({
      start: ns(7),
      end: ns('11.2'),
      text: 'The Moon pulls the near side of the ocean',
    });
    expect(result.cues[2]?.start).toBe(ns('11.4'));
    expect(result.cues.at(-1)).toMatchObject({ start: ns(242), end: ns(250) });
  });
});
