/**
 * The media playlist writer against RFC 8216's rules, each playlist also read back by hls-parser
 * in strict mode (test/support/hls/hls.parse.testkit.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseMedia } from '../../test/support/hls/hls.parse.testkit.ts';
import { breaksBetween, durationOf, liveWindowSize, type TimelineSegment } from './hls.timeline.ts';
import { type MediaPlaylist, type PlaylistEntry, writeMediaPlaylist } from './hls.writer.ts';

const S = 1_000_000_000n;
const T0 = 1_700_000_037n * S; // 2023-11-14T22:13:20Z in TAI

function entry(i: number, durationNs: bigint, discontinuity = false): PlaylistEntry {
  return {
    uri: `https://media.example/seg${i}.ts?sig=x`,
    durationNs,
    discontinuity,
    programDateTime: new Date(Date.UTC(2023, 10, 14, 22, 13, 20 + i)).toISOString(),
    title: `[${i}:0_${i + 1}:0)`,
  };
}

function vod(segments: PlaylistEntry[], extra: Partial<MediaPlaylist> = {}): string {
  return writeMediaPlaylist({
    kind: 'vod',
    mediaSequence: 0n,
    discontinuitySequence: 0n,
    segments,
    ...extra,
  });
}

describe('media playlist', () => {
  it('is checked by a parser that refuses what RFC 8216 forbids', () => {
    const tooShort = '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:2.6,\na.ts\n';
    expect(() => parseMedia(tooShort)).toThrow(/target duration/);
    const mapTooEarly =
      '#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:3\n#EXT-X-MAP:URI="i.mp4"\n#EXTINF:2,\na.ts\n';
    expect(() => parseMedia(mapTooEarly)).toThrow(/VERSION/);
  });

  it('has a target duration at or above every EXTINF, rounded up or to the nearest integer', () => {
    fc.assert(
      fc.property(fc.array(fc.bigInt({ min: 1n, max: 20n * S }), { minLength: 1, maxLength: 30 }), (ds) => {
        const parsed = parseMedia(vod(ds.map((d, i) => entry(i, d))));
        for (const segment of parsed.segments) {
          expect(Math.ceil(segment.duration)).toBeLessThanOrEqual(parsed.targetDuration);
          expect(Math.round(segment.duration)).toBeLessThanOrEqual(parsed.targetDuration);
        }
        // No larger than needed: the longest segment rounded up (1 at least).
        let longest = 0n;
        for (const d of ds) if (d > longest) longest = d;
        expect(parsed.targetDuration).toBe(Math.max(1, Number((longest + S - 1n) / S)));
      }),
      { numRuns: 200 },
    );
  });

  it('writes durations exactly, in seconds', () => {
    const parsed = parseMedia(vod([entry(0, 2n * S), entry(1, 1_001_000_000n), entry(2, 33_366_667n)]));
    expect(parsed.segments.map((s) => s.duration)).toEqual([2, 1.001, 0.033366667]);
    expect(parsed.segments[0]?.title).toBe('[0:0_1:0)');
  });

  it('numbers segments from EXT-X-MEDIA-SEQUENCE', () => {
    const parsed = parseMedia(
      writeMediaPlaylist({
        kind: 'live',
        mediaSequence: 41n,
        discontinuitySequence: 0n,
        segments: [entry(0, S), entry(1, S), entry(2, S)],
      }),
    );
    expect(parsed.mediaSequenceBase).toBe(41);
    expect(parsed.segments.map((s) => s.mediaSequenceNumber)).toEqual([41, 42, 43]);
  });

  it('puts EXT-X-DISCONTINUITY before the segment after a break, and a date on it and the first', () => {
    const text = vod([entry(0, S), entry(1, S), entry(3, S, true), entry(4, S)]);
    const parsed = parseMedia(text);
    expect(parsed.segments.map((s) => s.discontinuity ?? false)).toEqual([false, false, true, false]);
    expect(parsed.segments.map((s) => s.discontinuitySequence)).toEqual([0, 0, 1, 1]);
    const lines = text.split('\n');
    const dates = lines.flatMap((line, i) => (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:') ? [i] : []));
    expect(dates).toHaveLength(2);
    // The date of the segment after the break follows its EXT-X-DISCONTINUITY.
    expect(lines[(dates[1] as number) - 1]).toBe('#EXT-X-DISCONTINUITY');
    expect(parsed.segments[2]?.programDateTime?.toISOString()).toBe('2023-11-14T22:13:23.000Z');
  });

  it('carries EXT-X-DISCONTINUITY-SEQUENCE in a live window, before any segment', () => {
    const text = writeMediaPlaylist({
      kind: 'live',
      mediaSequence: 10n,
      discontinuitySequence: 3n,
      segments: [entry(0, S), entry(2, S, true)],
    });
    const parsed = parseMedia(text);
    expect(parsed.discontinuitySequenceBase).toBe(3);
    expect(parsed.segments.map((s) => s.discontinuitySequence)).toEqual([3, 4]);
    expect(text.indexOf('#EXT-X-DISCONTINUITY-SEQUENCE')).toBeLessThan(text.indexOf('#EXTINF'));
  });

  it('ends a VOD playlist with EXT-X-ENDLIST, and never a live one', () => {
    const closed = parseMedia(vod([entry(0, S)]));
    expect(closed.endlist).toBe(true);
    expect(closed.playlistType).toBe('VOD');
    const live = writeMediaPlaylist({
      kind: 'live',
      mediaSequence: 0n,
      discontinuitySequence: 0n,
      segments: [],
    });
    expect(live).not.toContain('#EXT-X-ENDLIST');
    expect(live).not.toContain('#EXT-X-PLAYLIST-TYPE');
    expect(parseMedia(live).endlist).toBe(false);
  });

  it('declares version 6 with EXT-X-MAP (fragmented MP4), 3 without', () => {
    const withMap = vod([entry(0, S)], { map: 'https://media.example/init.mp4?sig=y' });
    const parsed = parseMedia(withMap);
    expect(parsed.version).toBe(6);
    expect(parsed.segments[0]?.map?.uri).toBe('https://media.example/init.mp4?sig=y');
    expect(parseMedia(vod([entry(0, S)])).version).toBe(3);
  });

  it("writes a segment's own EXT-X-MAP where it changes, the playlist's for segments without one", () => {
    const own = (i: number, map?: string): PlaylistEntry => ({ ...entry(i, S), ...(map ? { map } : {}) });
    const [a, b, tag] = ['https://m.example/a.mp4', 'https://m.example/b.mp4', 'https://m.example/t.mp4'];
    const text = vod([own(0, a), own(1, a), own(2, b), own(3), own(4, b)], { map: tag });
    const parsed = parseMedia(text);
    expect(parsed.version).toBe(6);
    expect(parsed.segments.map((s) => s.map?.uri)).toEqual([a, a, b, tag, b]);
    expect(text.split('\n').filter((l) => l.startsWith('#EXT-X-MAP'))).toEqual(
      [a, b, tag, b].map((uri) => `#EXT-X-MAP:URI="${uri}"`),
    );
    const only = parseMedia(vod([own(0, a), own(1, a)]));
    expect(only.version).toBe(6);
    expect(only.segments.map((s) => s.map?.uri)).toEqual([a, a]);
  });

  it('gives an empty live window the target duration asked for', () => {
    const text = writeMediaPlaylist({
      kind: 'live',
      mediaSequence: 0n,
      discontinuitySequence: 0n,
      emptyTargetDuration: 6,
      segments: [],
    });
    expect(parseMedia(text).targetDuration).toBe(6);
  });

  it('keeps quotes and line breaks out of URIs and titles', () => {
    const text = vod([{ ...entry(0, S), uri: 'https://m.example/a"b\'\nc', title: 'x\r\ny' }]);
    expect(text.split('\n').filter((l) => l.startsWith('https://'))).toEqual([
      'https://m.example/a%22b%27 c',
    ]);
    expect(text).toContain('#EXTINF:1,x y');
  });
});

/** A Flow's timeline: 2 s segments with gaps, a ts_offset change, and a short segment. */
function timeline(): TimelineSegment[] {
  const out: TimelineSegment[] = [];
  let t = T0;
  for (let i = 0; i < 80; i++) {
    const d = i % 13 === 12 ? 700_000_000n : 2n * S;
    if (i % 9 === 8) t += 5n * S; // a gap
    out.push({ start: t, end: t + d, tsOffset: i >= 40 ? -3n * S : 0n });
    t += d;
  }
  return out;
}

