import { type CustomTypesConfig, escapeLiteral, types } from 'pg';
import { DbError } from '../../db.errors.ts';
import type { ColumnType, Value } from '../../db.types.ts';
import { PostgresNulError } from './postgres.errors.ts';

/** The one character PostgreSQL's text cannot hold. */
export const NUL = '\u0000';

/**
 * Column types as PostgreSQL stores them. Strings compare and sort by code point (the contract's
 * order) through the "C" collation, whatever the database's default. JSON is `json`, which keeps
 * the text exactly as written (jsonb would reformat it) and refuses text that is not JSON.
 * Timestamps are `timestamptz` (microseconds, as the contract's; JS Dates carry milliseconds).
 */
export const SQL_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'text COLLATE "C"',
  int64: 'bigint',
  int32: 'integer',
  float64: 'double precision',
  boolean: 'boolean',
  timestamp: 'timestamptz',
  json: 'json',
};

/** The element type of an array parameter of the column type (unnest, = ANY). */
export const ARRAY_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'text[]',
  int64: 'bigint[]',
  int32: 'integer[]',
  float64: 'double precision[]',
  boolean: 'boolean[]',
  timestamp: 'timestamptz[]',
  json: 'json[]',
};

/** `format_type()` of a column back to the contract's type; null for a type no engine writes. */
export function columnTypeOf(formatted: string): ColumnType | null {
  switch (formatted) {
    case 'text':
      return 'string';
    case 'bigint':
      return 'int64';
    case 'integer':
      return 'int32';
    case 'double precision':
      return 'float64';
    case 'boolean':
      return 'boolean';
    case 'timestamp with time zone':
      return 'timestamp';
    case 'json':
      return 'json';
    default:
      return null;
  }
}

/** A parameter as node-postgres sends it: text for what it would otherwise format its own way. */
export type Param = string | number | boolean | null;

/**
 * A value of the engine's one representation per type, as a query parameter. bigint goes as its
 * decimal text (exact at any size), a Date as ISO 8601 in UTC (node-postgres would format it in
 * the process's time zone), json as its text.
 */
export function toParam(type: ColumnType, value: Value | undefined): Param {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'int64':
      if (typeof value === 'bigint') return value.toString();
      break;
    case 'timestamp':
      if (value instanceof Date) return value.toISOString();
      break;
    case 'json':
      if (typeof value === 'string') return value;
      break;
    case 'int32':
    case 'float64':
      if (typeof value === 'number') return value;
      break;
    case 'boolean':
      if (typeof value === 'boolean') return value;
      break;
    case 'string':
      if (typeof value === 'string') {
        if (value.includes(NUL)) throw new PostgresNulError();
        return value;
      }
      break;
  }
  throw new DbError('invalid_value', `a ${typeof value} is not a value of a ${type} column`);
}

/** A value as an SQL literal of its column type, for DDL (a column's default), where no parameter goes. */
export function toLiteral(type: ColumnType, value: Value): string {
  const param = toParam(type, value);
  if (param === null) return 'NULL';
  const cast = type === 'string' ? 'text' : ARRAY_TYPES[type].slice(0, -2);
  return `${escapeLiteral(String(param))}::${cast}`;
}

const INT8_OID = 20;
const JSON_OID = 114;
const asText = (text: string) => text;
const asBigInt = (text: string) => BigInt(text);

/**
 * Results in the engine's representation: bigint as BigInt (node-postgres gives text), json as
 * its text (node-postgres parses it). The rest as node-postgres reads them: int4 and float8 as
 * numbers, bool, timestamptz as Date, text.
 */
export const TYPES: CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') => {
    if (oid === INT8_OID) return asBigInt;
    if (oid === JSON_OID) return asText;
    return types.getTypeParser(oid, format ?? 'text');
  }) as CustomTypesConfig['getTypeParser'],
};
