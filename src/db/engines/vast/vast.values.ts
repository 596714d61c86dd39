import { DbError } from '../../db.errors.ts';
import type { ColumnDef, ColumnType, Row, Value } from '../../db.types.ts';
import type { WireField, WireRow, WireType, WireValue } from './wire/wire.types.ts';

/** Column types as Arrow types on the wire; json is utf8 holding JSON text. */
export const WIRE_TYPES: Readonly<Record<ColumnType, WireType>> = {
  string: 'utf8',
  int64: 'int64',
  int32: 'int32',
  float64: 'float64',
  boolean: 'bool',
  timestamp: 'timestamp_us',
  json: 'utf8',
};

/**
 * Back from the wire. utf8 reads as string: VAST has no JSON type, and the manager accepts a
 * string column where json is declared (manager.schema.ts `compatible`). uint64 ($row_id) and
 * foreign types have no column type: such columns are left out of describeTable.
 */
const COLUMN_TYPES: Partial<Record<WireType, ColumnType>> = {
  utf8: 'string',
  int64: 'int64',
  int32: 'int32',
  float64: 'float64',
  bool: 'boolean',
  timestamp_us: 'timestamp',
};

export function columnTypeOf(type: WireType): ColumnType | undefined {
  return COLUMN_TYPES[type];
}

/**
 * Every column is created nullable whatever the definition says, as the DuckDB engine does: the
 * manager enforces `nullable: false` on writes, and a table must stay writable by a definition
 * that no longer declares a column.
 */
export function wireField(c: Pick<ColumnDef, 'name' | 'type'>): WireField {
  return { name: c.name, type: WIRE_TYPES[c.type], nullable: true };
}

/** An engine value (manager.values.ts) as the wire carries it: Dates as microseconds. */
export function toWire(field: WireField, v: Value | undefined): WireValue {
  if (v === null || v === undefined) return null;
  if (v instanceof Date) {
    if (field.type !== 'timestamp_us') throw bad(field, 'a Date');
    return BigInt(v.getTime()) * 1000n;
  }
  if (typeof v === 'object') throw bad(field, 'an object (json must arrive as text)');
  return v;
}

function bad(field: WireField, what: string): DbError {
  return new DbError('invalid_value', `column "${field.name}" (${field.type}) cannot take ${what}`);
}

/** Rows for the wire, with the given fields only. */
export function toWireRows(fields: readonly WireField[], rows: readonly Row[]): WireRow[] {
  return rows.map((row) => {
    const out: WireRow = {};
    for (const f of fields) out[f.name] = toWire(f, row[f.name]);
    return out;
  });
}

/** A wire value as the engine hands it back: timestamps as Dates (millisecond precision). */
export function fromWire(type: WireType, v: WireValue): Value {
  if (v === null) return null;
  if (type === 'timestamp_us' && typeof v === 'bigint') {
    // Floor, not truncation: -1 us is 1969-12-31T23:59:59.999Z.
    const ms = v >= 0n ? v / 1000n : -((-v + 999n) / 1000n);
    return new Date(Number(ms));
  }
  return v;
}

/** A key for matching values across the wire (updateEach): type and text. */
export function keyOf(v: WireValue): string {
  return `${typeof v}:${String(v)}`;
}
