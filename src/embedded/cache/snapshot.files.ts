import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
} from 'node:fs';
import { type FileHandle, open, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SUFFIX = '.tsi';
const CLEAN = 'clean-stop.json';
/** Flow ids are UUIDs; anything else never names a file. */
const SAFE_ID = /^[0-9A-Za-z-]{1,64}$/;

/** What the last clean stop left: the Flows whose snapshots lack writes (all others are exact). */
export interface CleanStop {
  stale: string[];
}

/**
 * The directory of segment index snapshots, one file per Flow (`<flow id>.tsi`), written to a
 * temporary name and renamed into place, so a reader sees a whole old or a whole new file. A
 * removal is made durable at once (the directory is synced): a snapshot that came back after a
 * power cut would hold segments since deleted. A torn write is caught by the snapshot's checksum.
 */
export class SnapshotFiles {
  private readonly present = new Set<string>();
  private counter = 0;

  private constructor(readonly dir: string) {}

  /** Opens (creates) the directory; leftovers of writes cut short are removed. */
  static open(dir: string): SnapshotFiles {
    mkdirSync(dir, { recursive: true });
    const files = new SnapshotFiles(dir);
    for (const name of readdirSync(dir)) {
      if (name.endsWith(SUFFIX)) files.present.add(name.slice(0, -SUFFIX.length));
      else if (name.includes('.tmp')) unlinkSync(join(dir, name));
    }
    return files;
  }

  static accepts(flowId: string): boolean {
    return SAFE_ID.test(flowId);
  }

  has(flowId: string): boolean {
    return this.present.has(flowId);
  }

  /** The Flows that have a snapshot. */
  flows(): string[] {
    return [...this.present];
  }

  /** How many Flows have a snapshot (without copying them, as flows() does). */
  get count(): number {
    return this.present.size;
  }

  /**
   * Reads the Flow's snapshot into `into` if it fits, else into a new buffer: the bytes are a
   * view of the returned `buffer`, valid until it is read into again.
   */
  async readInto(flowId: string, into: Buffer): Promise<{ bytes: Buffer; buffer: Buffer } | undefined> {
    if (!this.present.has(flowId)) return undefined;
    let handle: FileHandle | undefined;
    try {
      handle = await open(this.path(flowId), 'r');
      const { size } = await handle.stat();
      const buffer = size <= into.length ? into : Buffer.allocUnsafeSlow(size);
      let at = 0;
      while (at < size) {
        const { bytesRead } = await handle.read(buffer, at, size - at, at);
        // Shorter than its size said (replaced meanwhile): the checksum refuses what was read.
        if (bytesRead === 0) break;
        at += bytesRead;
      }
      return { bytes: buffer.subarray(0, at), buffer };
    } catch {
      return undefined;
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  /**
   * Writes the snapshot; it replaces the Flow's file only if `stillValid()` holds just before
   * (checked and renamed in one turn of the event loop, so no removal slips in between).
   */
  async write(flowId: string, bytes: Uint8Array, stillValid: () => boolean): Promise<boolean> {
    if (!SnapshotFiles.accepts(flowId)) return false;
    const tmp = join(this.dir, `${flowId}.tmp${this.counter++}`);
    try {
      await writeFile(tmp, bytes);
    } catch (error) {
      await rm(tmp, { force: true });
      throw error;
    }
    if (!stillValid()) {
      await rm(tmp, { force: true });
      return false;
    }
    renameSync(tmp, this.path(flowId));
    this.present.add(flowId);
    return true;
  }

  /** Removes the Flow's snapshot, durably, before the caller goes on. */
  remove(flowId: string): void {
    if (!this.present.delete(flowId)) return;
    try {
      unlinkSync(this.path(flowId));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.syncDir();
  }

  /** Reads and removes what the last clean stop wrote (undefined: the last stop was not clean). */
  takeCleanStop(): CleanStop | undefined {
    const path = join(this.dir, CLEAN);
    let clean: CleanStop | undefined;
    try {
      const parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<CleanStop>;
      if (Array.isArray(parsed.stale)) clean = { stale: parsed.stale.filter((s) => typeof s === 'string') };
    } catch {
      return undefined;
    }
    unlinkSync(path);
    this.syncDir();
    return clean;
  }

  /** The last thing a clean stop writes (see takeCleanStop). */
  async writeCleanStop(clean: CleanStop): Promise<void> {
    const tmp = join(this.dir, `${CLEAN}.tmp`);
    await writeFile(tmp, JSON.stringify(clean), { flush: true });
    renameSync(tmp, join(this.dir, CLEAN));
    this.syncDir();
  }

  private path(flowId: string): string {
    return join(this.dir, flowId + SUFFIX);
  }

  /** Makes renames and removals durable; a directory gone (removed under the server) has nothing to sync. */
  private syncDir(): void {
    let fd: number;
    try {
      fd = openSync(this.dir, 'r');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
