/**
 * A map that keeps its `max` most recently set entries. For hints: facts last seen in the
 * database that let a request start reads before it has read what they depend on, each checked
 * against what those reads return (a wrong hint costs a read more, never a wrong answer).
 */
export class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();

  constructor(private readonly max = 10_000) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) this.map.delete(this.map.keys().next().value as K);
  }
}
