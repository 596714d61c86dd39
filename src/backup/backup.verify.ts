import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { FILE_LIST, type Manifest, readFileList, readManifest, sha256File } from './backup.manifest.ts';

/** What a check of a backup found: each file whose bytes are not those its manifest records. */
export interface BackupCheck {
  manifest: Manifest;
  files: number;
  bytes: number;
  /** `<path>: <what is wrong>`, every one. */
  problems: string[];
}

/**
 * Checks a backup against its manifest: the file list's own checksum first (the manifest vouches
 * for it), then the size and SHA-256 of every file it lists. Reads everything, changes nothing.
 * `each` is told of every file checked (a progress bar).
 */
export async function checkBackup(dir: string, each?: (bytes: number) => void): Promise<BackupCheck> {
  const manifest = await readManifest(dir);
  const check: BackupCheck = { manifest, files: 0, bytes: 0, problems: [] };
  const listed = await fileProblem(join(dir, FILE_LIST), manifest.file_list.size, manifest.file_list.sha256);
  if (listed !== undefined) {
    check.problems.push(`${FILE_LIST}: ${listed}`);
    return check;
  }
  for await (const file of readFileList(dir)) {
    check.files++;
    check.bytes += file.size;
    const problem = await fileProblem(join(dir, file.path), file.size, file.sha256);
    if (problem !== undefined) check.problems.push(`${file.path}: ${problem}`);
    each?.(file.size);
  }
  if (check.files !== manifest.file_list.files)
    check.problems.push(
      `${FILE_LIST}: ${check.files} files listed, the manifest says ${manifest.file_list.files}`,
    );
  return check;
}

async function fileProblem(path: string, size: number, sha256: string): Promise<string | undefined> {
  const stats = await stat(path).catch(() => undefined);
  if (stats === undefined) return 'missing';
  if (stats.size !== size) return `${stats.size} bytes, the manifest says ${size}`;
  const actual = await sha256File(path);
  return actual === sha256 ? undefined : `SHA-256 ${actual}, the manifest says ${sha256}`;
}
