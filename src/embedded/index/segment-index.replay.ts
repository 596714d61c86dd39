import type { SegmentKey, SegmentRecord } from '../../store/segments.repo.ts';
import type { FlowSegmentIndex } from './segment-index.flow.ts';

/** A committed segment write, as the store applies it to a Flow's index. */
export type SegmentOp = { insert: readonly SegmentRecord[] } | { remove: readonly SegmentKey[] };

/** Applies committed writes to a loaded index, strictly: an insert that overlaps throws. */
export function applyOps(index: FlowSegmentIndex, ops: readonly SegmentOp[]): void {
  for (const op of ops) {
    if ('insert' in op) index.insert(op.insert);
    else index.remove(op.remove);
  }
}

/**
 * Applies writes logged while the index was being read from the database to the snapshot that
 * read returned, which may already hold some of them (its snapshot lies somewhere in the log):
 * each segment key ends as the last write to it says (an insert puts that segment, a remove
 * takes it away), and a key the log never wrote keeps what the snapshot holds, which is then the
 * state after the whole log. An insert that overlaps another key can only come from a snapshot
 * taken later than a remove the log also holds: it throws, and the caller reloads instead.
 */
export function replayOps(index: FlowSegmentIndex, ops: readonly SegmentOp[]): void {
  for (const op of ops) {
    if (!('insert' in op)) {
      index.remove(op.remove);
      continue;
    }
    // One record at a time: the segment its key holds (this one, if the snapshot has it) gives
    // way to it before the next record goes in. A single upsert of the whole batch is not the
    // same: it would remove every key first, so a record overlapping a segment whose key a later
    // record replaces would go in instead of throwing, and two records of one key would throw.
    for (const record of op.insert) index.upsert([record]);
  }
}
