import { type TimeRange, taiToUtcIso } from '../time/index.ts';

const NS = 1_000_000_000n;
/** Labels longer than this are cut: file systems allow 255 bytes, and the times come after. */
const MAX_LABEL = 80;

/**
 * The label as a file name's first part: accents dropped, every run of other characters than
 * `A-Za-z0-9._-` one `-`, and no `.` or `-` at either end (a hidden file, a shell option).
 */
function slug(label: string): string {
  return label
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .slice(0, MAX_LABEL)
    .replace(/^[-._]+|[-._]+$/g, '');
}

/** `20231114T221321Z`: the UTC second an instant on the TAI timeline falls in. */
function utcBasic(taiNs: bigint): string {
  return `${taiToUtcIso(taiNs).slice(0, 19).replace(/[-:]/g, '')}Z`;
}

/** An ISO 8601 duration, `PT1H2M3.04S`, to the nanosecond (no trailing zeros). */
function isoDuration(ns: bigint): string {
  const whole = ns < 0n ? 0n : ns;
  const total = whole / NS;
  const hours = total / 3600n;
  const minutes = (total % 3600n) / 60n;
  const seconds = total % 60n;
  const fraction = (whole % NS).toString().padStart(9, '0').replace(/0+$/, '');
  const s = fraction === '' ? `${seconds}` : `${seconds}.${fraction}`;
  const parts = `${hours > 0n ? `${hours}H` : ''}${minutes > 0n ? `${minutes}M` : ''}`;
  return `PT${parts}${parts !== '' && s === '0' ? '' : `${s}S`}`;
}

/**
 * The export's file name, made of `A-Za-z0-9._-` only so that a shell, a MAM and any file system
 * take it as it is: the Flow's label as a slug (its id without one), the UTC second the media it
 * holds starts in, and the media's duration: `studio-a_20231114T221321Z_PT3S.ts`.
 */
export function exportFileName(
  flow: { id: string; label?: string },
  covered: TimeRange,
  extension: string,
): string {
  const name = slug(flow.label ?? '') || flow.id;
  const start = covered.start ?? 0n;
  const end = covered.end ?? start;
  return `${name}_${utcBasic(start)}_${isoDuration(end - start)}.${extension}`;
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
