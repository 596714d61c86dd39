import type { TimeRange } from '../time/index.ts';

const NS = 1_000_000_000n;
/** Names longer than this are cut: file systems allow 255 bytes, and the times come after. */
const MAX_LABEL = 80;

/** `1700000037.04` for a TAI timestamp: seconds, and the fraction without trailing zeros. */
function seconds(ns: bigint): string {
  const sign = ns < 0n ? '-' : '';
  const abs = ns < 0n ? -ns : ns;
  const fraction = (abs % NS).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${abs / NS}${fraction === '' ? '' : `.${fraction}`}`;
}

/**
 * The export's file name: the Flow's label (its id without one), then the start and end of the
 * media it holds, in TAI seconds (the timeline's own numbers, so a name tells which part of the
 * Flow it is): `studio-a_1700000037-1700000042.ts`. Characters that file systems or shells treat
 * specially become `_` (the label as it is goes in `filename*`).
 */
export function exportFileName(
  flow: { id: string; label?: string },
  covered: TimeRange,
  extension: string,
): string {
  const label = flow.label?.trim() || flow.id;
  const times = `${seconds(covered.start ?? 0n)}-${seconds(covered.end ?? 0n)}`;
  return `${label.slice(0, MAX_LABEL)}_${times}.${extension}`;
}

/** `attachment` with the name as ASCII (RFC 6266) and, where it differs, as UTF-8 (RFC 8187). */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^A-Za-z0-9._-]+/g, '_');
  if (ascii === fileName) return `attachment; filename="${ascii}"`;
  const utf8 = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${utf8}`;
}