/** The live playlist the service writes when the Flow holds its first `n` segments. */
function liveAt(all: readonly TimelineSegment[], n: number, windowNs: bigint): string {
  const held = all.slice(0, n);
  const size = liveWindowSize([...held].reverse(), windowNs);
  const first = n - size;
  let breaks = 0;
  for (let i = 1; i < first; i++) if (breaksBetween(held[i - 1], held[i] as TimelineSegment)) breaks++;
  let previous = held[first - 1];
  const segments = held.slice(first).map((s, i) => {
    const e: PlaylistEntry = {
      uri: `https://media.example/${first + i}.ts`,
      durationNs: durationOf(s),
      discontinuity: breaksBetween(previous, s),
      programDateTime: new Date(Number(s.start / 1_000_000n)).toISOString(),
    };
    previous = s;
    return e;
  });
  return writeMediaPlaylist({
    kind: 'live',
    mediaSequence: BigInt(first),
    discontinuitySequence: BigInt(breaks),
    segments,
  });
}

describe('live sliding window', () => {
  it('spans the window and three target durations besides its oldest segment', () => {
    const all = timeline();
    for (let n = 1; n <= all.length; n++) {
      const parsed = parseMedia(liveAt(all, n, 20n * S));
      const total = parsed.segments.reduce((sum, s) => sum + s.duration, 0);
      const oldest = parsed.segments[0]?.duration ?? 0;
      if (parsed.segments.length < n) {
        expect(total).toBeGreaterThanOrEqual(20);
        expect(total - oldest).toBeGreaterThanOrEqual(3 * parsed.targetDuration);
      }
    }
  });

  it('keeps every segment numbers and discontinuity sequence across reloads (RFC 8216 §6.2.1)', () => {
    const all = timeline();
    const seen = new Map<string, { msn: number; dsn: number; discontinuity: boolean }>();
    let lastFirst = -1;
    for (let n = 1; n <= all.length; n++) {
      const parsed = parseMedia(liveAt(all, n, 12n * S));
      const firstMsn = parsed.segments[0]?.mediaSequenceNumber ?? 0;
      // Segments leave from the top only: the first number never goes back.
      expect(firstMsn).toBeGreaterThanOrEqual(lastFirst);
      lastFirst = firstMsn;
      for (const s of parsed.segments) {
        const now = {
          msn: s.mediaSequenceNumber,
          dsn: s.discontinuitySequence,
          discontinuity: !!s.discontinuity,
        };
        const before = seen.get(s.uri);
        if (before) expect(now, s.uri).toEqual(before);
        seen.set(s.uri, now);
      }
    }
    // The timeline's gaps and its ts_offset change each made one break.
    const last = parseMedia(liveAt(all, all.length, 12n * S)).segments.at(-1);
    const expected = all.filter((s, i) => breaksBetween(all[i - 1], s)).length;
    expect(last?.discontinuitySequence).toBe(expected);
  });
});
