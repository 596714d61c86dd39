import { quantize, type VectorBlock } from '../store/search.codec.ts';

/**
 * Dot products of a query with int8 vectors, in WebAssembly SIMD: the loop every semantic query
 * runs over tens of thousands of vectors (search.ivf.ts `nearest`). Plain JavaScript does one
 * multiply-add at a time, about 0.5-1 billion a second here; `i32x4.dot_i16x8_s` does eight,
 * about five times faster end to end (copying each block into the module's memory included).
 *
 * The query is quantized to int16, its largest component to `qmax`: 32,767 (a relative error of
 * 1.5e-5 on top of the vectors' int8 one, 1e-3) unless the width is so large that d products of
 * 127 x qmax could pass int32 (past 516 components qmax shrinks to keep the sum within it).
 *
 * The module is a few dozen bytes written out below (no compiler at build or run time); where
 * WebAssembly SIMD is missing, or the width is not a multiple of 16, `Int8Scorer.for` answers
 * undefined and callers score in JavaScript.
 */

/** The module: one function `dots(q, x, n, d, out)` and its memory. */
function moduleBytes(): Uint8Array {
  const I32 = 0x7f;
  const V128 = 0x7b;
  // Parameters 0-4: q (int16[d]), x (int8[n * d]), n, d, out (int32[n]); locals 5-7: j, i, qp
  // (i32); 8-9: acc, xv (v128). One instruction per line, in the text format's words.
  const [Q, X, N, D, OUT, J, I, QP, ACC, XV] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
  const op = {
    block: [0x02, 0x40],
    loop: [0x03, 0x40],
    end: [0x0b],
    br: (depth: number) => [0x0c, depth],
    brIf: (depth: number) => [0x0d, depth],
    get: (local: number) => [0x20, local],
    set: (local: number) => [0x21, local],
    i32Const: (value: number) => [0x41, ...sleb(value)],
    i32Add: [0x6a],
    i32GeU: [0x4f],
    i32Store: [0x36, 2, 0], // align 4, offset 0
    v128Load: (offset: number) => [0xfd, 0x00, 0, ...uleb(offset)],
    v128Zero: [0xfd, 0x0c, ...new Array<number>(16).fill(0)],
    extendLow: [0xfd, ...uleb(0x87)], // i16x8.extend_low_i8x16_s
    extendHigh: [0xfd, ...uleb(0x88)], // i16x8.extend_high_i8x16_s
    dot: [0xfd, ...uleb(0xba)], // i32x4.dot_i16x8_s
    add: [0xfd, ...uleb(0xae)], // i32x4.add
    lane: (i: number) => [0xfd, 0x1b, i], // i32x4.extract_lane
  };
  const increment = (local: number, by: number) => [
    ...op.get(local),
    ...op.i32Const(by),
    ...op.i32Add,
    ...op.set(local),
  ];
  // acc += dot(extend(xv), the 8 int16 of the query at qp + offset)
  const accumulate = (extend: number[], offset: number) => [
    ...op.get(ACC),
    ...op.get(XV),
    ...extend,
    ...op.get(QP),
    ...op.v128Load(offset),
    ...op.dot,
    ...op.add,
    ...op.set(ACC),
  ];
  const sumLanes = [...op.get(ACC), ...op.lane(0)].concat(
    ...[1, 2, 3].map((i) => [...op.get(ACC), ...op.lane(i), ...op.i32Add]),
  );
  const code = [
    ...op.block, // $done
    ...op.loop, // $rows: for j < n
    ...[...op.get(J), ...op.get(N), ...op.i32GeU, ...op.brIf(1)],
    ...[...op.v128Zero, ...op.set(ACC)],
    ...[...op.i32Const(0), ...op.set(I)],
    ...[...op.get(Q), ...op.set(QP)],
    ...op.block, // $end
    ...op.loop, // $cols: for i < d, 16 components a turn
    ...[...op.get(I), ...op.get(D), ...op.i32GeU, ...op.brIf(1)],
    ...[...op.get(X), ...op.v128Load(0), ...op.set(XV)],
    ...accumulate(op.extendLow, 0),
    ...accumulate(op.extendHigh, 16),
    ...increment(X, 16),
    ...increment(QP, 32),
    ...increment(I, 16),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...[...op.get(OUT), ...sumLanes, ...op.i32Store], // out[j] = the four lanes' sum
    ...increment(OUT, 4),
    ...increment(J, 1),
    ...op.br(0),
    ...op.end,
    ...op.end,
    ...op.end, // the function
  ];
  const body = [2, 3, I32, 2, V128, ...code]; // locals: 3 i32, 2 v128
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [s.length, ...Buffer.from(s, 'ascii')];
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [1, 0x60, 5, I32, I32, I32, I32, I32, 0]), // type: (i32 x 5) -> ()
    ...section(3, [1, 0]), // function 0 has type 0
    ...section(5, [1, 0x00, 1]), // memory: at least one page
    ...section(7, [2, ...name('dots'), 0x00, 0, ...name('memory'), 0x02, 0]),
    ...section(10, [1, ...uleb(body.length), ...body]),
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  let v = value;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

/** What is used of the WebAssembly API (the project's TypeScript libraries do not declare it). */
interface Wasm {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: unknown };
}
type WasmModule = { readonly brand?: 'wasm-module' };

interface Exports {
  dots(q: number, x: number, n: number, d: number, out: number): void;
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
}

const wasm = (globalThis as { WebAssembly?: Wasm }).WebAssembly;
let compiled: WasmModule | null | undefined;

