const DELETED: unique symbol = Symbol('deleted');

/**
 * A Map seen through a transaction: writes are kept aside until `commit` applies them to the
 * base, so nothing outside the transaction sees them before then, while reads inside do.
 * With `direct`, writes go straight to the base (work outside any transaction).
 */
export class OverlayMap<K, V> {
  private readonly pending = new Map<K, V | typeof DELETED>();

  constructor(
    private readonly base: Map<K, V>,
    private readonly direct: boolean,
  ) {}

  get(key: K): V | undefined {
    const v = this.pending.get(key);
    if (v === DELETED) return undefined;
    return v !== undefined ? v : this.base.get(key);
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  set(key: K, value: V): void {
    if (this.direct) this.base.set(key, value);
    else this.pending.set(key, value);
  }

  delete(key: K): void {
    if (this.direct) this.base.delete(key);
    else this.pending.set(key, DELETED);
  }

  *entries(): IterableIterator<[K, V]> {
    for (const [key, value] of this.base) {
      const v = this.pending.get(key);
      if (v === undefined) yield [key, value];
    }
    for (const [key, v] of this.pending) if (v !== DELETED) yield [key, v];
  }

  *values(): IterableIterator<V> {
    for (const [, v] of this.entries()) yield v;
  }

  /**
   * The entries whose value passes `test`, as this view sees them. `candidates` are the base's
   * keys whose values pass it (an index of the base, such as GroupedMap.keysIn): the cost is
   * theirs plus this transaction's own writes, not a pass over the whole map.
   */
  *matching(candidates: Iterable<K>, test: (value: V) => boolean): IterableIterator<[K, V]> {
    for (const key of candidates) {
      if (this.pending.has(key)) continue;
      const v = this.base.get(key);
      if (v !== undefined) yield [key, v];
    }
    for (const [key, v] of this.pending) if (v !== DELETED && test(v)) yield [key, v];
  }

  /** Keys written in this transaction. */
  touched(): K[] {
    return [...this.pending.keys()];
  }

  commit(): void {
    for (const [key, v] of this.pending) {
      if (v === DELETED) this.base.delete(key);
      else this.base.set(key, v);
    }
    this.pending.clear();
  }
}
