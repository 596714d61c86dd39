/**
 * The parts of HLS playlists (RFC 8216) the recorder reads: a multivariant playlist's variants
 * and subtitle renditions, a media playlist's segments with their sequence numbers, its init
 * section (EXT-X-MAP), discontinuities and end. URIs are resolved against the playlist's URL.
 */

export interface Variant {
  uri: string;
  bandwidth: number;
  /** The SUBTITLES group it names (EXT-X-MEDIA GROUP-ID), if any. */
  subtitles?: string;
}

export interface Rendition {
  type: string;
  groupId: string;
  uri?: string;
  language?: string;
  name?: string;
  /** DEFAULT=YES: the rendition a player shows without being asked. */
  isDefault: boolean;
}

export interface MediaSegment {
  /** Its media sequence number. */
  sequence: number;
  uri: string;
  /** EXTINF, seconds. */
  duration: number;
  /** The init section that applies to it (fMP4), resolved. */
  map?: string;
  /** Whether an EXT-X-DISCONTINUITY precedes it. */
  discontinuity: boolean;
}

export type Playlist =
  | { kind: 'multivariant'; variants: Variant[]; renditions: Rendition[] }
  | { kind: 'media'; targetDuration: number; segments: MediaSegment[]; ended: boolean };

export class PlaylistError extends Error {}

/** Attribute lists (`KEY=VALUE,KEY="quoted, value"`). */
function attributes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  const re = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const value = m[2] ?? '';
    out.set(m[1] as string, value.startsWith('"') ? value.slice(1, -1) : value);
  }
  return out;
}

export function parsePlaylist(text: string, base: string): Playlist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  if (lines[0] !== '#EXTM3U') throw new PlaylistError('not an HLS playlist (no #EXTM3U)');
  const resolve = (uri: string) => new URL(uri, base).toString();
  if (lines.some((l) => l.startsWith('#EXT-X-STREAM-INF:'))) {
    const variants: Variant[] = [];
    const renditions: Rendition[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = lines[i] as string;
      if (line.startsWith('#EXT-X-STREAM-INF:')) {
        const attrs = attributes(line.slice('#EXT-X-STREAM-INF:'.length));
        const uri = lines.slice(i + 1).find((l) => l !== '' && !l.startsWith('#'));
        if (uri === undefined) continue;
        const subtitles = attrs.get('SUBTITLES');
        variants.push({
          uri: resolve(uri),
          bandwidth: Number(attrs.get('BANDWIDTH') ?? 0),
          ...(subtitles !== undefined && { subtitles }),
        });
      } else if (line.startsWith('#EXT-X-MEDIA:')) {
        const attrs = attributes(line.slice('#EXT-X-MEDIA:'.length));
        const uri = attrs.get('URI');
        const language = attrs.get('LANGUAGE');
        const name = attrs.get('NAME');
        renditions.push({
          type: attrs.get('TYPE') ?? '',
          groupId: attrs.get('GROUP-ID') ?? '',
          isDefault: attrs.get('DEFAULT') === 'YES',
          ...(uri !== undefined && { uri: resolve(uri) }),
          ...(language !== undefined && { language }),
          ...(name !== undefined && { name }),
        });
      }
    }
    return { kind: 'multivariant', variants, renditions };
  }
  let sequence = 0;
  let targetDuration = 0;
  let duration: number | undefined;
  let map: string | undefined;
  let discontinuity = false;
  let ended = false;
  const segments: MediaSegment[] = [];
  for (const line of lines) {
    if (line.startsWith('#EXT-X-MEDIA-SEQUENCE:')) sequence = Number(line.slice(22));
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice(22));
    else if (line.startsWith('#EXTINF:')) duration = Number.parseFloat(line.slice(8));
    else if (line.startsWith('#EXT-X-MAP:')) {
      const uri = attributes(line.slice(11)).get('URI');
      if (uri !== undefined) map = resolve(uri);
    } else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line === '#EXT-X-ENDLIST') ended = true;
    else if (line !== '' && !line.startsWith('#')) {
      if (duration === undefined) throw new PlaylistError(`segment ${line} has no #EXTINF`);
      segments.push({
        sequence: sequence++,
        uri: resolve(line),
        duration,
        ...(map !== undefined && { map }),
        discontinuity,
      });
      duration = undefined;
      discontinuity = false;
    }
  }
  if (!Number.isFinite(targetDuration) || targetDuration <= 0)
    throw new PlaylistError('a media playlist without #EXT-X-TARGETDURATION');
  return { kind: 'media', targetDuration, segments, ended };
}