function compiledModule(): WasmModule | undefined {
  if (compiled === undefined) {
    const bytes = moduleBytes();
    compiled = wasm?.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled ?? undefined;
}

/** An instance of the module with a query in it: what both scorers below build on. */
class Kernel {
  readonly exports: Exports;
  private queryScale = 0;
  private readonly qmax: number;

  constructor(
    instance: { exports: unknown },
    readonly dims: number,
  ) {
    this.exports = instance.exports as Exports;
    this.qmax = Math.min(32767, Math.floor((2 ** 31 - 1) / (dims * 127)));
  }

  static make(dims: number): Kernel | undefined {
    if (dims <= 0 || dims % 16 !== 0) return undefined;
    const module = compiledModule();
    return module === undefined || wasm === undefined
      ? undefined
      : new Kernel(new wasm.Instance(module), dims);
  }

  /** Puts `query`, as int16, at the start of the memory; returns what a raw sum is worth. */
  setQuery(query: Float32Array): number {
    let max = 0;
    for (let i = 0; i < this.dims; i++) max = Math.max(max, Math.abs(query[i] as number));
    this.queryScale = max === 0 ? 0 : max / this.qmax;
    this.reserve(this.dims * 2);
    const q = new Int16Array(this.exports.memory.buffer, 0, this.dims);
    for (let i = 0; i < this.dims; i++)
      q[i] = max === 0 ? 0 : Math.round((query[i] as number) / this.queryScale);
    return this.queryScale / 127;
  }

  reserve(bytes: number): void {
    const memory = this.exports.memory;
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / 65536));
  }
}

/** Scores int8 vector blocks against one query at a time. */
export class Int8Scorer {
  private raw = new Int32Array(0);
  private unit = 0;

  private constructor(private readonly kernel: Kernel) {}

  /** A scorer for vectors of `dims` components; undefined where SIMD cannot serve them. */
  static for(dims: number): Int8Scorer | undefined {
    const kernel = Kernel.make(dims);
    return kernel === undefined ? undefined : new Int8Scorer(kernel);
  }

  /** The query the next `score` calls use. */
  setQuery(query: Float32Array): void {
    this.unit = this.kernel.setQuery(query);
  }

  /**
   * The dot products of the query with each vector of the block (as search.codec.ts
   * `dotQuantized` computes them), into `out` (its first `block.docs.length` places).
   */
  score(block: VectorBlock, out: Float64Array): void {
    const n = block.docs.length;
    const { dims, exports } = this.kernel;
    const outAt = align16(dims * 2);
    const xAt = align16(outAt + n * 4);
    this.kernel.reserve(xAt + n * dims);
    const memory = exports.memory.buffer;
    new Int8Array(memory, xAt, n * dims).set(block.q.subarray(0, n * dims));
    exports.dots(0, xAt, n, dims, outAt);
    if (this.raw.buffer !== memory || this.raw.length < n)
      this.raw = new Int32Array(memory, outAt, Math.max(n, 1));
    for (let j = 0; j < n; j++) out[j] = (this.raw[j] as number) * (block.scales[j] as number) * this.unit;
  }
}

/**
 * Unit rows (centroids) quantized to int8 once and kept in the module's memory, scored against
 * one vector at a time: filing vectors under their nearest centroid (search.ivf.ts).
 */
export class Int8Matrix {
  private readonly outAt: number;
  private readonly rowsAt: number;
  private readonly scales: Float32Array;

  private constructor(
    private readonly kernel: Kernel,
    readonly rows: number,
    data: Float32Array,
  ) {
    const { dims } = kernel;
    this.outAt = align16(dims * 2);
    this.rowsAt = align16(this.outAt + rows * 4);
    kernel.reserve(this.rowsAt + rows * dims);
    const q = new Int8Array(kernel.exports.memory.buffer, this.rowsAt, rows * dims);
    this.scales = new Float32Array(rows);
    for (let r = 0; r < rows; r++)
      this.scales[r] = quantize(data.subarray(r * dims, (r + 1) * dims), q, r * dims);
  }

  /** The rows of `data` (`rows` x `dims` floats); undefined where SIMD cannot serve them. */
  static of(data: Float32Array, rows: number, dims: number): Int8Matrix | undefined {
    const kernel = Kernel.make(dims);
    return kernel === undefined ? undefined : new Int8Matrix(kernel, rows, data);
  }

  /** The vector the next `score` calls use. */
  setVector(vector: Float32Array): number {
    return this.kernel.setQuery(vector);
  }

  /** Dot products of the vector with rows `from` to `to` - 1, into `out` from place 0. */
  score(unit: number, from: number, to: number, out: Float64Array): void {
    const { dims, exports } = this.kernel;
    const n = to - from;
    exports.dots(0, this.rowsAt + from * dims, n, dims, this.outAt);
    const raw = new Int32Array(exports.memory.buffer, this.outAt, n);
    for (let j = 0; j < n; j++) out[j] = (raw[j] as number) * (this.scales[from + j] as number) * unit;
  }
}

function align16(n: number): number {
  return (n + 15) & ~15;
}

const shared = new Map<number, Int8Scorer | undefined>();

/**
 * One scorer per width for the process: scoring is synchronous from `setQuery` to the last
 * `score`, so queries running concurrently never interleave on it.
 */
export function scorerFor(dims: number): Int8Scorer | undefined {
  if (!shared.has(dims)) shared.set(dims, Int8Scorer.for(dims));
  return shared.get(dims);
}
