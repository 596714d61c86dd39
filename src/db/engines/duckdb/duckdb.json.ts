import type { ColumnType, Value } from '../../db.types.ts';

/**
 * Values handed to DuckDB as one JSON text parameter, unpacked in SQL by `from_json`.
 *
 * Why: binding goes through N-API one value at a time (a list of 1,000 ids is 1,000 calls and
 * 1,000 DuckDB Values), and the appender plans and runs an INSERT per flush; one VARCHAR
 * parameter is one call, and DuckDB's JSON reader unpacks it natively. Integers are written as
 * their exact digits (JSON has no size limit; DuckDB reads them as BIGINT exactly), timestamps
 * as microseconds since the epoch, turned back with make_timestamp.
 */

/** The type a column's values have inside the JSON text. */
const JSON_TYPES: Readonly<Record<ColumnType, string>> = {
  string: 'VARCHAR',
  int64: 'BIGINT',
  int32: 'INTEGER',
  float64: 'DOUBLE',
  boolean: 'BOOLEAN',
  timestamp: 'BIGINT',
  json: 'JSON',
};

/** A value as JSON text; undefined when JSON cannot carry it (a NaN or infinite double). */
export function jsonScalar(type: ColumnType, v: Value): string | undefined {
  switch (type) {
    case 'string':
      // DuckDB's JSON reader refuses lone surrogates; the appender and N-API turn them into
      // U+FFFD, and so does this.
      return JSON.stringify((v as string).isWellFormed() ? v : (v as string).toWellFormed());
    case 'timestamp': {
      const ms = (v as Date).getTime();
      // Microseconds, written as digits: "0000" would not be a JSON number.
      return ms === 0 ? '0' : `${ms}000`;
    }
    case 'json':
      // Already JSON text (the manager serialised it): embedded as it is.
      return v as string;
    case 'float64':
      return Number.isFinite(v) ? String(v) : undefined;
    default:
      return String(v);
  }
}

/** The SQL expression of a value read from JSON as `type` (`expr` is the JSON field). */
export function fromJson(type: ColumnType, expr: string): string {
  return type === 'timestamp' ? `make_timestamp(${expr})` : expr;
}

/** The from_json structure of an object with these fields, as a SQL string literal. */
export function jsonStructure(fields: readonly { name: string; type: ColumnType }[]): string {
  const struct = `{${fields.map((f) => `${JSON.stringify(f.name)}:"${JSON_TYPES[f.type]}"`).join(',')}}`;
  return `'[${struct.replaceAll("'", "''")}]'`;
}

/** `SELECT unnest(…)` of a JSON array of scalars of `type`, bound as parameter `param`. */
export function jsonListSql(type: ColumnType, param: string): string {
  const unnest = `unnest(from_json(${param}, '["${JSON_TYPES[type]}"]'))`;
  return `SELECT ${fromJson(type, unnest)}`;
}

/** A JSON array of the values (none null); undefined when one of them has no JSON form. */
export function jsonList(type: ColumnType, values: readonly Value[]): string | undefined {
  const parts: string[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const text = jsonScalar(type, values[i] as Value);
    if (text === undefined) return undefined;
    parts[i] = text;
  }
  return `[${parts.join(',')}]`;
}

/**
 * Rows as a JSON array of objects, null and missing values left out (from_json reads them as
 * NULL); undefined when a value has no JSON form.
 */
export function jsonRows(
  columns: readonly { name: string; type: ColumnType }[],
  rows: readonly Record<string, Value | undefined>[],
): string | undefined {
  const keys = columns.map((c) => `${JSON.stringify(c.name)}:`);
  let out = '[';
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as Record<string, Value | undefined>;
    let fields = '';
    for (let c = 0; c < columns.length; c++) {
      const column = columns[c] as { name: string; type: ColumnType };
      const v = row[column.name];
      if (v === null || v === undefined) continue;
      const text = jsonScalar(column.type, v);
      if (text === undefined) return undefined;
      fields += fields === '' ? `${keys[c]}${text}` : `,${keys[c]}${text}`;
    }
    out += r === 0 ? `{${fields}}` : `,{${fields}}`;
  }
  return `${out}]`;
}

/** JSON array texts as one array: `[a,b]` and `[c]` make `[a,b,c]`. */
export function joinArrays(texts: readonly string[]): string {
  if (texts.length === 1) return texts[0] as string;
  let out = '[';
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i] as string;
    if (t.length <= 2) continue;
    out += out.length === 1 ? t.slice(1, -1) : `,${t.slice(1, -1)}`;
  }
  return `${out}]`;
}
