import { describe, expect, it } from 'vitest';
import { ttmlDoc as doc, failure, ns } from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { parseTtml } from './ttml.parse.ts';

const cues = (text: string) => parseTtml(text).cues;
const spans = (text: string) => cues(text).map((c) => [c.start, c.end, c.text]);

describe('parseTtml: timing', () => {
  it('makes a child relative to its parent and clips it to the parent', () => {
    const text = doc(`<div begin="10s" end="20s">
      <p begin="1s" end="2s">inside</p>
      <p begin="8s" end="15s">clipped</p>
      <p begin="12s" end="14s">after the div</p>
      <div begin="5s"><p begin="1s" dur="2s">nested</p></div>
    </div>`);
    const result = parseTtml(text);
    expect(result.cues.map((c) => [c.start, c.end, c.text])).toEqual([
      [ns(11), ns(12), 'inside'],
      [ns(18), ns(20), 'clipped'],
      [ns(16), ns(18), 'nested'],
    ]);
    expect(result.skipped).toBe(1);
  });

  it('takes timing on body too', () => {
    expect(
      spans(doc('<div><p begin="1s" end="3s">x</p></div>').replace('<body>', '<body begin="1m">')),
    ).toEqual([[ns(61), ns(63), 'x']]);
  });

  it('uses dur, and the earlier of end and dur', () => {
    const text = doc(
      '<p begin="1s" dur="2s">dur</p><p begin="1s" end="5s" dur="1s">dur first</p><p begin="1s" end="2s" dur="9s">end first</p>',
    );
    expect(spans(text)).toEqual([
      [ns(1), ns(3), 'dur'],
      [ns(1), ns(2), 'dur first'],
      [ns(1), ns(2), 'end first'],
    ]);
  });

  it('ends a p without end or dur with its parent, and skips it when nothing ends it', () => {
    expect(spans(doc('<div begin="2s" end="4s"><p>whole div</p></div>'))).toEqual([
      [ns(2), ns(4), 'whole div'],
    ]);
    const result = parseTtml(doc('<div><p begin="1s">never ends</p><p begin="1s" end="2s">ends</p></div>'));
    expect(result.cues.map((c) => c.text)).toEqual(['ends']);
    expect(result.skipped).toBe(1);
  });

  it('ends an untimed container when its last child ends', () => {
    // The div ends at 4 s (its last p), so the span-less p inside the inner div ends there too.
    const text = doc('<div begin="1s"><div><p begin="0s" end="3s">a</p></div><div><p>b</p></div></div>');
    const result = parseTtml(text);
    expect(result.cues.map((c) => [c.start, c.end, c.text])).toEqual([[ns(1), ns(4), 'a']]);
    expect(result.skipped).toBe(1);
  });

  it('drops p whose end is not after their begin', () => {
    const result = parseTtml(
      doc('<p begin="3s" end="2s">back</p><p begin="3s" end="3s">zero</p><p begin="1s" end="2s">ok</p>'),
    );
    expect(result.cues.map((c) => c.text)).toEqual(['ok']);
    expect(result.skipped).toBe(2);
  });

  it('runs the children of a seq container one after another', () => {
    const text = doc(`<div timeContainer="seq" begin="10s">
      <p dur="2s">one</p>
      <p begin="1s" dur="3s">two</p>
      <p end="1s">three</p>
      <p dur="2s">four</p>
    </div>`);
    expect(spans(text)).toEqual([
      [ns(10), ns(12), 'one'],
      [ns(13), ns(16), 'two'],
      [ns(16), ns(17), 'three'],
      [ns(17), ns(19), 'four'],
    ]);
  });

  it('never begins what follows an indefinite child in a seq', () => {
    const text = doc(
      '<div timeContainer="seq" end="30s"><p dur="2s">one</p><p>open-ended</p><p dur="2s">never</p></div>',
    );
    expect(spans(text)).toEqual([
      [0n, ns(2), 'one'],
      [ns(2), ns(30), 'open-ended'],
    ]);
  });

  it('reads a seq of spans inside a p as a sequence of cues', () => {
    const text = doc(
      '<p begin="5s" end="20s" timeContainer="seq"><span dur="1s">Hello</span> <span dur="2s">world</span></p>',
    );
    expect(spans(text)).toEqual([
      [ns(5), ns(6), 'Hello'],
      [ns(6), ns(8), 'world'],
    ]);
  });

  it('splits a p where its spans show and hide, merging equal neighbours', () => {
    const text = doc(
      '<p xml:id="karaoke" begin="1s" end="5s">One <span begin="1s">two</span> <span begin="2s" end="3s">three</span></p>',
    );
    expect(cues(text)).toEqual([
      { start: ns(1), end: ns(2), text: 'One', id: 'karaoke' },
      { start: ns(2), end: ns(3), text: 'One two', id: 'karaoke' },
      { start: ns(3), end: ns(4), text: 'One two three', id: 'karaoke' },
      { start: ns(4), end: ns(5), text: 'One two', id: 'karaoke' },
    ]);
  });

  it('drops the empty pieces of a split p and keeps an empty p whole', () => {
    expect(
      spans(
        doc(
          '<p begin="0s" end="10s"><span begin="2s" end="3s">a</span><span begin="5s" end="6s">b</span></p>',
        ),
      ),
    ).toEqual([
      [ns(2), ns(3), 'a'],
      [ns(5), ns(6), 'b'],
    ]);
    expect(spans(doc('<p begin="0s" end="1s"></p><p begin="1s" end="2s"/>'))).toEqual([
      [0n, ns(1), ''],
      [ns(1), ns(2), ''],
    ]);
  });

  it('keeps a p whole when spans without timing of their own are inside', () => {
    expect(cues(doc('<p begin="1s" end="2s" xml:id="c1">a <span>b <span>c</span></span></p>'))).toEqual([
      { start: ns(1), end: ns(2), text: 'a b c', id: 'c1' },
    ]);
  });

  it('keeps a heavily split p whole once splitting gets too costly', () => {
    const words = Array.from(
      { length: 3000 },
      (_, n) => `<span begin="${n}ms" end="${n + 1}ms">word${n}-padding-padding</span>`,
    ).join(' ');
    const result = cues(doc(`<p begin="0s" end="10s">${words}</p>`));
    expect(result).toHaveLength(1);
    expect(result[0]?.text.startsWith('word0-padding-padding word1-padding-padding')).toBe(true);
  });

  it.each([
    ['frameRate="25"', '00:00:01:05', '50f', [ns('1.2'), ns(2)]],
    ['frameRate="30" frameRateMultiplier="1000 1001"', '00:00:01:00', '60f', [ns(1), ns('2.002')]],
    ['frameRate="25" subFrameRate="2"', '00:00:00:01.1', '00:00:01:00', [ns('0.06'), ns(1)]],
    ['tickRate="90000"', '90000t', '180000t', [ns(1), ns(2)]],
    ['frameRate="24"', '24t', '48t', [ns(1), ns(2)]],
    ['', '0.5h', '1800001ms', [ns(1800), ns('1800.001')]],
    ['', '1.25m', '00:01:16.5', [ns(75), ns('76.5')]],
  ])('with %s reads %s to %s', (params, begin, end, expected) => {
    const attrs = params.replace(/(\w+)="/g, 'ttp:$1="');
    expect(spans(doc(`<p begin="${begin}" end="${end}">x</p>`, attrs))).toEqual([[...expected, 'x']]);
  });

  it('refuses smpte and clock time bases at the tt element', () => {
    for (const base of ['smpte', 'clock']) {
      const error = failure(() => parseTtml(doc('<p begin="1s" end="2s">x</p>', `ttp:timeBase="${base}"`)));
      expect(error.message).toMatch(new RegExp(`timeBase "${base}" is not supported`));
      expect(error.where).toBe('byte 39');
    }
  });

  it('refuses an invalid time expression at its element, counting UTF-8 bytes and the BOM', () => {
    const text = `\ufeff${doc('<p begin="1s" end="2s">héllo</p><p begin="tomorrow">x</p>')}`;
    const error = failure(() => parseTtml(text));
    expect(error.format).toBe('ttml');
    expect(error.message).toMatch(/invalid begin "tomorrow"/);
    const before = text.slice(0, text.indexOf('<p begin="tomorrow"'));
    expect(error.where).toBe(`byte ${before.length + 3}`);
  });

  it.each([
    ['<p begin="1s" end="00:61:00">x</p>', /invalid end "00:61:00"/],
    ['<p begin="1s" dur="-1s">x</p>', /invalid dur "-1s"/],
    ['<div timeContainer="excl"><p begin="1s" end="2s">x</p></div>', /invalid timeContainer "excl"/],
    ['<p begin="00:00:00:40" end="2s">x</p>', /invalid begin/],
  ])('refuses %s', (body, reason) => {
    expect(() => parseTtml(doc(body))).toThrow(reason);
  });
});
