import { describe, expect, it } from 'vitest';
import { CUE_ENTITIES, decodeReferences, readReference, XML_ENTITIES } from './timedtext.entities.ts';

describe('readReference', () => {
  it.each([
    ['&amp;', '&', 5],
    ['&amp;rest', '&', 5],
    ['&#65;', 'A', 5],
    ['&#x41;', 'A', 6],
    ['&#X41;', 'A', 6],
    ['&#0000065;', 'A', 10],
    ['&#x10FFFF;', '\u{10ffff}', 10],
    ['&#x000000041;', '\ufffd', 13],
    ['&amp', '&', 1],
    ['&AMP;', '&', 1],
    ['&;', '&', 1],
    ['&#;', '&', 1],
    ['&#x;', '&', 1],
    ['&#12a;', '&', 1],
    ['&verylongname;', '&', 1],
  ])('%j -> %j spanning %d', (text, value, length) => {
    expect(readReference(text, 0, CUE_ENTITIES)).toEqual({ value, length });
  });

  it('knows nbsp, lrm and rlm in cue text but not in XML', () => {
    expect(decodeReferences('&nbsp;&lrm;&rlm;', CUE_ENTITIES)).toBe('\u00a0\u200e\u200f');
    expect(decodeReferences('&nbsp;&lrm;&rlm;', XML_ENTITIES)).toBe('&nbsp;&lrm;&rlm;');
  });
});

describe('decodeReferences', () => {
  it('returns text without references unchanged and decodes each reference once', () => {
    expect(decodeReferences('plain', XML_ENTITIES)).toBe('plain');
    expect(decodeReferences('&amp;amp; &lt;&gt; &&amp;', XML_ENTITIES)).toBe('&amp; <> &&');
  });

  it('handles long runs of digits and ampersands', () => {
    const digits = `&#${'9'.repeat(200_000)};`;
    expect(decodeReferences(digits, XML_ENTITIES)).toBe('\ufffd');
    const amps = '&'.repeat(200_000);
    expect(decodeReferences(amps, XML_ENTITIES)).toBe(amps);
  });
});
