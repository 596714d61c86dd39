/**
 * Generated playlists read back with an independent, well-kept parser (hls-parser, a dev
 * dependency) in its strict mode, which throws on what RFC 8216 forbids (an EXTINF longer than
 * the target duration, a version too low for the tags used, sequence tags after segments...).
 */
import { parse, setOptions, type types } from 'hls-parser';

export type ParsedMedia = InstanceType<typeof types.MediaPlaylist>;
export type ParsedMultivariant = InstanceType<typeof types.MasterPlaylist>;

function strict(text: string) {
  setOptions({ strictMode: true, silent: true });
  return parse(text);
}

export function parseMedia(text: string): ParsedMedia {
  const playlist = strict(text);
  if (playlist.isMasterPlaylist) throw new Error('expected a media playlist');
  return playlist;
}

export function parseMultivariant(text: string): ParsedMultivariant {
  const playlist = strict(text);
  if (!playlist.isMasterPlaylist) throw new Error('expected a multivariant playlist');
  return playlist;
}
