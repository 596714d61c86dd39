import { join } from 'node:path';

/**
 * Storage paths (keys) of the fs backend. Keys are server generated (`ab/cd/<uuid>`); the strict
 * charset is what keeps every key inside `root`: no `..`, no absolute paths, no separators other
 * than `/`, no percent-encoding to undo. `~` is not in the charset, so the backend's own files
 * (sidecars, temp files, probes) carry it in their names and can never collide with a key.
 */
const SEGMENT = /^[A-Za-z0-9._-]+$/;
/**
 * Leaves room under NAME_MAX (255) for the sidecar suffix (`~meta-<inode>.json`, up to 31
 * characters) and the temp suffix (`~<uuid>.tmp`, 41).
 */
const MAX_SEGMENT = 200;
const MAX_KEY = 1024;
const INTERNAL_MARK = '~';
const LEGACY_SIDECAR_SUFFIX = '~meta.json';

function validSegment(segment: string): boolean {
  return (
    segment.length > 0 &&
    segment.length <= MAX_SEGMENT &&
    segment !== '.' &&
    segment !== '..' &&
    SEGMENT.test(segment)
  );
}

/**
 * One pass for the common case: segments of 1..200 characters of the charset, none `.` or `..`.
 * Checked on every presigned URL, so it avoids splitting the key.
 */
const KEY = /^(?!\.{1,2}(?:\/|$))(?!.*\/\.{1,2}(?:\/|$))[A-Za-z0-9._-]{1,200}(?:\/[A-Za-z0-9._-]{1,200})*$/;

/** The errors of a file operation that mean the key has no file (a missing part of its path, a link loop). */
export const MISSING_CODES: readonly string[] = ['ENOENT', 'ENOTDIR', 'ELOOP'];

/** Whether a file operation's error means there is no file there (MISSING_CODES). */
export function isMissing(error: unknown): boolean {
  return MISSING_CODES.includes((error as NodeJS.ErrnoException).code ?? '');
}

/** isValidKey's rule as data, for a thread that checks keys itself (fs.sizes.ts). */
export const KEY_RULE = { pattern: KEY.source, maxLength: MAX_KEY } as const;

export function isValidKey(key: string): boolean {
  return key.length <= MAX_KEY && KEY.test(key);
}

/** A list prefix: like a key, but it may be empty, end with `/`, or end mid-segment. */
export function isValidPrefix(prefix: string): boolean {
  if (prefix === '') return true;
  if (prefix.length > MAX_KEY) return false;
  const segments = prefix.split('/');
  if (segments.at(-1) === '') segments.pop();
  return segments.every(validSegment);
}

export function assertKey(key: string): void {
  if (!isValidKey(key)) throw new Error(`invalid storage path ${JSON.stringify(key)}`);
}

/** The data file of a (valid) key. */
export function dataFile(root: string, key: string): string {
  return join(root, key);
}

/**
 * The sidecar of the data file whose inode is `ino`. Named by inode so that an upload can put its
 * sidecar in place before its data (readers never meet data without its metadata) without
 * touching the sidecar of an object already at that path.
 */
export function sidecarFile(dataPath: string, ino: string): string {
  return `${dataPath}${INTERNAL_MARK}meta-${ino}.json`;
}

/** A sidecar's name (sidecarFile, legacySidecarFile): `<data file>~meta-<inode>.json` or `<data file>~meta.json`. */
const SIDECAR_NAME = /^(.+)~meta(?:-\d+)?\.json$/;

/** The name of the data file a directory entry named `name` is the sidecar of; undefined when it is none. */
export function sidecarOwner(name: string): string | undefined {
  return SIDECAR_NAME.exec(name)?.[1];
}

/** The sidecar name of objects written before sidecars were named by inode. */
export function legacySidecarFile(dataPath: string): string {
  return `${dataPath}${LEGACY_SIDECAR_SUFFIX}`;
}

/** A temp file next to its target, so the final rename never crosses a filesystem. */
export function tempFile(target: string, nonce: string): string {
  return `${target}${INTERNAL_MARK}${nonce}.tmp`;
}

/** Whether a directory entry is the backend's own file rather than an object. */
export function isInternalName(name: string): boolean {
  return name.includes(INTERNAL_MARK);
}

export function internalName(label: string): string {
  return `${INTERNAL_MARK}${label}`;
}
