/**
 * Cells of `ArrowColumn`s (fake.types.ts) as the fake keeps them, and back to Arrow data.
 *
 * The fake's rows hold WireValues, and a cell of another type is kept as one too, so that the
 * store, its indexes and its copies need nothing new: integers of 32 bits or fewer, floats (16 and
 * 32 bits as numbers), date32 (days) and time32 as numbers; 64-bit integers, time64, timestamps of
 * any unit and decimal128 (its unscaled integer) as bigints; binary and fixed-size binary as a
 * string of one character per byte (U+0000-U+00FF), which compares as the bytes do. A nested cell
 * (list, fixed-size list, struct, map) is kept as the JSON text of its `Tree`, its leaves written
 * as above (bigints and the floats JSON has no number for as strings) and read back by its type.
 *
 * Values are read from and written to Arrow's buffers directly: Arrow JS's getters give
 * timestamps and 64-bit times as milliseconds, which would lose the rest.
 */
import {
  type Data,
  DataType,
  type Field,
  type FixedSizeBinary,
  type FixedSizeList,
  makeData,
  type Table,
  tableFromIPC,
  util,
} from 'apache-arrow';
import { WireFormatError } from '../../src/db/engines/vast/wire/wire.errors.ts';
import type { WireRow, WireValue } from '../../src/db/engines/vast/wire/wire.types.ts';
import { badRequest } from './fake.errors.ts';
import { type ArrowColumn, sameColumnType } from './fake.types.ts';

/** A leaf value in its kept form; a nested value: list and map entries in order, struct fields by position. */
export type Leaf = string | bigint | number | boolean | null;
export type Tree = Leaf | readonly Tree[];

/**
 * makeData's overloads are picked by the class of the type, which is known here only at run time:
 * one signature for every kind of data this file builds.
 */
const make = makeData as (props: {
  type: DataType;
  length: number;
  nullCount: number;
  nullBitmap?: Uint8Array;
  data?: ArrayBufferView;
  valueOffsets?: Int32Array;
  child?: Data;
  children?: Data[];
}) => Data;

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

const isNested = (t: DataType) =>
  DataType.isList(t) || DataType.isFixedSizeList(t) || DataType.isStruct(t) || DataType.isMap(t);

const latin1 = (bytes: Uint8Array): string => {
  let s = '';
  for (let i = 0; i < bytes.length; i += 8192)
    s += String.fromCharCode(...bytes.subarray(i, Math.min(bytes.length, i + 8192)));
  return s;
};
const bytesOf = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** 16 bytes, little-endian two's complement, as Arrow lays out a decimal128. */
function decimalOf(words: Uint32Array, at: number): bigint {
  let v = 0n;
  for (let i = 3; i >= 0; i--) v = (v << 32n) | BigInt(words[at + i] as number);
  return BigInt.asIntN(128, v);
}
function putDecimal(words: Uint32Array, at: number, v: bigint): void {
  let u = BigInt.asUintN(128, v);
  for (let i = 0; i < 4; i++) {
    words[at + i] = Number(u & 0xffffffffn);
    u >>= 32n;
  }
}

/** Values `[0, length)` of `data` (Arrow JS offsets applied), as trees. */
export function treesOf(data: Data): Tree[] {
  const t = data.type;
  const out: Tree[] = new Array(data.length);
  const values = data.values as ArrayLike<number | bigint> & Uint8Array;
  for (let i = 0; i < data.length; i++) {
    if (!data.getValid(i)) {
      out[i] = null;
      continue;
    }
    if (DataType.isUtf8(t) || DataType.isBinary(t)) {
      const o = data.valueOffsets as Int32Array;
      const bytes = values.subarray(o[i] as number, o[i + 1] as number);
      out[i] = DataType.isUtf8(t) ? utf8.decode(bytes) : latin1(bytes);
    } else if (DataType.isFixedSizeBinary(t)) {
      const w = (t as FixedSizeBinary).byteWidth;
      out[i] = latin1(values.subarray(i * w, (i + 1) * w));
    } else if (DataType.isBool(t)) {
      const bit = data.offset + i;
      out[i] = ((values[bit >> 3] as number) & (1 << (bit & 7))) !== 0;
    } else if (DataType.isDecimal(t)) {
      out[i] = decimalOf(data.values as Uint32Array, 4 * i);
    } else if (DataType.isFloat(t) && t.ArrayType === Uint16Array) {
      out[i] = util.uint16ToFloat64(values[i] as number);
    } else if (isNested(t)) {
      out[i] = nestedAt(data, i);
    } else {
      out[i] = values[i] as number | bigint; // ints, floats, dates, times, timestamps
    }
  }
  return out;
}

