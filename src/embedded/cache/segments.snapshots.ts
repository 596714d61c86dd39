import { setImmediate as nextTurn } from 'node:timers/promises';
import type { SegmentRecord } from '../../store/segments.repo.ts';
import { loadCapacity } from '../index/segment-index.columns.ts';
import type { FlowSegmentIndex } from '../index/segment-index.flow.ts';
import type { BatchReader, SegmentIndex } from '../index/segment-index.registry.ts';
import { decodeSnapshot, encodeSnapshot, type Snapshot } from '../index/segment-index.snapshot.ts';
import { SnapshotFiles } from './snapshot.files.ts';

/** Snapshot files a load reads at once (libuv's default thread pool has four threads). */
const READS_AT_ONCE = 4;

/** Read buffers kept for reuse: enough for both of the loader's lanes reading at once. */
const SCRATCH_POOL = 2 * READS_AT_ONCE;

/**
 * A read buffer larger than this is let go after its read: it was for a Flow of ~150,000
 * segments or more, rare enough that keeping its memory between loads is not worth it.
 */
const SCRATCH_KEEP_BYTES = 8 * 1024 * 1024;

/** What loads read from the database besides snapshots. */
export interface SnapshotSource {
  scanFlows: BatchReader;
  writtenSince(flowIds: readonly string[], seq: bigint): Promise<Map<string, SegmentRecord[]>>;
}

interface Job {
  bytes: Buffer;
  /** The Flow's generation when taken: a removal since makes the job stale. */
  generation: number;
  failed: () => void;
}

export interface SnapshotStats {
  /** Snapshots written since start. */
  written: number;
  writeFailures: number;
  /** Snapshots read back that could not be used (checksum, Flow, storage ids). */
  rejected: number;
  /** Flows with a snapshot. */
  files: number;
}

/**
 * Snapshots of Flows' segment indexes (segment-index.snapshot.ts) in a directory beside the
 * database, so a Flow loads by reading its file and the segment rows written after it (their
 * write sequence is above the snapshot's) instead of scanning the segments table.
 *
 * Correct because every change reaches a snapshot's reader one way or another:
 * - an insert carries a higher write sequence than any snapshot taken before it settles
 *   (SegmentIndex.stableSeq), so a load reads it with the rows written since;
 * - a deletion removes the Flow's file before its transaction commits and keeps new snapshots
 *   of the Flow from being taken or written until it settles (generation, deleting);
 * - a snapshot is only taken of an index that holds no write still committing (SegmentIndex.save).
 * Loads skip the read of rows written since when none can exist: the snapshot was written this
 * run, or is listed exact by the last clean stop, and the Flow was not written since (unsaved).
 */
export class SegmentSnapshots {
  /** Bumped by every removal of the Flow's snapshot (see Job.generation). */
  private readonly generations = new Map<string, number>();
  /** Flows with a deletion under way, per transaction. */
  private readonly deleting = new Map<object, Set<string>>();
  /** Snapshots taken and not yet written: loads read these first. */
  private readonly pending = new Map<string, Job>();
  private writing: Promise<void> | undefined;
  /** Flows whose file is known to hold every write up to its sequence (this run's, or clean-stop exact). */
  private readonly exact = new Set<string>();
  /** From the last clean stop: the Flows whose files lack writes; undefined after any other stop. */
  private readonly staleAtStart: ReadonlySet<string> | undefined;
  /** Read buffers not in use (see loadOne), at most SCRATCH_POOL. */
  private readonly scratch: Buffer[] = [];
  private written = 0;
  private writeFailures = 0;
  private rejected = 0;

  constructor(
    private readonly files: SnapshotFiles,
    private readonly registry: SegmentIndex,
    private readonly log: { error(obj: object, msg: string): void },
  ) {
    const clean = files.takeCleanStop();
    this.staleAtStart = clean && new Set(clean.stale);
  }

  /** The registry's Saver: encodes now, writes behind. */
  readonly save = (flowId: string, index: FlowSegmentIndex, failed: () => void): boolean => {
    if (!SnapshotFiles.accepts(flowId) || this.isDeleting(flowId)) return false;
    const bytes = encodeSnapshot(index, this.registry.stableSeq());
    this.pending.set(flowId, { bytes, generation: this.generation(flowId), failed });
    this.pump();
    return true;
  };

