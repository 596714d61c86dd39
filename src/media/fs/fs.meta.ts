import { randomUUID } from 'node:crypto';
import type { BigIntStats } from 'node:fs';
import { open, readFile, rename, rm } from 'node:fs/promises';
import { legacySidecarFile, sidecarFile, tempFile } from './fs.paths.ts';

/**
 * What the fs backend remembers about an object beyond its bytes, in a sidecar next to the data
 * file (`<file>~meta-<inode>.json`). The sidecar is named by, and records, the inode of the data
 * file it describes: an upload puts it in place before linking its data file (fs.write.ts), so
 * readers never meet new data without its metadata, and a refused or failed upload never touches
 * the sidecar of the object already at the path. A sidecar whose inode or size does not match
 * the data file (a file put there by other means) is ignored and DEFAULT_META applies.
 */
export interface ObjectMeta {
  contentType: string;
  size: number;
  /** The HTTP ETag, quotes included: the MD5 of the bytes, as S3 computes it for simple PUTs. */
  etag: string;
  ino: string;
}

export const DEFAULT_CONTENT_TYPE = 'application/octet-stream';

function isMeta(value: unknown): value is ObjectMeta {
  if (typeof value !== 'object' || value === null) return false;
  const meta = value as Record<string, unknown>;
  return (
    typeof meta.contentType === 'string' &&
    typeof meta.size === 'number' &&
    typeof meta.etag === 'string' &&
    typeof meta.ino === 'string'
  );
}

async function readJson(file: string): Promise<unknown> {
  try {
    return JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENOENT' ? undefined : null;
  }
}

/** The sidecar of `dataPath` if it describes exactly the file whose stats are `stat`. */
export async function readMeta(dataPath: string, stat: BigIntStats): Promise<ObjectMeta | undefined> {
  const ino = stat.ino.toString();
  let parsed = await readJson(sidecarFile(dataPath, ino));
  // Objects written before sidecars were named by inode have theirs under the old name.
  if (parsed === undefined) parsed = await readJson(legacySidecarFile(dataPath));
  // Missing, half-written or foreign sidecar: the object is still served, with default metadata.
  if (!isMeta(parsed)) return undefined;
  return parsed.ino === ino && BigInt(parsed.size) === stat.size ? parsed : undefined;
}

/** Writes the sidecar of the data file `meta` describes, atomically and durably. */
export async function writeMeta(dataPath: string, meta: ObjectMeta): Promise<string> {
  const target = sidecarFile(dataPath, meta.ino);
  // Named after the data file, not the sidecar: the sidecar's name plus a temp suffix could
  // exceed NAME_MAX.
  const tmp = tempFile(dataPath, randomUUID());
  try {
    const handle = await open(tmp, 'wx', 0o644);
    try {
      await handle.writeFile(JSON.stringify(meta));
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, target);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return target;
}