function nestedAt(data: Data, i: number): Tree[] {
  const t = data.type;
  if (DataType.isStruct(t)) return data.children.map((c) => (treesOf(c.slice(i, 1))[0] ?? null) as Tree);
  if (DataType.isFixedSizeList(t)) {
    const size = (t as FixedSizeList).listSize;
    return treesOf((data.children[0] as Data).slice(i * size, size));
  }
  const o = data.valueOffsets as Int32Array;
  const items = treesOf(
    (data.children[0] as Data).slice(o[i] as number, (o[i + 1] as number) - (o[i] as number)),
  );
  return items; // a map's entries are structs: [key, value] each
}

/** The cells of a column, from its data, in the kept form. */
export function cellsOf(data: Data): WireValue[] {
  const trees = treesOf(data);
  if (!isNested(data.type)) return trees as WireValue[];
  return trees.map((tree) => (tree === null ? null : encodeTree(data.type, tree)));
}

/** The trees of kept cells (nested cells parsed back). */
export function treesOfCells(type: DataType, cells: readonly WireValue[]): Tree[] {
  if (!isNested(type)) return cells as Tree[];
  return cells.map((c) => (c === null ? null : decodeTree(type, JSON.parse(c as string))));
}

/** A nested cell's kept text. */
export function encodeTree(type: DataType, tree: Tree): string {
  return JSON.stringify(toJson(type, tree));
}

function toJson(type: DataType, tree: Tree): unknown {
  if (tree === null) return null;
  if (Array.isArray(tree)) {
    const children = type.children as Field[];
    if (DataType.isStruct(type)) return tree.map((v, i) => toJson((children[i] as Field).type, v as Tree));
    return tree.map((v) => toJson((children[0] as Field).type, v as Tree));
  }
  if (typeof tree === 'bigint') return String(tree);
  if (typeof tree === 'number' && (!Number.isFinite(tree) || Object.is(tree, -0))) return String(tree);
  return tree;
}

function decodeTree(type: DataType, json: unknown): Tree {
  if (json === null) return null;
  const children = type.children as Field[];
  if (DataType.isStruct(type))
    return (json as unknown[]).map((v, i) => decodeTree((children[i] as Field).type, v));
  if (isNested(type)) return (json as unknown[]).map((v) => decodeTree((children[0] as Field).type, v));
  const array = type.ArrayType as unknown;
  if (array === BigInt64Array || array === BigUint64Array || DataType.isDecimal(type))
    return BigInt(json as string);
  if (typeof json === 'string' && (DataType.isFloat(type) || DataType.isInt(type))) return Number(json);
  return json as Leaf;
}

/** Leaf value Arrow stores for a slot under a null parent (never read): zero of its kind. */
function zero(type: DataType): Tree {
  if (isNested(type)) return DataType.isStruct(type) ? type.children.map((c) => zero(c.type)) : [];
  if (DataType.isUtf8(type) || DataType.isBinary(type)) return '';
  if (DataType.isFixedSizeBinary(type)) return '\0'.repeat((type as FixedSizeBinary).byteWidth);
  if (DataType.isBool(type)) return false;
  const array = type.ArrayType as unknown;
  return array === BigInt64Array || array === BigUint64Array || DataType.isDecimal(type) ? 0n : 0;
}

