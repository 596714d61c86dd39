import { statSync } from 'node:fs';

/**
 * Four times DuckDB's own 16 MiB. Much of a checkpoint's cost is fixed (rewriting each table's
 * tail row group), so under sustained ingest fewer, larger checkpoints cost less per segment:
 * on the 10M bench set, 100,000 bulk segments after a single-POST run made 42,625-52,728/s
 * against 33,961-50,677/s at 16 MiB in four alternating pairs (docs/benchmarks-history.md). The WAL replay
 * after a crash is a small part of a start (48.6 s with a 47.8 MiB WAL, 47.7-54.5 s with none,
 * mostly the segment index).
 */
export const DEFAULT_CHECKPOINT_BYTES = 64 * 2 ** 20;

/**
 * Set as DuckDB's `checkpoint_threshold` so it never checkpoints on its own: an automatic
 * checkpoint runs inside the COMMIT that passes the threshold, and a COMMIT may now run on the
 * event loop's thread (duckdb.engine.ts), where 100-400 ms of checkpoint would stop every request.
 */
export const NEVER = '1000000GB';

/**
 * Checkpoints the database when its WAL has grown past `bytes`, as DuckDB would, but as a write
 * of its own: queued behind the writes already waiting (it holds the writer, since DuckDB stops
 * every commit for a checkpoint's whole length anyway) and run asynchronously, off the thread.
 * `check` is called after every committed write; it costs one stat of the WAL file.
 */
export class Checkpointer {
  private scheduled = false;

  constructor(
    private readonly walPath: string,
    private readonly bytes: number,
    /** Runs the CHECKPOINT as a write (behind the writer's queue). */
    private readonly run: () => Promise<void>,
  ) {}

  check(): void {
    if (this.scheduled || walBytes(this.walPath) < this.bytes) return;
    this.scheduled = true;
    // A failed checkpoint leaves the WAL as it is (DuckDB keeps working from it); the next
    // commit finds it still past the threshold and tries again.
    void this.run()
      .catch(() => {})
      .finally(() => {
        this.scheduled = false;
      });
  }
}

function walBytes(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    // No WAL: everything is checkpointed.
    return 0;
  }
}