  /**
   * Segments of the Flow are being deleted by `transaction`: its snapshot goes now, and none is
   * taken or written until settled(transaction).
   */
  deletingIn(flowId: string, transaction: object): void {
    let flows = this.deleting.get(transaction);
    if (!flows) {
      flows = new Set();
      this.deleting.set(transaction, flows);
    }
    flows.add(flowId);
    this.invalidate(flowId);
  }

  settled(transaction: object): void {
    const flows = this.deleting.get(transaction);
    if (!flows) return;
    this.deleting.delete(transaction);
    // A snapshot taken while the deletion was under way (none should be) is not written.
    for (const flowId of flows) this.invalidate(flowId);
  }

  /** Every snapshot may be wrong (a COMMIT failed after the cache took its changes): all go. */
  clear(): void {
    for (const flowId of this.files.flows()) this.invalidate(flowId);
    for (const flowId of this.pending.keys()) this.invalidate(flowId);
  }

  /** Whether the Flow has a snapshot, written or on its way. */
  has(flowId: string): boolean {
    return this.pending.has(flowId) || this.files.has(flowId);
  }

  /** The Flows with a snapshot file. */
  flows(): string[] {
    return this.files.flows();
  }

  /** Removes the Flow's snapshot (the Flow is gone, or its snapshot failed to load). */
  forget(flowId: string): void {
    this.invalidate(flowId);
  }

  /**
   * A BatchReader that starts each Flow from its snapshot where there is a sound one, reading
   * only the rows written since (one read for the batch, or none), and scans for the rest.
   */
  reader(source: SnapshotSource): BatchReader {
    return async (flowIds, onFlow) => {
      const bases = new Map<string, Snapshot>();
      // READS_AT_ONCE files at a time, each into a buffer from a pool kept across batches: a
      // fresh buffer per file doubled what a load allocates outside the heap, and at ~1 MB a Flow
      // the warm-up's loads made V8 collect the whole heap every 100-200 ms (10-40 ms pauses) in
      // the server's first seconds. Each file is decoded when its read completes (~1 ms at 10,000
      // segments), so a request arriving meanwhile waits for a few decodes, not a batch's 32.
      let next = 0;
      const reader = async () => {
        for (let flowId = flowIds[next++]; flowId !== undefined; flowId = flowIds[next++]) {
          const snapshot = await this.loadOne(flowId);
          if (snapshot) bases.set(flowId, snapshot);
        }
      };
      await Promise.all(Array.from({ length: Math.min(READS_AT_ONCE, flowIds.length) }, reader));
      const behind = [...bases].filter(([flowId]) => this.mayLack(flowId));
      let since = new Map<string, SegmentRecord[]>();
      if (behind.length > 0) {
        let from = behind[0]?.[1].seq ?? 0n;
        for (const [, { seq }] of behind) if (seq < from) from = seq;
        since = await source.writtenSince(
          behind.map(([flowId]) => flowId),
          from,
        );
      }
      // A file the read found nothing after holds the Flow as it is: no need to read again.
      for (const [flowId] of behind) if (!since.has(flowId)) this.exact.add(flowId);
      // Read from the lowest sequence of the batch: rows a snapshot holds already come back too,
      // and the upsert that applies them makes a repeated row harmless.
      for (const [flowId, { index }] of bases) onFlow(flowId, since.get(flowId) ?? [], index);
      const rest = flowIds.filter((flowId) => !bases.has(flowId));
      if (rest.length > 0) await source.scanFlows(rest, onFlow);
    };
  }

  /**
   * Takes a snapshot of every Flow in `flowIds` that has none, from one scan of the table per
   * batch, without keeping the indexes: for a database whose Flows have no snapshots yet.
   */
  async backfill(
    flowIds: readonly string[],
    source: SnapshotSource,
    batch: number,
    cancelled: () => boolean,
  ): Promise<number> {
    let taken = 0;
    for (let i = 0; i < flowIds.length && !cancelled(); i += batch) {
      const flows = flowIds.slice(i, i + batch).filter((f) => !this.has(f) && !this.isDeleting(f));
      if (flows.length === 0) continue;
      const seq = this.registry.stableSeq();
      const generations = new Map(flows.map((f) => [f, this.generation(f)]));
      await source.scanFlows(flows, (flowId, segments) => {
        if (this.has(flowId) || this.generation(flowId) !== generations.get(flowId)) return;
        const index = this.registry.build(flowId, segments);
        const bytes = encodeSnapshot(index, seq);
        this.pending.set(flowId, {
          bytes,
          generation: generations.get(flowId) ?? -1,
          failed: () => undefined,
        });
        taken++;
      });
      this.pump();
      await this.idle();
    }
    return taken;
  }

