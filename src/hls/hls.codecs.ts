/**
 * What HLS needs to know of a Flow's media from its metadata alone (no media is read): the
 * segment format its `container` names, and the RFC 6381 codec string of its `codec` and
 * essence parameters, when they say enough to write one exactly.
 */

/** Segment formats HLS plays (RFC 8216 §3): MPEG-TS, fragmented MP4, WebVTT subtitles. */
export type SegmentFormat = 'mpegts' | 'fmp4' | 'webvtt';

const FORMATS: Record<string, SegmentFormat> = {
  'video/mp2t': 'mpegts',
  'audio/mp2t': 'mpegts',
  'video/mp4': 'fmp4',
  'audio/mp4': 'fmp4',
  'application/mp4': 'fmp4',
  'video/iso.segment': 'fmp4',
  'audio/iso.segment': 'fmp4',
  'text/vtt': 'webvtt',
};

/** The segment format of a Flow's `container` (a MIME type, parameters ignored), if HLS plays it. */
export function segmentFormat(container: string | undefined): SegmentFormat | undefined {
  if (container === undefined) return undefined;
  return FORMATS[container.split(';')[0]?.trim().toLowerCase() ?? ''];
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function byte(value: unknown): string | undefined {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 255
    ? value.toString(16).toUpperCase().padStart(2, '0')
    : undefined;
}

/** Fixed strings of codecs whose string carries no parameter. */
const PLAIN: Record<string, string> = { 'audio/ac3': 'ac-3', 'audio/eac3': 'ec-3', 'audio/opus': 'opus' };

/**
 * The codec string of a Flow: `avc1.PPCCLL` from H.264 `avc_parameters` (profile, constraint
 * flags, level), `mp4a.40.N` from AAC's `codec_parameters.mp4_oti` (its MPEG-4 audio object
 * type), the fixed strings of AC-3, E-AC-3 and Opus. Undefined when the metadata does not say
 * enough: a wrong codec string makes players refuse media they could play.
 */
export function codecString(codec: string | undefined, essence: unknown): string | undefined {
  const type = codec?.toLowerCase();
  if (type === undefined) return undefined;
  const params = record(essence);
  if (type === 'video/h264' || type === 'video/avc') {
    const avc = record(params?.avc_parameters);
    const [profile, flags, level] = [byte(avc?.profile), byte(avc?.flags), byte(avc?.level)];
    return profile && flags && level ? `avc1.${profile}${flags}${level}` : undefined;
  }
  if (type === 'audio/aac' || type === 'audio/mp4a-latm') {
    const oti = record(params?.codec_parameters)?.mp4_oti;
    return typeof oti === 'number' && Number.isInteger(oti) && oti > 0 ? `mp4a.40.${oti}` : undefined;
  }
  return PLAIN[type];
}
