export interface FailureLimits {
  /** Failures allowed before the key is locked; attempts under way count until they end. */
  failures: number;
  /** Attempts under way at most (default: as many as failures are left). */
  concurrent?: number;
  /** The first lock; each failure after it doubles the next one, up to `maxLockMs`. */
  lockMs: number;
  maxLockMs: number;
  /** Failures are forgotten once this long has passed since the last one and no lock remains. */
  windowMs: number;
  /** Keys remembered at most; the least recently active goes first. */
  maxEntries: number;
}

interface Entry {
  failures: number;
  /** Attempts admitted and not yet ended. */
  pending: number;
  lockedUntil: number;
  forgetAt: number;
}

/**
 * Failed attempts per key (a client address, a user name), in a bounded map, so that a spray of
 * keys costs at most `maxEntries` entries. Once a key has `failures` failures it is locked:
 * `lockMs`, doubled by each further failure up to `maxLockMs`; after a lock the key has one
 * attempt at a time until its failures are forgotten.
 */
export class FailureCounter {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly limits: FailureLimits) {}

  /** How long (ms) `key` must wait before an attempt; 0 when it may try now. */
  wait(key: string, now: number): number {
    const entry = this.live(key, now);
    if (entry === undefined) return 0;
    if (entry.lockedUntil > now) return entry.lockedUntil - now;
    const left = Math.max(1, this.limits.failures - entry.failures);
    const allowed = Math.min(left, this.limits.concurrent ?? left);
    // Attempts under way end within a password check or a few: a second is enough to wait.
    return entry.pending >= allowed ? 1000 : 0;
  }

  /** An attempt for `key` begins; `end` must follow. */
  begin(key: string, now: number): void {
    const entry = this.live(key, now) ?? { failures: 0, pending: 0, lockedUntil: 0, forgetAt: 0 };
    entry.pending++;
    this.touch(key, entry);
  }

  end(key: string, failed: boolean, now: number): void {
    const entry = this.live(key, now) ?? { failures: 0, pending: 1, lockedUntil: 0, forgetAt: 0 };
    entry.pending = Math.max(0, entry.pending - 1);
    if (failed) {
      entry.failures++;
      const over = entry.failures - this.limits.failures;
      if (over >= 0) {
        const lock = Math.min(this.limits.maxLockMs, this.limits.lockMs * 2 ** Math.min(over, 30));
        entry.lockedUntil = now + lock;
      }
      entry.forgetAt = Math.max(entry.lockedUntil, now) + this.limits.windowMs;
    }
    if (entry.failures === 0 && entry.pending === 0) this.entries.delete(key);
    else this.touch(key, entry);
  }

  /** Forgets the failures of `key` (attempts under way still end). */
  reset(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    if (entry.pending === 0) this.entries.delete(key);
    else Object.assign(entry, { failures: 0, lockedUntil: 0, forgetAt: 0 });
  }

  get size(): number {
    return this.entries.size;
  }

  private live(key: string, now: number): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.pending === 0 && entry.forgetAt <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  /** Moves `key` to the young end of the map, dropping the oldest entry when the map is full. */
  private touch(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= this.limits.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, entry);
  }
}
