import { type Data, type DataType, makeData, type Vector } from 'apache-arrow';
import { arrowTypeOf } from './wire.schema.ts';
import type { WireField, WireType, WireValue } from './wire.types.ts';

/**
 * One column of WireValues <-> Arrow Data, built and read straight from the buffers: no Arrow JS
 * builders or getters, whose conversions (timestamps to milliseconds, numbers for int64) are not
 * what the wire wants.
 */

export class WireValueError extends Error {
  override readonly name = 'WireValueError';
}

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;
const UINT64_MAX = (1n << 64n) - 1n;
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

function bad(field: WireField, row: number, value: unknown, why: string): WireValueError {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : String(value);
  return new WireValueError(`column ${field.name} (${field.type}), row ${row}: ${shown} ${why}`);
}

function toBigInt(field: WireField, row: number, v: WireValue, min: bigint, max: bigint): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else throw bad(field, row, v, 'is not an integer (bigint)');
  if (b < min || b > max) throw bad(field, row, v, 'is out of range');
  return b;
}

/** What checking a column's values found (checkColumn). */
export interface ColumnCheck {
  readonly nullCount: number;
  /** utf8: the UTF-8 bytes of all its values, as TextEncoder and Buffer write them. */
  readonly utf8Bytes: number;
}

/**
 * Checks one column's values (one per row, null for null) against the field: nulls only where
 * nullable, then every value of the type's JS kind and range. Throws WireValueError naming column
 * and row, for the first failure in that order.
 */
export function checkColumn(field: WireField, values: readonly WireValue[]): ColumnCheck {
  const length = values.length;
  let nullCount = 0;
  for (let i = 0; i < length; i++) {
    if (values[i] === null || values[i] === undefined) {
      if (!field.nullable) throw bad(field, i, null, 'in a column that is not nullable');
      nullCount++;
    }
  }
  let utf8Bytes = 0;
  for (let i = 0; i < length; i++) {
    const v = values[i] ?? null;
    if (v === null) continue;
    switch (field.type) {
      case 'utf8':
        if (typeof v !== 'string') throw bad(field, i, v, 'is not a string');
        // Buffer.byteLength counts as TextEncoder writes (a lone surrogate as U+FFFD, 3 bytes).
        utf8Bytes += Buffer.byteLength(v, 'utf8');
        if (utf8Bytes > 0x7fffffff) throw bad(field, i, '', 'makes the column over 2 GiB');
        break;
      case 'bool':
        if (typeof v !== 'boolean') throw bad(field, i, v, 'is not a boolean');
        break;
      case 'int32':
      case 'float64':
        if (typeof v !== 'number') throw bad(field, i, v, 'is not a number');
        if (field.type === 'int32' && !(Number.isInteger(v) && v >= -(2 ** 31) && v < 2 ** 31)) {
          throw bad(field, i, v, 'is not a 32-bit integer');
        }
        break;
      case 'uint64':
        toBigInt(field, i, v, 0n, UINT64_MAX);
        break;
      default:
        toBigInt(field, i, v, INT64_MIN, INT64_MAX);
    }
  }
  return { nullCount, utf8Bytes };
}

/** An int64/uint64/timestamp value checked by checkColumn, as a bigint. */
export function bigIntOf(v: WireValue): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

/** The Arrow buffers of one column, from its values (checked: WireValueError). */
export interface ColumnBuffers {
  readonly type: WireType;
  readonly length: number;
  readonly nullCount: number;
  /** Bit per row, set when valid: `(length + 7) >> 3` bytes, only when there are nulls. */
  readonly validity: Uint8Array | undefined;
  /** utf8: `length + 1` offsets into `data`. */
  readonly offsets: Int32Array | undefined;
  /** The values: UTF-8 bytes, a bitmap (bool), or a typed array of the width of the type. */
  readonly data: Uint8Array | Int32Array | Float64Array | BigInt64Array | BigUint64Array;
}

