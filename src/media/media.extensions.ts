/**
 * File extensions for media URLs. Object keys have none, and some clients judge media by its URL
 * path: ffmpeg's HLS demuxer (so ffplay and mpv) refuses segments whose path does not end in an
 * extension of their format. A backend that serves its own URLs (fs) can add one to the path
 * (UrlContext.extension) without changing the key; S3 cannot, its path is the key.
 */

/** The extension of each container (a MIME type, as a Flow's `container` names it). */
const BY_CONTAINER: Readonly<Record<string, string>> = {
  'video/mp2t': '.ts',
  'audio/mp2t': '.ts',
  'video/mp4': '.mp4',
  'application/mp4': '.mp4',
  'audio/mp4': '.m4a',
  'video/iso.segment': '.m4s',
  'audio/iso.segment': '.m4s',
  'audio/aac': '.aac',
  'text/vtt': '.vtt',
};

/** Every extension a media URL may carry: the only suffixes a backend takes off a URL path. */
export const MEDIA_EXTENSIONS: ReadonlySet<string> = new Set(Object.values(BY_CONTAINER));

/** The extension for a container (parameters ignored), or undefined for one without. */
export function containerExtension(container: string | undefined): string | undefined {
  if (container === undefined) return undefined;
  return BY_CONTAINER[container.split(';')[0]?.trim().toLowerCase() ?? ''];
}

/** `path` without a media extension it ends in, or undefined when it ends in none. */
export function withoutMediaExtension(path: string): string | undefined {
  const dot = path.lastIndexOf('.');
  if (dot <= 0 || path.charCodeAt(dot - 1) === 47 /* '/' */) return undefined;
  return MEDIA_EXTENSIONS.has(path.slice(dot)) ? path.slice(0, dot) : undefined;
}
