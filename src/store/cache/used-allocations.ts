import type { ObjectTimes } from '../objects/object-times.ts';

/**
 * An allocated object that got its first segment, for housekeeping: `times`, what that segment
 * set, to be written to the object's row (undefined after a restart: found from its segments).
 */
export interface UsedAllocation {
  id: string;
  times?: ObjectTimes;
}

/**
 * The allocations used since housekeeping last took them (their allocation rows can go), and the
 * times their first segments set until housekeeping has written them to the objects' rows: reads
 * of those objects meanwhile (an edit re-using them) take them from here rather than from the
 * segments (ObjectsRepo.missingTimes).
 */
export class UsedAllocations {
  private queue: UsedAllocation[] = [];
  private readonly unwritten = new Map<string, ObjectTimes>();

  get length(): number {
    return this.queue.length;
  }

  push(used: readonly UsedAllocation[]): void {
    for (const u of used) {
      this.queue.push(u);
      if (u.times) this.unwritten.set(u.id, u.times);
    }
  }

  /** The oldest `limit`, taken off the queue (their times stay readable until written). */
  take(limit: number): UsedAllocation[] {
    return this.queue.splice(0, limit);
  }

  timesOf(id: string): ObjectTimes | undefined {
    return this.unwritten.get(id);
  }

  /** The objects' rows hold their times now (or they are gone). */
  written(ids: Iterable<string>): void {
    for (const id of ids) this.unwritten.delete(id);
  }

  /** Starts over from `fresh` (a cache rebuilt from the database). */
  reset(fresh: UsedAllocations): void {
    this.queue = [...fresh.queue];
    this.unwritten.clear();
  }
}
