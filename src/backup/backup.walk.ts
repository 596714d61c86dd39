import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isInternalName, isValidKey, MISSING_CODES } from '../media/fs/fs.paths.ts';

/** A data file of an fs backend: its key, and whether a sidecar (fs.meta.ts) sits beside it. */
export interface MediaFile {
  key: string;
  sidecar: boolean;
}

/** Where the fs backend's sidecar names (`<file>~meta-<inode>.json`, `<file>~meta.json`) start. */
const SIDECAR_MARK = '~meta';

/**
 * Every object file under an fs backend's root, read a directory at a time: a backup visits the
 * files there are, not every object the database names (most may have no bytes). Symbolic links
 * and the backend's own files (temp files, sidecars, probes) are not objects.
 */
export async function* mediaFiles(root: string): AsyncGenerator<MediaFile> {
  const dirs = [''];
  for (let dir = dirs.pop(); dir !== undefined; dir = dirs.pop()) {
    let entries: Dirent[];
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true });
    } catch (error) {
      if (MISSING_CODES.includes((error as NodeJS.ErrnoException).code ?? '')) continue;
      throw error;
    }
    const described = new Set<string>();
    for (const entry of entries) {
      const mark = entry.name.indexOf(SIDECAR_MARK);
      if (mark > 0 && entry.isFile()) described.add(entry.name.slice(0, mark));
    }
    for (const entry of entries) {
      if (isInternalName(entry.name)) continue;
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory()) dirs.push(`${path}/`);
      else if (entry.isFile() && isValidKey(path)) yield { key: path, sidecar: described.has(entry.name) };
    }
  }
}
