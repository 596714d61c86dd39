import {
  BIGINT,
  BOOLEAN,
  DOUBLE,
  type DuckDBDataChunk,
  type DuckDBMaterializedResult,
  DuckDBTimestampValue,
  type DuckDBType,
  type DuckDBValue,
  INTEGER,
  TIMESTAMP,
  timestampValue,
  VARCHAR,
} from '@duckdb/node-api';
import type { ColumnType, Row, Value } from '../../db.types.ts';

/** DDL type per column type. json uses DuckDB's JSON alias of VARCHAR so the catalogue remembers it. */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  int32: 'INTEGER',
  float64: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'TIMESTAMP',
  json: 'JSON',
};

const FROM_SQL: ReadonlyMap<string, ColumnType> = new Map(
  Object.entries(SQL_TYPES).map(([type, sql]) => [sql, type as ColumnType]),
);

/** The column type a catalogue type name stands for; null for types the manager cannot express. */
export function columnTypeOf(sqlType: string): ColumnType | null {
  return FROM_SQL.get(sqlType) ?? null;
}

/** Parameter types (json binds as VARCHAR and DuckDB casts it on the way in). */
export const BIND_TYPES: Readonly<Record<ColumnType, DuckDBType>> = {
  string: VARCHAR,
  int64: BIGINT,
  int32: INTEGER,
  float64: DOUBLE,
  boolean: BOOLEAN,
  timestamp: TIMESTAMP,
  json: VARCHAR,
};

/** Converts a manager (engine-representation) value to what the DuckDB API binds or appends. */
export function toDuck(type: ColumnType, v: Value | undefined): DuckDBValue {
  if (v === null || v === undefined) return null;
  switch (type) {
    case 'timestamp':
      if (v instanceof Date) return timestampValue(BigInt(v.getTime()) * 1000n);
      break;
    case 'int64':
      if (typeof v === 'number') return BigInt(v);
      break;
    case 'json':
      if (typeof v !== 'string') return JSON.stringify(v);
      break;
  }
  // The manager has already validated the value against the column type.
  return v as DuckDBValue;
}

/** TIMESTAMP is microseconds; floor (not truncate) so instants before 1970 keep their millisecond. */
function microsToDate(micros: bigint): Date {
  let ms = micros / 1000n;
  if (micros < 0n && ms * 1000n !== micros) ms -= 1n;
  return new Date(Number(ms));
}

function fromDuck(v: DuckDBValue): Value {
  if (v === null || typeof v !== 'object') return v as Value;
  if (v instanceof DuckDBTimestampValue) return v.isFinite ? microsToDate(v.micros) : new Date(Number.NaN);
  // Not produced for declared columns; a readable form beats a wrapper object.
  return String(v);
}

/** Reads a materialized result into row objects keyed by `names` (the selected columns, in order). */
export function readRows(result: DuckDBMaterializedResult, names: readonly string[]): Row[] {
  const rows: Row[] = [];
  for (let ci = 0; ci < result.chunkCount; ci++) {
    for (const row of readChunk(result.getChunk(ci), names)) rows.push(row);
  }
  return rows;
}

/** One chunk of a result as row objects keyed by `names`. */
export function readChunk(chunk: DuckDBDataChunk, names: readonly string[]): Row[] {
  const n = chunk.rowCount;
  const rows: Row[] = new Array(n);
  for (let r = 0; r < n; r++) rows[r] = {};
  for (let c = 0; c < names.length; c++) {
    const name = names[c] as string;
    const values = chunk.getColumnValues(c);
    for (let r = 0; r < n; r++) (rows[r] as Row)[name] = fromDuck(values[r] ?? null);
  }
  return rows;
}
