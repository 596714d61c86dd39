import { lineText, uriText } from './hls.writer.ts';

/** An EXT-X-MEDIA rendition: an audio track or a subtitle track of a group. */
export interface Rendition {
  type: 'AUDIO' | 'SUBTITLES';
  groupId: string;
  name: string;
  uri: string;
  isDefault: boolean;
  language?: string;
  /** Audio channels (CHANNELS). */
  channels?: number;
}

/** An EXT-X-STREAM-INF variant stream. */
export interface Variant {
  uri: string;
  /** Peak segment bit rate, bits/s, its audio rendition's included (RFC 8216 §4.3.4.2). */
  bandwidth: number;
  averageBandwidth?: number;
  /** Every format of the variant and its renditions, or left out when one is unknown. */
  codecs?: string;
  resolution?: { width: number; height: number };
  frameRate?: number;
  audio?: string;
  subtitles?: string;
}

export interface MultivariantPlaylist {
  renditions: readonly Rendition[];
  variants: readonly Variant[];
}

/** A name as a quoted-string: typographic quotes for the ones a quoted-string cannot hold. */
function nameText(name: string): string {
  return lineText(name).replaceAll('"', '\u201d').replaceAll("'", '\u2019');
}

function quoted(value: string): string {
  return `"${value}"`;
}

function mediaLine(r: Rendition): string {
  const attributes = [
    `TYPE=${r.type}`,
    `GROUP-ID=${quoted(r.groupId)}`,
    `NAME=${quoted(r.name)}`,
    `DEFAULT=${r.isDefault ? 'YES' : 'NO'}`,
    // A player picks a rendition by its own preferences only when AUTOSELECT says it may.
    'AUTOSELECT=YES',
  ];
  if (r.language !== undefined) attributes.push(`LANGUAGE=${quoted(nameText(r.language))}`);
  if (r.channels !== undefined) attributes.push(`CHANNELS=${quoted(String(r.channels))}`);
  attributes.push(`URI=${quoted(uriText(r.uri))}`);
  return `#EXT-X-MEDIA:${attributes.join(',')}`;
}

function streamLines(v: Variant): string[] {
  const attributes = [`BANDWIDTH=${Math.max(1, Math.round(v.bandwidth))}`];
  if (v.averageBandwidth !== undefined) {
    attributes.push(`AVERAGE-BANDWIDTH=${Math.max(1, Math.round(v.averageBandwidth))}`);
  }
  if (v.codecs !== undefined) attributes.push(`CODECS=${quoted(v.codecs)}`);
  if (v.resolution) attributes.push(`RESOLUTION=${v.resolution.width}x${v.resolution.height}`);
  if (v.frameRate !== undefined) attributes.push(`FRAME-RATE=${v.frameRate.toFixed(3)}`);
  if (v.audio !== undefined) attributes.push(`AUDIO=${quoted(v.audio)}`);
  if (v.subtitles !== undefined) attributes.push(`SUBTITLES=${quoted(v.subtitles)}`);
  return [`#EXT-X-STREAM-INF:${attributes.join(',')}`, uriText(v.uri)];
}

/**
 * A multivariant playlist (RFC 8216 §4.3.4): the renditions of each group, then the variants.
 * Names are made unique within a group and one rendition per group is the default, as §4.3.4.1.1
 * requires; version 4 is the lowest that knows the attributes written.
 */
export function writeMultivariantPlaylist(playlist: MultivariantPlaylist): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:4'];
  const names = new Map<string, Set<string>>();
  const defaults = new Set<string>();
  for (const rendition of playlist.renditions) {
    const taken = names.get(rendition.groupId) ?? new Set<string>();
    names.set(rendition.groupId, taken);
    let name = nameText(rendition.name);
    for (let n = 2; taken.has(name); n++) name = `${nameText(rendition.name)} (${n})`;
    taken.add(name);
    const isDefault = rendition.isDefault && !defaults.has(rendition.groupId);
    if (isDefault) defaults.add(rendition.groupId);
    lines.push(mediaLine({ ...rendition, name, isDefault }));
  }
  for (const variant of playlist.variants) lines.push(...streamLines(variant));
  return `${lines.join('\n')}\n`;
}
