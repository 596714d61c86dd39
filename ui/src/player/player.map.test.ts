import { describe, expect, it } from 'vitest';
import {
  placeFragments,
  playerTimeOf,
  playlistFragments,
  playlistInfo,
  presentedFragments,
  tamsTimeOf,
} from './player.map.ts';

const S = 1_000_000_000n;
/** Segments [100,101) [101,102) then a gap, then [103,104) [104,104.5): end to end on the player. */
const PLAYLIST = [
  '#EXTM3U',
  '#EXT-X-TARGETDURATION:1',
  '#EXT-X-PROGRAM-DATE-TIME:1970-01-01T00:01:03.000Z',
  '#EXTINF:1.000000000,[100:0_101:0)',
  'a.ts',
  '#EXTINF:1.000000000,[101:0_102:0)',
  'b.ts',
  '#EXT-X-DISCONTINUITY',
  '#EXTINF:1.000000000,[103:0_104:0)',
  'c.ts',
  '#EXTINF:0.500000000,[104:0_104:500000000)',
  'd.ts',
  '#EXT-X-ENDLIST',
].join('\n');

describe('the player clock and the TAMS timeline', () => {
  const placed = placeFragments(playlistFragments(PLAYLIST));

  it('lays the segments end to end, each with its TAMS span', () => {
    expect(placed.map((p) => [p.start, p.duration])).toEqual([
      [0, 1],
      [1, 1],
      [2, 1],
      [3, 0.5],
    ]);
    expect(placed[2]?.tams).toEqual({ start: 103n * S, end: 104n * S });
  });

  it('puts a TAMS time where its segment plays, and a time in a gap at the next segment', () => {
    expect(playerTimeOf(100n * S, placed)).toBe(0);
    expect(playerTimeOf(101n * S + S / 4n, placed)).toBeCloseTo(1.25, 9);
    expect(playerTimeOf(102n * S + S / 2n, placed)).toBe(2);
    expect(playerTimeOf(103n * S + S / 2n, placed)).toBeCloseTo(2.5, 9);
    expect(playerTimeOf(99n * S, placed)).toBe(0);
    expect(playerTimeOf(200n * S, placed)).toBeCloseTo(3.499, 9);
    expect(playerTimeOf(100n * S, [])).toBeUndefined();
  });

  it('reads the TAMS time back from the player clock', () => {
    expect(tamsTimeOf(0, placed)).toBe(100n * S);
    expect(tamsTimeOf(2.25, placed)).toBe(103n * S + S / 4n);
    expect(tamsTimeOf(3.5, placed)).toBe(104n * S + S / 2n - 1n);
    for (const t of [100n * S + 123_456_789n, 101n * S, 103n * S + 999_000_000n]) {
      expect(tamsTimeOf(playerTimeOf(t, placed) as number, placed)).toBe(t);
    }
  });

  it('tells a live playlist (no EXT-X-ENDLIST) and counts the Flow segments by the media sequence', () => {
    expect(playlistInfo(PLAYLIST, 4)).toEqual({ live: false, targetDuration: 1, segmentCount: 4 });
    const live = PLAYLIST.replace('#EXT-X-ENDLIST', '').replace(
      '#EXT-X-TARGETDURATION:1',
      '#EXT-X-TARGETDURATION:2\n#EXT-X-MEDIA-SEQUENCE:40',
    );
    expect(playlistInfo(live, 4)).toEqual({ live: true, targetDuration: 2, segmentCount: 44 });
  });
});

describe('where hls.js presents fragments', () => {
  it('takes a parsed fragment at its first picture, others where the playlist puts them', () => {
    // B-frames: the first picture 2 frames (80 ms) after the first decode time, which hls.js
    // makes 0; it moved fragment 1 to match, and kept fragment 0 at 0.
    const fragments = [
      { start: 0, duration: 1, title: '[10:0_11:0)', startPTS: 0.08 },
      { start: 1.08, duration: 1, title: '[11:0_12:0)' },
      { start: 2.08, duration: 1, title: '[12:0_13:0)', startPTS: Number.NaN },
    ];
    const placed = placeFragments(presentedFragments(fragments));
    expect(placed.map((p) => p.start)).toEqual([0.08, 1.08, 2.08]);
    // At 0.5 s on the player's clock the picture is 0.42 s after the first: frame 10 of 25 fps.
    expect(tamsTimeOf(0.5, placed)).toBe(10n * S + 420_000_000n);
    expect(playerTimeOf(12n * S, placed)).toBe(2.08);
  });
});
