/**
 * A bounded map whose entries expire: checked credentials, so the hot path reads memory instead
 * of hashing a token and reading the store (or verifying a JWT signature) per request.
 * Insertion order is age order, so the oldest entry goes first when the map is full.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  /** Keeps `value` until `until` (epoch ms); nothing is kept when that is not in the future. */
  set(key: string, value: V, until: number, now: number): void {
    if (until <= now) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(key, { value, until });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
