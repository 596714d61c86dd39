import { textFits, tooLargeForCell, utf8Bytes } from '../common/cells.ts';
import { DbCellTooLargeError, DbError } from './db.errors.ts';
import type { ColumnDef, Value } from './db.types.ts';

/**
 * What the manager hands to an engine and gets back from it: one JS type per column type, with
 * json already serialised to JSON text (so engines never see structured values).
 */
export type EngineValue = string | bigint | number | boolean | Date | null;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (v instanceof Date) return 'Date';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

function reject(column: ColumnDef, where: string, v: unknown, why?: string): never {
  const detail = why ?? `expected ${column.type}, got ${describe(v)}`;
  throw new DbError('invalid_value', `${where}: column "${column.name}": ${detail}`);
}

/** Converts a non-null caller value to the engine representation of the column type, or throws. */
export function toEngineScalar(column: ColumnDef, v: unknown, where: string): EngineValue {
  switch (column.type) {
    case 'string':
      if (typeof v === 'string') return v;
      return reject(column, where, v);
    case 'int64':
      if (typeof v === 'bigint') {
        if (v < INT64_MIN || v > INT64_MAX) reject(column, where, v, `${v} is outside the int64 range`);
        return v;
      }
      if (typeof v === 'number') {
        if (!Number.isSafeInteger(v)) reject(column, where, v, `${v} is not a safe integer (pass a bigint)`);
        return BigInt(v);
      }
      return reject(column, where, v);
    case 'int32':
      if (typeof v === 'number' || typeof v === 'bigint') {
        const n = Number(v);
        if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX) {
          reject(column, where, v, `${v} is not a 32-bit integer`);
        }
        return n;
      }
      return reject(column, where, v);
    case 'float64':
      if (typeof v === 'number') return v;
      if (typeof v === 'bigint' && BigInt(Number(v)) === v) return Number(v);
      return reject(column, where, v);
    case 'boolean':
      if (typeof v === 'boolean') return v;
      return reject(column, where, v);
    case 'timestamp':
      if (v instanceof Date) {
        if (Number.isNaN(v.getTime())) reject(column, where, v, 'invalid Date');
        return v;
      }
      return reject(column, where, v);
    case 'json':
      return toJsonText(column, v, where);
  }
}

function toJsonText(column: ColumnDef, v: unknown, where: string): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    return reject(column, where, v, `not JSON-serialisable (${(e as Error).message})`);
  }
  if (text === undefined) return reject(column, where, v, `${describe(v)} is not JSON-serialisable`);
  return text;
}

/**
 * Converts a caller value for a write (insert/update): null allowed unless the column is
 * non-nullable; text (json as its text) no larger than one cell holds, on every engine alike
 * (CELL_MAX_BYTES). The areas refuse their fields before this, naming them for the client; this
 * is the rule for every value they do not check.
 */
export function toEngineValue(column: ColumnDef, v: unknown, where: string): EngineValue {
  if (v === null || v === undefined) {
    if (column.nullable === false) reject(column, where, v, 'column is not nullable');
    return null;
  }
  const value = toEngineScalar(column, v, where);
  if (typeof value === 'string' && !textFits(value)) {
    throw new DbCellTooLargeError(
      `${where}: column "${column.name}": ${tooLargeForCell('the value', utf8Bytes(value))}`,
    );
  }
  return value;
}

/** Parses a json column's text as read from an engine. */
export function fromJsonText(column: string, v: unknown): Value {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') return v as Value;
  try {
    return JSON.parse(v) as Value;
  } catch {
    // Only text written around the manager (by hand, by another tool) can be malformed.
    throw new DbError('invalid_value', `column "${column}" holds text that is not JSON`);
  }
}
