/**
 * Packed postings and vectors, as base64 text (a string column reads and writes the same on every
 * engine; VAST's wire has no binary type here).
 *
 * Postings: LEB128 varints, per posting the document number's gap from the previous one (the
 * first from 0), the term's frequency in the document and the document's length in tokens (BM25
 * needs both, and reading the length here spares a read of the documents).
 *
 * Vectors: a varint count n, n document-number gaps, then n int8 vectors of `dims` components,
 * then n float32 scales (little-endian): component i of vector j is q[j][i] * scale[j] / 127.
 * Unit-length embeddings quantized per vector keep cosine similarities within ~1e-3.
 */

export interface Posting {
  doc: number;
  tf: number;
  length: number;
}

class Writer {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity: number) {
    this.buf = new Uint8Array(Math.max(16, capacity));
  }

  private ensure(extra: number): void {
    if (this.length + extra <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + extra));
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  varint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`varint out of range: ${value}`);
    this.ensure(8);
    let v = value;
    while (v >= 0x80) {
      this.buf[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buf[this.length++] = v;
  }

  bytes(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.buf.set(bytes, this.length);
    this.length += bytes.length;
  }

  base64(): string {
    return Buffer.from(this.buf.buffer, this.buf.byteOffset, this.length).toString('base64');
  }
}

class Reader {
  pos = 0;
  constructor(readonly buf: Uint8Array) {}

  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = this.buf[this.pos++];
      if (byte === undefined) throw new RangeError('packed data ends inside a number');
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 0x80;
      if (scale > 2 ** 56) throw new RangeError('packed number too long');
    }
  }
}

/** Packs postings sorted by document number (ascending, no repeats). */
export function encodePostings(postings: readonly Posting[]): string {
  const w = new Writer(postings.length * 3);
  let previous = 0;
  for (const p of postings) {
    if (p.doc < previous || (p.doc === previous && previous !== 0)) {
      throw new RangeError('postings must be sorted by document number');
    }
    w.varint(p.doc - previous);
    w.varint(p.tf);
    w.varint(p.length);
    previous = p.doc;
  }
  return w.base64();
}

/** Calls `visit` for each posting of `packed`, in document order. */
export function decodePostings(
  packed: string,
  visit: (doc: number, tf: number, length: number) => void,
): void {
  const r = new Reader(Buffer.from(packed, 'base64'));
  let doc = 0;
  while (r.pos < r.buf.length) {
    doc += r.varint();
    const tf = r.varint();
    visit(doc, tf, r.varint());
  }
}

export interface VectorBlock {
  /** Document numbers, ascending. */
  docs: number[];
  /** docs.length * dims quantized components. */
  q: Int8Array;
  scales: Float32Array;
  dims: number;
}

/** A unit vector as int8 components and the scale that restores them. */
export function quantize(vector: Float32Array, into: Int8Array, offset: number): number {
  let max = 0;
  for (let i = 0; i < vector.length; i++) {
    const a = Math.abs(vector[i] as number);
    if (a > max) max = a;
  }
  if (max === 0) {
    into.fill(0, offset, offset + vector.length);
    return 0;
  }
  const k = 127 / max;
  for (let i = 0; i < vector.length; i++) into[offset + i] = Math.round((vector[i] as number) * k);
  return max;
}

export function encodeVectors(block: VectorBlock): string {
  const n = block.docs.length;
  if (block.q.length !== n * block.dims || block.scales.length !== n) {
    throw new RangeError('vector block sizes disagree');
  }
  const w = new Writer(8 + n * (block.dims + 8));
  w.varint(n);
  let previous = 0;
  for (const doc of block.docs) {
    if (doc < previous) throw new RangeError('vector documents must be sorted');
    w.varint(doc - previous);
    previous = doc;
  }
  w.bytes(new Uint8Array(block.q.buffer, block.q.byteOffset, block.q.length));
  const scales = Buffer.alloc(n * 4);
  for (let i = 0; i < n; i++) scales.writeFloatLE(block.scales[i] as number, i * 4);
  w.bytes(scales);
  return w.base64();
}

export function decodeVectors(packed: string, dims: number): VectorBlock {
  const bytes = Buffer.from(packed, 'base64');
  const r = new Reader(bytes);
  const n = r.varint();
  const docs: number[] = new Array(n);
  let doc = 0;
  for (let i = 0; i < n; i++) {
    doc += r.varint();
    docs[i] = doc;
  }
  const end = r.pos + n * dims + n * 4;
  if (end !== bytes.length) throw new RangeError(`vector block of ${n} x ${dims} has ${bytes.length} bytes`);
  const q = new Int8Array(bytes.buffer, bytes.byteOffset + r.pos, n * dims);
  const scales = new Float32Array(n);
  const at = r.pos + n * dims;
  for (let i = 0; i < n; i++) scales[i] = bytes.readFloatLE(at + i * 4);
  return { docs, q, scales, dims };
}

/** Dot product of a float query with quantized vector `j` of a block. */
export function dotQuantized(query: Float32Array, block: VectorBlock, j: number): number {
  const { q, dims } = block;
  const base = j * dims;
  // Four sums the CPU adds in parallel: the loop every semantic query runs tens of thousands of.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let i = 0;
  for (; i + 3 < dims; i += 4) {
    s0 += (query[i] as number) * (q[base + i] as number);
    s1 += (query[i + 1] as number) * (q[base + i + 1] as number);
    s2 += (query[i + 2] as number) * (q[base + i + 2] as number);
    s3 += (query[i + 3] as number) * (q[base + i + 3] as number);
  }
  for (; i < dims; i++) s0 += (query[i] as number) * (q[base + i] as number);
  return ((s0 + s1 + s2 + s3) * (block.scales[j] as number)) / 127;
}

export function encodeFloats(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64');
}

export function decodeFloats(packed: string): Float32Array {
  const bytes = Buffer.from(packed, 'base64');
  const out = new Float32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readFloatLE(i * 4);
  return out;
}

/**
 * A 63-bit hash of a term (two 32-bit FNV-1a lanes with different offsets; non-negative, so it
 * fits int64 on every engine and sorts the same as a bigint and as a column). Collisions are
 * harmless: rows carry the term itself, and readers keep only rows of the terms they asked for.
 */
export function termHash(term: string): bigint {
  let a = 0x811c9dc5;
  let b = 0x050c5d1f;
  for (let i = 0; i < term.length; i++) {
    const c = term.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x01000193) ^ (b >>> 15);
  }
  return (BigInt((a >>> 0) & 0x7fffffff) << 32n) | BigInt(b >>> 0);
}
