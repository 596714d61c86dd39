import { describe, expect, it } from 'vitest';
import {
  SRT_DRAMA,
  TTML_IMSC,
  VTT_DOCUMENTARY,
} from '../../../test/support/search/timedtext/timedtext.samples.testkit.ts';
import { encode, failure, ns } from '../../../test/support/search/timedtext/timedtext.testkit.ts';
import { decodeText } from './timedtext.decode.ts';
import { parseTimedText, timedTextKind } from './timedtext.parse.ts';
import { sniffFormat } from './timedtext.sniff.ts';

const VTT = 'WEBVTT\n\n00:01.000 --> 00:02.000\nvtt cue';
const SRT = '1\n00:00:01,000 --> 00:00:02,000\nsrt cue';
const TTML = '<tt xmlns="http://www.w3.org/ns/ttml"><body><p begin="1s" end="2s">ttml cue</p></body></tt>';

describe('timedTextKind', () => {
  it.each([
    [{ contentType: 'text/vtt' }],
    [{ contentType: 'TEXT/VTT; charset=utf-8' }],
    [{ contentType: 'text/webvtt' }],
    [{ contentType: 'application/x-subrip' }],
    [{ contentType: 'text/srt' }],
    [{ contentType: 'application/srt' }],
    [{ contentType: 'application/ttml+xml' }],
    [{ contentType: 'application/ttml+xml;codecs=im1t' }],
    [{ contentType: 'application/ttaf+xml' }],
    [{ contentType: 'application/xml' }],
    [{ contentType: 'text/xml' }],
    [{ codec: 'text/vtt' }],
    [{ codec: 'application/ttml+xml' }],
    [{ contentType: 'application/octet-stream', codec: 'text/vtt' }],
  ])('says %o is timed text', (hint) => {
    expect(timedTextKind(hint)).toBe(true);
  });

  it.each([
    [{}],
    [{ contentType: 'video/mp2t' }],
    [{ contentType: 'text/plain' }],
    [{ contentType: 'application/json' }],
    [{ codec: 'video/h264' }],
    [{ codec: 'wvtt' }],
    [{ contentType: undefined, codec: undefined }],
  ])('says %o is not', (hint) => {
    expect(timedTextKind(hint)).toBe(false);
  });
});

describe('sniffFormat', () => {
  it.each([
    [VTT, 'webvtt'],
    ['\ufeffWEBVTT', 'webvtt'],
    ['WEBVTT\r\n', 'webvtt'],
    [SRT, 'srt'],
    ['\n\n00:00:01.000 --> 00:00:02.000\nno index', 'srt'],
    [TTML, 'ttml'],
    [`\ufeff  <?xml version="1.0"?>\n<!-- made by hand -->\n<?pi?>\n${TTML}`, 'ttml'],
    ['<!DOCTYPE tt [<!ENTITY a "b>c">]><tt:tt xmlns:tt="http://www.w3.org/ns/ttml"/>', 'ttml'],
    ['<!DOCTYPE tt SYSTEM "tt.dtd"><tt/>', 'ttml'],
  ])('%j is %s', (text, format) => {
    expect(sniffFormat(text)).toBe(format);
  });

  it.each([
    [''],
    ['hello'],
    ['WEBVTTX'],
    ['<html><body/></html>'],
    ['<ttx/>'],
    ['<?xml version="1.0"?>'],
    ['<!-- unclosed comment'],
    ['1\n00:00:01 -> 00:00:02\nnot a timing line'],
    [`${'x\n'.repeat(100)}00:00:01,000 --> 00:00:02,000\nlate`],
  ])('%j is nothing', (text) => {
    expect(sniffFormat(text)).toBeUndefined();
  });
});

describe('decodeText', () => {
  const utf16 = (text: string, bigEndian: boolean): Uint8Array => {
    const out = new Uint8Array(text.length * 2 + 2);
    out.set(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      out[2 + 2 * i + (bigEndian ? 0 : 1)] = code >> 8;
      out[2 + 2 * i + (bigEndian ? 1 : 0)] = code & 0xff;
    }
    return out;
  };

  it('decodes UTF-8, keeping a BOM as U+FEFF', () => {
    expect(decodeText(encode('héllo'))).toBe('héllo');
    expect(decodeText(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]))).toBe('\ufeffhi');
  });

  it('decodes UTF-16 in either byte order by its BOM', () => {
    expect(decodeText(utf16('héllo ✓', false))).toBe('\ufeffhéllo ✓');
    expect(decodeText(utf16('héllo ✓', true))).toBe('\ufeffhéllo ✓');
  });

  it('falls back to windows-1252 for bytes that are not UTF-8', () => {
    expect(decodeText(new Uint8Array([0x63, 0x61, 0x66, 0xe9, 0x20, 0x93, 0x78, 0x94]))).toBe('café “x”');
  });

  it('follows a known charset parameter and ignores an unknown one', () => {
    expect(decodeText(new Uint8Array([0xe9]), 'ISO-8859-1')).toBe('é');
    expect(decodeText(encode('é'), 'utf-8')).toBe('é');
    expect(decodeText(encode('é'), 'klingon')).toBe('é');
  });
});