/** Arrow data of `type` holding `trees` (the inverse of `treesOf`). */
export function dataOf(type: DataType, trees: readonly Tree[]): Data {
  const length = trees.length;
  let nullCount = 0;
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  trees.forEach((v, i) => {
    if (v === null) nullCount++;
    else nullBitmap[i >> 3] = (nullBitmap[i >> 3] as number) | (1 << (i & 7));
  });
  const common = { type, length, nullCount, nullBitmap: nullCount > 0 ? nullBitmap : undefined };
  const children = (type.children ?? []) as Field[];
  if (DataType.isStruct(type)) {
    const kids = children.map((c, k) =>
      dataOf(
        c.type,
        trees.map((v) => (v === null ? null : ((v as Tree[])[k] ?? null))),
      ),
    );
    return make({ ...common, children: kids });
  }
  if (DataType.isFixedSizeList(type)) {
    const { listSize } = type as FixedSizeList;
    const element = (children[0] as Field).type;
    const flat = trees.flatMap((v) =>
      v === null ? new Array<Tree>(listSize).fill(zero(element)) : (v as Tree[]),
    );
    return make({ ...common, child: dataOf(element, flat) });
  }
  if (DataType.isList(type) || DataType.isMap(type)) {
    const offsets = new Int32Array(length + 1);
    const flat: Tree[] = [];
    trees.forEach((v, i) => {
      if (v !== null) flat.push(...(v as Tree[]));
      offsets[i + 1] = flat.length;
    });
    const child = dataOf((children[0] as Field).type, flat);
    return make({ ...common, valueOffsets: offsets, child });
  }
  const leaves = trees.map((v) => (v === null ? zero(type) : v)) as Leaf[];
  if (DataType.isUtf8(type) || DataType.isBinary(type)) {
    const parts = leaves.map((v) =>
      DataType.isUtf8(type) ? encoder.encode(v as string) : bytesOf(v as string),
    );
    const offsets = new Int32Array(length + 1);
    parts.forEach((p, i) => {
      offsets[i + 1] = (offsets[i] as number) + p.byteLength;
    });
    const data = new Uint8Array(offsets[length] as number);
    parts.forEach((p, i) => {
      data.set(p, offsets[i] as number);
    });
    return make({ ...common, valueOffsets: offsets, data });
  }
  if (DataType.isFixedSizeBinary(type)) {
    const data = new Uint8Array(length * (type as FixedSizeBinary).byteWidth);
    leaves.forEach((v, i) => {
      data.set(bytesOf(v as string), i * (type as FixedSizeBinary).byteWidth);
    });
    return make({ ...common, data });
  }
  if (DataType.isBool(type)) {
    const data = new Uint8Array((length + 7) >> 3);
    leaves.forEach((v, i) => {
      if (v === true) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
    });
    return make({ ...common, data });
  }
  if (DataType.isDecimal(type)) {
    const data = new Uint32Array(4 * length);
    leaves.forEach((v, i) => {
      putDecimal(data, 4 * i, v as bigint);
    });
    return make({ ...common, data });
  }
  if (DataType.isFloat(type) && type.ArrayType === Uint16Array) {
    const data = Uint16Array.from(leaves, (v) => util.float64ToUint16(v as number));
    return make({ ...common, data });
  }
  const Array_ = type.ArrayType as { from(values: Iterable<unknown>): ArrayBufferView };
  return make({ ...common, data: Array_.from(leaves) });
}

/**
 * Puts into `rows` (the body's rows, in order) the cells of `columns`, read from the IPC stream
 * `body` (an insert or update body) with Arrow JS: the engine's decoder reads its own types only.
 */
export function putArrowCells(body: Uint8Array, columns: readonly ArrowColumn[], rows: WireRow[]): void {
  let table: Table;
  try {
    table = tableFromIPC(body);
  } catch (cause) {
    throw new WireFormatError('unreadable Arrow IPC stream', { cause });
  }
  for (const column of columns) {
    const vector = table.getChild(column.name);
    if (vector === null) continue;
    if (!sameColumnType(vector.type, column.arrow.type)) {
      throw badRequest(`column ${column.name} is ${column.arrow.type}, not ${vector.type}`);
    }
    let at = 0;
    for (const chunk of vector.data) {
      for (const cell of cellsOf(chunk)) {
        const row = rows[at++];
        if (row) row[column.name] = cell;
      }
    }
  }
}

/**
 * Bytes a kept cell of `type` holds (for a per-cell size limit): UTF-8 bytes of text, one byte a
 * character of binary (kept one character a byte), the width of fixed-width values, the sum of a
 * nested value's leaves. Null: 0.
 */
export function keptCellBytes(type: DataType, cell: WireValue): number {
  if (cell === null) return 0;
  return treeBytes(type, treesOfCells(type, [cell])[0] ?? null);
}

function treeBytes(type: DataType, tree: Tree): number {
  if (tree === null) return 0;
  if (isNested(type)) {
    const children = type.children as Field[];
    return (tree as Tree[]).reduce<number>(
      (n, v, i) => n + treeBytes((children[DataType.isStruct(type) ? i : 0] as Field).type, v),
      0,
    );
  }
  if (DataType.isUtf8(type)) return Buffer.byteLength(tree as string);
  if (DataType.isBinary(type) || DataType.isFixedSizeBinary(type)) return (tree as string).length;
  if (DataType.isBool(type)) return 1;
  if (DataType.isDecimal(type)) return 16;
  return (type.ArrayType as { BYTES_PER_ELEMENT: number }).BYTES_PER_ELEMENT;
}
