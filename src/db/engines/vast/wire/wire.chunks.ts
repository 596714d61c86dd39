/**
 * A queue of received chunks read as one byte sequence, without joining them: only what is asked
 * for is copied, and only when it spans chunks.
 */
export class ChunkQueue {
  private readonly chunks: Uint8Array[] = [];
  private head = 0;
  private size = 0;

  get available(): number {
    return this.size;
  }

  push(chunk: Uint8Array): void {
    if (chunk.byteLength === 0) return;
    this.chunks.push(chunk);
    this.size += chunk.byteLength;
  }

  /** `n` bytes from `at` (relative to the read position), not consumed. */
  peek(at: number, n: number): Uint8Array {
    if (at + n > this.size) throw new RangeError('peek past the queued bytes');
    let skip = this.head + at;
    let i = 0;
    while (skip >= (this.chunks[i] as Uint8Array).byteLength) {
      skip -= (this.chunks[i] as Uint8Array).byteLength;
      i++;
    }
    const first = this.chunks[i] as Uint8Array;
    if (skip + n <= first.byteLength) return first.subarray(skip, skip + n);
    const out = new Uint8Array(n);
    let filled = 0;
    while (filled < n) {
      const c = this.chunks[i++] as Uint8Array;
      const part = c.subarray(skip, Math.min(c.byteLength, skip + n - filled));
      out.set(part, filled);
      filled += part.byteLength;
      skip = 0;
    }
    return out;
  }

  u32(at: number): number {
    const b = this.peek(at, 4);
    return new DataView(b.buffer, b.byteOffset, 4).getUint32(0, true);
  }

  u64(at: number): bigint {
    const b = this.peek(at, 8);
    return new DataView(b.buffer, b.byteOffset, 8).getBigUint64(0, true);
  }

  /** Takes `n` bytes off the front. */
  take(n: number): Uint8Array {
    const out = this.peek(0, n);
    this.skip(n);
    return out;
  }

  skip(n: number): void {
    this.size -= n;
    let left = this.head + n;
    while (this.chunks.length > 0 && left >= (this.chunks[0] as Uint8Array).byteLength) {
      left -= (this.chunks.shift() as Uint8Array).byteLength;
    }
    this.head = left;
  }

  clear(): void {
    this.chunks.length = 0;
    this.head = 0;
    this.size = 0;
  }
}
