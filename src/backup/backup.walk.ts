import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isInternalName, isMissing, isValidKey, sidecarOwner } from '../media/fs/fs.paths.ts';

/** A data file of an fs backend: its key, and whether a sidecar (fs.meta.ts) sits beside it. */
export interface MediaFile {
  key: string;
  sidecar: boolean;
}

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
      if (isMissing(error)) continue;
      throw error;
    }
    const described = new Set<string>();
    for (const entry of entries) {
      const owner = entry.isFile() ? sidecarOwner(entry.name) : undefined;
      if (owner !== undefined) described.add(owner);
    }
    for (const entry of entries) {
      if (isInternalName(entry.name)) continue;
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory()) dirs.push(`${path}/`);
      else if (entry.isFile() && isValidKey(path)) yield { key: path, sidecar: described.has(entry.name) };
    }
  }
}
