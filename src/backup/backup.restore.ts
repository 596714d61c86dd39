import { constants } from 'node:fs';
import { copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeMeta } from '../media/fs/fs.meta.ts';
import { DATABASE_FILE, type Manifest, readFileList } from './backup.manifest.ts';
import { checkBackup } from './backup.verify.ts';

export class RestoreRefused extends Error {}

export interface RestoreTarget {
  /** The data directory to restore into: absent or empty. */
  dataDir: string;
  /** Where each fs backend's objects go (its root under the restored configuration). */
  mediaRoot(storageId: string): string;
}

export interface RestoreReport {
  manifest: Manifest;
  files: number;
  bytes: number;
  /** Media files restored per backend. */
  media: Record<string, { files: number; bytes: number; root: string }>;
}

async function emptyOrAbsent(dir: string): Promise<boolean> {
  const entries = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.length === 0;
}

/**
 * Restores a backup into an empty data directory: every checksum is checked before anything is
 * written (a damaged backup writes nothing), then the database file is copied in and each media
 * object copied under its backend's root (reflinked where the filesystem can), with the fs
 * backend's sidecar (content type, ETag) written for the new file.
 */
export async function restoreBackup(backup: string, target: RestoreTarget): Promise<RestoreReport> {
  if (!(await emptyOrAbsent(target.dataDir)))
    throw new RestoreRefused(`${target.dataDir} is not empty: restore into a new or empty directory`);
  const check = await checkBackup(backup);
  if (check.manifest.metadata_only === true)
    throw new RestoreRefused(
      `${backup} holds the store's metadata only (backup --metadata-only): import its Flows with tams-mgmt import <backup>/flows/<flow id>.jsonl`,
    );
  if (check.problems.length > 0) {
    const shown = check.problems.slice(0, 10).join('; ');
    const more = check.problems.length > 10 ? ` (and ${check.problems.length - 10} more)` : '';
    throw new RestoreRefused(
      `the backup ${backup} is damaged, nothing restored: ${check.problems.length} files do not match its manifest: ${shown}${more}`,
    );
  }
  const roots = new Set(Object.keys(check.manifest.media).map((id) => target.mediaRoot(id)));
  for (const root of roots) {
    if (root.startsWith(`${target.dataDir}/`) || root === target.dataDir) continue;
    if (!(await emptyOrAbsent(root)))
      throw new RestoreRefused(
        `the media directory ${root} is not empty: restore into new or empty directories`,
      );
  }
  await mkdir(target.dataDir, { recursive: true });
  const report: RestoreReport = { manifest: check.manifest, files: 0, bytes: 0, media: {} };
  for await (const file of readFileList(backup)) {
    const from = join(backup, file.path);
    let to: string;
    if (file.path === DATABASE_FILE) to = join(target.dataDir, DATABASE_FILE);
    else if (file.storage_id !== undefined && file.key !== undefined)
      to = join(target.mediaRoot(file.storage_id), file.key);
    else continue;
    await mkdir(dirname(to), { recursive: true });
    await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    if (file.storage_id !== undefined && file.content_type !== undefined && file.etag !== undefined) {
      const { ino } = await stat(to, { bigint: true });
      await writeMeta(to, {
        contentType: file.content_type,
        size: file.size,
        etag: file.etag,
        ino: ino.toString(),
      });
    }
    if (file.storage_id !== undefined) {
      const media = report.media[file.storage_id] ?? {
        files: 0,
        bytes: 0,
        root: target.mediaRoot(file.storage_id),
      };
      media.files++;
      media.bytes += file.size;
      report.media[file.storage_id] = media;
    }
    report.files++;
    report.bytes += file.size;
  }
  return report;
}
