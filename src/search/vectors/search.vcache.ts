import type { VectorBlock } from '../store/search.codec.ts';

/**
 * Decoded vector rows, kept by their identity (index, table, block, cluster), the least recently
 * used dropped past a byte budget.
 *
 * Correct on a shared database too (VAST replicas), not only because one process owns the
 * embedded file: a vector row is never updated, only inserted and deleted, its block number is
 * never given to another row of the same index, and a reindex makes a new index id
 * (search.state.ts). So a row's identity names one content forever; readers still list which
 * rows exist at every query and take from here only the vectors of rows they listed.
 */
export class VectorCache {
  /** Map order is use order: the first entry is the least recently used. */
  private readonly entries = new Map<string, { block: VectorBlock; bytes: number }>();
  private used = 0;

  constructor(readonly maxBytes: number) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.entries.size;
  }

  get(key: string): VectorBlock | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.block;
  }

  /** What a block takes here. */
  static bytesOf(block: VectorBlock): number {
    return block.q.byteLength + block.scales.byteLength + block.docs.length * 8 + 96;
  }

  /** Whether `bytes` more fit without dropping anything. */
  fits(bytes: number): boolean {
    return this.used + bytes <= this.maxBytes;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** Keeps a copy of the block's arrays (a decoded block may be a view into a larger buffer). */
  set(key: string, block: VectorBlock): void {
    const bytes = VectorCache.bytesOf(block);
    if (bytes > this.maxBytes || this.entries.has(key)) return;
    const copy: VectorBlock = {
      docs: [...block.docs],
      q: new Int8Array(block.q),
      scales: new Float32Array(block.scales),
      dims: block.dims,
    };
    this.entries.set(key, { block: copy, bytes });
    this.used += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.used <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.used -= entry.bytes;
    }
  }
}
