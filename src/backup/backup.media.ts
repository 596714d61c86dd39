import { constants } from 'node:fs';
import { copyFile, link, mkdir, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { readMeta } from '../media/fs/fs.meta.ts';
import { dataFile, isMissing } from '../media/fs/fs.paths.ts';
import { type BackupFile, MEDIA_DIR, type MediaCounts, sha256File } from './backup.manifest.ts';

export function emptyCounts(): MediaCounts {
  return { objects: 0, linked: 0, copied: 0, reused: 0, missing: 0, bytes: 0 };
}

function code(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException).code;
}

/**
 * Puts the objects of one fs backend into `<backup>/media/<storage_id>/<key>`: a hard link where
 * the backup is on the media directory's filesystem (the fs backend writes each file once and
 * never changes it: a new upload is a new file linked in place), else a copy; an object the
 * previous backup holds unchanged (same key, size and modification time) is linked from there,
 * with its checksum, without reading it again.
 */
export class MediaCopier {
  readonly counts: MediaCounts = emptyCounts();
  /** Cleared at the first link refused across filesystems: the rest are copied. */
  private linking = true;
  /** Directories of the backup made already (most objects share theirs with others). */
  private readonly made = new Set<string>();

  /** `previous`: the directory of the backup an incremental one reuses files from. */
  constructor(
    private readonly storageId: string,
    private readonly root: string,
    private readonly backup: string,
    private readonly previous?: string,
  ) {}

  /**
   * One object whose data file the media directory holds (`sidecar`: with a sidecar beside it);
   * `before`: the previous backup's file of it. Undefined when its bytes went meanwhile.
   */
  async add(key: string, sidecar: boolean, before?: BackupFile): Promise<BackupFile | undefined> {
    const source = dataFile(this.root, key);
    const path = `${MEDIA_DIR}/${this.storageId}/${key}`;
    const target = join(this.backup, path);
    const stats = await stat(source, { bigint: true }).catch((error: unknown) => {
      if (isMissing(error)) return undefined;
      throw error;
    });
    if (stats === undefined) {
      this.counts.missing++;
      return undefined;
    }
    const dir = dirname(target);
    if (!this.made.has(dir)) {
      await mkdir(dir, { recursive: true });
      this.made.add(dir);
    }
    const size = Number(stats.size);
    const mtime = Number(stats.mtimeNs / 1_000_000n);
    const meta = sidecar ? await readMeta(source, stats) : undefined;
    const described = {
      path,
      size,
      storage_id: this.storageId,
      key,
      ...(meta && { content_type: meta.contentType, etag: meta.etag }),
      mtime_ms: mtime,
    };
    if (before && this.previous !== undefined && before.size === size && before.mtime_ms === mtime) {
      const reused = await this.place(join(this.previous, path), target, true);
      if (reused === 'linked') {
        this.counts.reused++;
        this.counts.bytes += size;
        return { ...described, sha256: before.sha256 };
      }
      if (reused === undefined) return undefined;
    }
    const how = await this.place(source, target, false);
    if (how === undefined) return undefined;
    if (how === 'linked') this.counts.linked++;
    else this.counts.copied++;
    this.counts.bytes += size;
    return { ...described, sha256: await sha256File(target, size) };
  }

  /**
   * Links (or copies) `from` to `to`: undefined when `to` exists already (the object named twice
   * by the snapshot's rows); `linkOnly`: 'missing' rather than a copy when no link can be made
   * (the previous backup's file is gone).
   */
  private async place(
    from: string,
    to: string,
    linkOnly: boolean,
  ): Promise<'linked' | 'copied' | 'missing' | undefined> {
    if (this.linking || linkOnly) {
      try {
        await link(from, to);
        return 'linked';
      } catch (error) {
        if (code(error) === 'EEXIST') return undefined;
        if (linkOnly) return 'missing';
        if (code(error) !== 'EXDEV' && code(error) !== 'EPERM') throw error;
        this.linking = false;
      }
    }
    try {
      await copyFile(from, to, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
      return 'copied';
    } catch (error) {
      if (code(error) === 'EEXIST') return undefined;
      throw error;
    }
  }
}