export function columnBuffers(field: WireField, values: readonly WireValue[]): ColumnBuffers {
  const { nullCount, utf8Bytes } = checkColumn(field, values);
  const length = values.length;
  let validity: Uint8Array | undefined;
  if (nullCount > 0) {
    validity = new Uint8Array((length + 7) >> 3);
    for (let i = 0; i < length; i++) {
      if ((values[i] ?? null) !== null) validity[i >> 3] = (validity[i >> 3] as number) | (1 << (i & 7));
    }
  }
  const base = { type: field.type, length, nullCount, validity, offsets: undefined };
  switch (field.type) {
    case 'utf8': {
      const offsets = new Int32Array(length + 1);
      const data = Buffer.alloc(utf8Bytes);
      let at = 0;
      for (let i = 0; i < length; i++) {
        const v = values[i] ?? null;
        if (v !== null && v !== '') at += data.write(v as string, at, 'utf8');
        offsets[i + 1] = at;
      }
      return { ...base, offsets, data: new Uint8Array(data.buffer, data.byteOffset, utf8Bytes) };
    }
    case 'bool': {
      const data = new Uint8Array((length + 7) >> 3);
      for (let i = 0; i < length; i++)
        if (values[i] === true) data[i >> 3] = (data[i >> 3] as number) | (1 << (i & 7));
      return { ...base, data };
    }
    case 'int32':
    case 'float64': {
      const data = field.type === 'int32' ? new Int32Array(length) : new Float64Array(length);
      for (let i = 0; i < length; i++) data[i] = (values[i] ?? 0) as number;
      return { ...base, data };
    }
    default: {
      const data = field.type === 'uint64' ? new BigUint64Array(length) : new BigInt64Array(length);
      for (let i = 0; i < length; i++) {
        const v = values[i] ?? null;
        if (v !== null) data[i] = bigIntOf(v);
      }
      return { ...base, data };
    }
  }
}

/** Builds the Arrow data of one column from its values (one per row, null for null). */
export function buildColumn(field: WireField, values: readonly WireValue[]): Data {
  const c = columnBuffers(field, values);
  const type = arrowTypeOf(field.type);
  const base = { type, length: c.length, nullCount: c.nullCount, nullBitmap: c.validity } as const;
  if (c.offsets !== undefined) {
    return makeData({ ...base, type: type as never, valueOffsets: c.offsets, data: c.data } as never);
  }
  return makeData({ ...base, type: type as never, data: c.data } as never);
}

function isValid(data: Data, i: number): boolean {
  if (data.nullCount === 0 || !data.nullBitmap || data.nullBitmap.byteLength === 0) return true;
  const bit = data.offset + i;
  return ((data.nullBitmap[bit >> 3] as number) & (1 << (bit & 7))) !== 0;
}

/** Reads one Arrow data chunk of a WireType column into `out`. */
export function readData(type: WireType, data: Data<DataType>, out: WireValue[]): void {
  const n = data.length;
  switch (type) {
    case 'utf8': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        out.push(isValid(data, i) ? utf8Decoder.decode(bytes.subarray(offsets[i], offsets[i + 1])) : null);
      }
      return;
    }
    case 'bool': {
      const bits = data.values as Uint8Array;
      for (let i = 0; i < n; i++) {
        const bit = data.offset + i;
        out.push(isValid(data, i) ? ((bits[bit >> 3] as number) & (1 << (bit & 7))) !== 0 : null);
      }
      return;
    }
    default: {
      const values = data.values as ArrayLike<number | bigint>;
      for (let i = 0; i < n; i++) out.push(isValid(data, i) ? (values[i] as number | bigint) : null);
    }
  }
}

/** All values of a column vector (every chunk), as WireValues. */
export function readVector(type: WireType, vector: Vector): WireValue[] {
  const out: WireValue[] = [];
  for (const chunk of vector.data) readData(type, chunk, out);
  return out;
}

/** Estimated Arrow buffer bytes of rows, as pyarrow's `RecordBatch.nbytes` counts them. */
export function estimateBytes(
  fields: readonly WireField[],
  rows: readonly Record<string, WireValue>[],
): number {
  let total = 0;
  for (const f of fields) {
    let hasNull = false;
    let body = 0;
    for (const row of rows) {
      const v = row[f.name] ?? null;
      if (v === null) hasNull = true;
      if (f.type === 'utf8') body += typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : 0;
    }
    const n = rows.length;
    if (f.type === 'utf8') body += 4 * (n + 1);
    else if (f.type === 'bool') body += (n + 7) >> 3;
    else body += (f.type === 'int32' ? 4 : 8) * n;
    total += body + (hasNull ? (n + 7) >> 3 : 0);
  }
  return total;
}