describe('parseTimedText', () => {
  it.each([
    [VTT, undefined, 'webvtt', 'vtt cue'],
    [SRT, undefined, 'srt', 'srt cue'],
    [TTML, undefined, 'ttml', 'ttml cue'],
    [VTT, { contentType: 'text/vtt' }, 'webvtt', 'vtt cue'],
    [SRT, { contentType: 'application/x-subrip' }, 'srt', 'srt cue'],
    [TTML, { contentType: 'application/ttml+xml' }, 'ttml', 'ttml cue'],
    [TTML, { contentType: 'application/xml' }, 'ttml', 'ttml cue'],
    [TTML, { codec: 'application/ttml+xml' }, 'ttml', 'ttml cue'],
    [SRT, { contentType: 'text/vtt' }, 'srt', 'srt cue'],
    [VTT, { contentType: 'application/x-subrip' }, 'webvtt', 'vtt cue'],
    [SRT, { contentType: 'application/octet-stream' }, 'srt', 'srt cue'],
  ])('reads %j with hint %o as %s', (text, hint, format, first) => {
    const result = parseTimedText(encode(text), hint);
    expect(result.format).toBe(format);
    expect(result.cues).toEqual([expect.objectContaining({ start: ns(1), end: ns(2), text: first })]);
  });

  it('uses the hint when the content shows no format', () => {
    expect(parseTimedText(encode(''), { contentType: 'application/x-subrip' })).toEqual({
      format: 'srt',
      cues: [],
      skipped: 0,
    });
    const error = failure(() => parseTimedText(encode('no signature'), { contentType: 'text/vtt' }));
    expect(error.format).toBe('webvtt');
    expect(error.where).toBe('line 1');
  });

  it('refuses what neither hint nor content identifies', () => {
    for (const [text, hint, reason] of [
      ['just text', undefined, /not WebVTT, SRT or TTML/],
      ['just text', { contentType: 'text/plain' }, /not WebVTT, SRT or TTML/],
      ['<html/>', { contentType: 'application/xml' }, /XML whose root is not a TTML tt element/],
    ] as const) {
      const error = failure(() => parseTimedText(encode(text), hint));
      expect(error.format).toBeUndefined();
      expect(error.where).toBe('byte 0');
      expect(error.message).toMatch(reason);
    }
  });

  it('reads UTF-16 and Latin-1 SRT files', () => {
    const latin1 = new Uint8Array([...encode('1\n00:00:01,000 --> 00:00:02,000\n'), 0x43, 0x61, 0x66, 0xe9]);
    expect(parseTimedText(latin1).cues[0]?.text).toBe('Café');
    const text = '1\r\n00:00:01,000 --> 00:00:02,000\r\nÜber';
    const le = new Uint8Array(2 + text.length * 2);
    le.set([0xff, 0xfe]);
    for (let i = 0; i < text.length; i++) le[2 + 2 * i] = text.charCodeAt(i);
    expect(parseTimedText(le, { contentType: 'application/x-subrip' }).cues[0]?.text).toBe('Über');
  });

  it('reads the realistic files of each format through the dispatcher', () => {
    expect(parseTimedText(encode(VTT_DOCUMENTARY), { codec: 'text/vtt' }).cues).toHaveLength(22);
    expect(parseTimedText(encode(SRT_DRAMA), { contentType: 'application/x-subrip' }).cues).toHaveLength(15);
    expect(parseTimedText(encode(TTML_IMSC), { contentType: 'application/ttml+xml' }).cues).toHaveLength(12);
  });

  it('reports TTML errors as byte offsets of the file, BOM included', () => {
    const text = `\ufeff${TTML.replace('begin="1s"', 'begin="soon"')}`;
    const error = failure(() => parseTimedText(encode(text)));
    expect(error.where).toBe(`byte ${encode(text.slice(0, text.indexOf('<p'))).length}`);
  });
});
