import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The manifest's format; restore and verify refuse another. */
export const BACKUP_FORMAT = 'tams-backup/1';
export const MANIFEST = 'manifest.json';
/** Every file of the backup but the manifest, one JSON object a line (streams for millions of objects). */
export const FILE_LIST = 'files.jsonl';
export const DATABASE_FILE = 'tams.duckdb';
export const MEDIA_DIR = 'media';

/** A file of the backup (a line of files.jsonl), path relative to the backup's directory, `/`-separated. */
export interface BackupFile {
  path: string;
  size: number;
  sha256: string;
  /** Media files: the storage backend and key (storage path) of the object. */
  storage_id?: string;
  key?: string;
  /** Media files: what the fs backend keeps beside the bytes (its sidecar), written again at restore. */
  content_type?: string;
  etag?: string;
  /** Media files: modification time of the original (ms), with size what an incremental backup compares. */
  mtime_ms?: number;
}

/** How each storage backend's objects came into the backup. */
export interface MediaCounts {
  /** Objects the snapshot names on this backend. */
  objects: number;
  /** Hard-linked from the media directory (same filesystem). */
  linked: number;
  /** Copied from the media directory (another filesystem). */
  copied: number;
  /** Taken from the previous backup (`incremental_from`): linked, checksum not computed again. */
  reused: number;
  /** Named by the snapshot but without bytes (allocated, never uploaded). */
  missing: number;
  bytes: number;
}

export interface Manifest {
  format: typeof BACKUP_FORMAT;
  name: string;
  server_version: string;
  /** The store's schema version: the highest migration applied. */
  schema_version: number;
  engine: string;
  started: string;
  finished: string;
  incremental_from: string | null;
  /** How long the server's writes were held while the snapshot was taken (ms). */
  writes_held_ms: number;
  /**
   * Where the time went (ms): the database copied, the snapshot's object list, the media
   * directories walked (and the previous backup's list read), the media placed. Since 1.1.0.
   */
  phases_ms?: { database: number; object_list: number; media_files: number; media: number };
  /** Rows of each table of the snapshot. */
  tables: Record<string, number>;
  /** The fs backends whose objects are in `media/<storage_id>/`. */
  media: Record<string, MediaCounts>;
  /** Backends whose objects are not in the backup (S3: the object store's versioning keeps them). */
  not_included: { storage_id: string; objects: number; reason: string }[];
  /**
   * A portable export of what the server owns instead of a copy of the store (`backup
   * --metadata-only`): each Flow in the export format under `flows/`, the webhooks; no media.
   */
  metadata_only?: boolean;
  /** files.jsonl: its size and SHA-256, so the manifest vouches for every checksum in it. */
  file_list: { files: number; bytes: number; size: number; sha256: string };
}

/** Files up to this size are hashed from one read (most media segments); larger ones streamed. */
const READ_WHOLE = 1 << 22;

/** `size`, where known: a small file is read at once, without a stream's 1 MiB buffer. */
export async function sha256File(path: string, size = Number.POSITIVE_INFINITY): Promise<string> {
  if (size <= READ_WHOLE)
    return createHash('sha256')
      .update(await readFile(path))
      .digest('hex');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class BackupFormatError extends Error {}

/** The backup's manifest, checked to be one this code reads. */
export async function readManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, MANIFEST), 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BackupFormatError(
      code === 'ENOENT'
        ? `${dir} is not a backup: it has no ${MANIFEST}`
        : `cannot read ${join(dir, MANIFEST)}: ${code}`,
    );
  }
  let manifest: Manifest;
  try {
    manifest = JSON.parse(text) as Manifest;
  } catch {
    throw new BackupFormatError(`${join(dir, MANIFEST)} is damaged: not JSON`);
  }
  if (manifest.format !== BACKUP_FORMAT)
    throw new BackupFormatError(
      `${join(dir, MANIFEST)} is of format ${JSON.stringify(manifest.format)}; this version reads ${BACKUP_FORMAT}`,
    );
  return manifest;
}

/** Every line of the backup's file list, parsed (the caller checked the list's checksum first). */
export async function* readFileList(dir: string): AsyncGenerator<BackupFile> {
  const lines = createInterface({
    input: createReadStream(join(dir, FILE_LIST)),
    crlfDelay: Number.POSITIVE_INFINITY,
  });
  for await (const line of lines) if (line !== '') yield JSON.parse(line) as BackupFile;
}
