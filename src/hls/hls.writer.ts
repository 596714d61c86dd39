import { formatSeconds, targetDuration } from './hls.timeline.ts';

/** One media segment of a media playlist. */
export interface PlaylistEntry {
  uri: string;
  durationNs: bigint;
  /** The media timeline breaks before this segment: EXT-X-DISCONTINUITY, then its date. */
  discontinuity: boolean;
  /** EXT-X-PROGRAM-DATE-TIME (ISO 8601), written on the first segment and after each break. */
  programDateTime: string;
  /** The EXTINF title: the segment's TAMS timerange, so a player's fragment names its place. */
  title?: string;
  /**
   * The URI of its Media Initialization Section, where it is its own (TAMS 8.2 init objects):
   * an EXT-X-MAP is written before it when it differs from the one before.
   */
  map?: string;
}

export interface MediaPlaylist {
  /** VOD: the whole list, EXT-X-PLAYLIST-TYPE:VOD and EXT-X-ENDLIST; live: a sliding window. */
  kind: 'vod' | 'live';
  /** EXT-X-MEDIA-SEQUENCE: the Media Sequence Number of the first segment. */
  mediaSequence: bigint;
  /** EXT-X-DISCONTINUITY-SEQUENCE: breaks before the first segment (left out when 0). */
  discontinuitySequence: bigint;
  /** EXT-X-MAP: the URI of the Media Initialization Section (fragmented MP4) of segments without their own. */
  map?: string;
  /** EXT-X-TARGETDURATION when there is no segment to take it from (an empty live window). */
  emptyTargetDuration?: number;
  segments: readonly PlaylistEntry[];
}

/** Text on one playlist line: no line breaks. */
export function lineText(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * A URI on its own line or in a quoted-string: quotes percent-encoded (the same URL), as a
 * quoted-string cannot hold `"` and parsers stumble on `'` inside one.
 */
export function uriText(uri: string): string {
  return lineText(uri).replaceAll('"', '%22').replaceAll("'", '%27');
}

function mapLine(uri: string): string {
  return `#EXT-X-MAP:URI="${uriText(uri)}"`;
}

/**
 * A media playlist (RFC 8216 §4.3.3). Version 3 for decimal EXTINF durations, 6 when EXT-X-MAP
 * applies to segments (§7). The target duration is every EXTINF rounded up, which also keeps
 * it at or above every EXTINF rounded to the nearest integer, as §4.3.3.1 requires. An
 * EXT-X-MAP applies to the segments after it until the next (§4.3.2.5): written before the
 * first segment, and again before a segment whose own (else the playlist's) differs.
 */
export function writeMediaPlaylist(playlist: MediaPlaylist): string {
  const { segments } = playlist;
  const target =
    segments.length > 0
      ? targetDuration(segments.map((s) => s.durationNs))
      : Math.max(1, playlist.emptyTargetDuration ?? 1);
  const mapped = playlist.map !== undefined || segments.some((s) => s.map !== undefined);
  const lines = ['#EXTM3U', `#EXT-X-VERSION:${mapped ? 6 : 3}`];
  lines.push(`#EXT-X-TARGETDURATION:${target}`);
  lines.push(`#EXT-X-MEDIA-SEQUENCE:${playlist.mediaSequence}`);
  if (playlist.discontinuitySequence > 0n) {
    lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${playlist.discontinuitySequence}`);
  }
  if (playlist.kind === 'vod') lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  // A live window with no segment yet still says how its segments will be initialised.
  if (segments.length === 0 && playlist.map !== undefined) lines.push(mapLine(playlist.map));
  let map: string | undefined;
  segments.forEach((segment, i) => {
    const own = segment.map ?? playlist.map;
    if (own !== undefined && own !== map) {
      map = own;
      lines.push(mapLine(own));
    }
    if (segment.discontinuity) lines.push('#EXT-X-DISCONTINUITY');
    if (i === 0 || segment.discontinuity) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime}`);
    lines.push(`#EXTINF:${formatSeconds(segment.durationNs)},${lineText(segment.title ?? '')}`);
    lines.push(uriText(segment.uri));
  });
  if (playlist.kind === 'vod') lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