  /** Resolves once every snapshot taken is written (or failed). */
  async idle(): Promise<void> {
    while (this.writing) await this.writing;
  }

  /**
   * A clean stop: every loaded index written since its snapshot is saved, and the Flows whose
   * snapshots still lack writes are listed for the next start.
   */
  async closeClean(): Promise<void> {
    this.registry.saveAll();
    await this.idle();
    const stale = new Set(this.registry.unsavedFlows());
    for (const flowId of this.files.flows()) if (this.mayLackAtStart(flowId)) stale.add(flowId);
    try {
      await this.files.writeCleanStop({ stale: [...stale] });
    } catch (error) {
      // Without it the next start reads the rows written after every snapshot: slower, not wrong.
      this.log.error({ err: error }, 'segment index snapshots: the clean stop was not recorded');
    }
  }

  stats(): SnapshotStats {
    return {
      written: this.written,
      writeFailures: this.writeFailures,
      rejected: this.rejected,
      files: this.files.count,
    };
  }

  /** The Flow's snapshot: the one on its way to the file, or the file's; undefined if none or unsound. */
  private async loadOne(flowId: string): Promise<Snapshot | undefined> {
    const pending = this.pending.get(flowId)?.bytes;
    if (pending) {
      // No read to wait for: a turn of the event loop of its own all the same (see reader).
      await nextTurn();
      return this.decode(flowId, pending);
    }
    let buffer = this.scratch.pop() ?? Buffer.alloc(0);
    try {
      const read = await this.files.readInto(flowId, buffer);
      if (!read) return undefined;
      buffer = read.buffer;
      return this.decode(flowId, read.bytes);
    } finally {
      if (buffer.length <= SCRATCH_KEEP_BYTES && this.scratch.length < SCRATCH_POOL)
        this.scratch.push(buffer);
    }
  }

  private decode(flowId: string, bytes: Uint8Array): Snapshot | undefined {
    const snapshot = decodeSnapshot(bytes, flowId, this.registry.storageIds, loadCapacity);
    if (!snapshot) {
      this.rejected++;
      this.invalidate(flowId);
    }
    return snapshot;
  }

  /** Whether rows of the Flow may exist that its snapshot lacks. */
  private mayLack(flowId: string): boolean {
    return this.registry.unsavedFlows().has(flowId) || this.mayLackAtStart(flowId);
  }

  /** Whether the Flow's file may lack writes made before this run began. */
  private mayLackAtStart(flowId: string): boolean {
    if (this.exact.has(flowId)) return false;
    return this.staleAtStart === undefined || this.staleAtStart.has(flowId);
  }

  private generation(flowId: string): number {
    return this.generations.get(flowId) ?? 0;
  }

  private isDeleting(flowId: string): boolean {
    for (const flows of this.deleting.values()) if (flows.has(flowId)) return true;
    return false;
  }

  private invalidate(flowId: string): void {
    this.generations.set(flowId, this.generation(flowId) + 1);
    this.pending.delete(flowId);
    this.exact.delete(flowId);
    this.files.remove(flowId);
  }

  private pump(): void {
    if (this.writing || this.pending.size === 0) return;
    this.writing = this.drain().finally(() => {
      this.writing = undefined;
      this.pump();
    });
  }

  private async drain(): Promise<void> {
    for (const [flowId, job] of this.pending) {
      const current = () => this.pending.get(flowId) === job && this.generation(flowId) === job.generation;
      try {
        if (await this.files.write(flowId, job.bytes, current)) {
          this.written++;
          this.exact.add(flowId);
        } else if (this.pending.get(flowId) === job) job.failed();
      } catch (error) {
        this.writeFailures++;
        job.failed();
        this.log.error(
          { err: error, flowId },
          'segment index snapshot not written; the Flow loads by a scan',
        );
      }
      if (this.pending.get(flowId) === job) this.pending.delete(flowId);
    }
  }
}
