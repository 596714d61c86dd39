import { statfsSync } from 'node:fs';
import { type StorageFailure, storageFailureOf } from '../../../common/storage.ts';
import { DbStorageError } from '../../db.errors.ts';

/** The backend as the API names it to clients. */
const BACKEND = 'DuckDB';
/** How often a disk that refused a write is tried again. */
const PROBE_MS = 1000;
/** A full disk is tried again once this much of it is free (a share of it, within bounds). */
const ROOM_SHARE = 0.01;
const ROOM_MIN = 2 ** 20;
const ROOM_MAX = 256 * 2 ** 20;

/** DuckDB's wording of a failed write of its files (the system's message inside its own). */
const DUCKDB_WORDS: readonly [RegExp, StorageFailure][] = [
  [/No space left on device/i, 'full'],
  [/Disk quota exceeded/i, 'quota'],
  [/Read-only file system/i, 'read_only'],
  // After some failed writes DuckDB refuses everything until the process restarts.
  [/Input\/output error|database has been invalidated/i, 'io'],
];

/** `error` as a storage failure (DbStorageError), from the journal's writes or DuckDB's words; else undefined. */
export function storageErrorOf(error: unknown): DbStorageError | undefined {
  if (error instanceof DbStorageError) return error;
  const message = error instanceof Error ? error.message : String(error);
  const failure = storageFailureOf(error) ?? DUCKDB_WORDS.find(([words]) => words.test(message))?.[1];
  return failure === undefined ? undefined : new DbStorageError(failure, BACKEND, message);
}

/**
 * Whether the engine takes writes. A write that fails because the disk is full, over quota,
 * read-only or failing makes every later write fail at once with the same DbStorageError,
 * instead of starting work that cannot commit (a failed commit makes the store rebuild its
 * cache, and each refused write would again); reads go on. Every PROBE_MS the engine's `probe`
 * (a small write: what the journal holds, or its marker) tries the disk again, once a full one
 * has room, and writes are taken again when it passes.
 */
export class StorageGuard {
  private problem: DbStorageError | undefined;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(
    /** The directory of the database's files; undefined in memory (no disk to run out of). */
    private readonly dir: string | undefined,
    private readonly probe: () => Promise<void>,
  ) {}

  /** Why writes are refused, while they are. */
  get refused(): DbStorageError | undefined {
    return this.problem;
  }

  /** Throws while writes are refused. */
  check(): void {
    if (this.problem) throw this.problem;
  }

  /**
   * What a write that failed with `error` should throw: a storage failure (as DbStorageError,
   * from now on refusing writes until the probe passes), or `error` itself.
   */
  failed(error: unknown): unknown {
    const storage = storageErrorOf(error);
    if (storage === undefined) return error;
    if (this.problem === undefined) {
      this.problem = storage;
      this.schedule();
    }
    return storage;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => void this.tryAgain(), PROBE_MS);
    // Nothing else to do: a tool about to exit does not wait for it.
    this.timer.unref();
  }

  private async tryAgain(): Promise<void> {
    this.timer = undefined;
    if (this.closed || this.problem === undefined) return;
    if (this.problem.failure === 'full' && !this.roomy()) return this.schedule();
    try {
      await this.probe();
      this.problem = undefined;
    } catch (error) {
      const storage = storageErrorOf(error);
      // Anything else (the engine closing) ends the probing.
      if (storage === undefined) return;
      this.problem = storage;
      this.schedule();
    }
  }

  /** Whether the full disk has room again (statfs: blocks free to this process). */
  private roomy(): boolean {
    if (this.dir === undefined) return true;
    try {
      const fs = statfsSync(this.dir);
      const room = Math.min(ROOM_MAX, Math.max(ROOM_MIN, fs.blocks * fs.bsize * ROOM_SHARE));
      return fs.bavail * fs.bsize >= room;
    } catch {
      return true;
    }
  }
}
