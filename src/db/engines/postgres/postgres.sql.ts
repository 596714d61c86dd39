import { DbError } from '../../db.errors.ts';
import type { ColumnType, Comparison, Predicate, Row, SelectOptions, Value } from '../../db.types.ts';
import { SQL_OPERATORS as OPERATORS } from '../sql.operators.ts';
import { ARRAY_TYPES, NUL, type Param, toParam } from './postgres.values.ts';

/** A table as the engine knows it: where it is and its columns' types. */
export interface PgTable {
  /** `"schema"."table"`, quoted. */
  readonly qualified: string;
  readonly name: string;
  readonly types: ReadonlyMap<string, ColumnType | null>;
}

/** Identifiers are always quoted; the manager also restricts names to [a-z0-9_]. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Collects bound parameters while SQL text is assembled; values never enter the text. */
export class Params {
  readonly values: (Param | Param[])[] = [];

  add(value: Param | Param[]): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

export function columnType(table: PgTable, name: string): ColumnType {
  const type = table.types.get(name);
  if (type === undefined)
    throw new DbError('unknown_column', `unknown column "${name}" in table "${table.name}"`);
  if (type === null) {
    throw new DbError('unknown_column', `column "${name}" in table "${table.name}" has an unsupported type`);
  }
  return type;
}

/** `LIKE` pattern of a literal prefix: its wildcards and the escape character escaped. */
function likePrefix(prefix: string): string {
  return `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

const holdsNul = (value: unknown): boolean => typeof value === 'string' && value.includes(NUL);

/**
 * A comparison of a text column with a string holding U+0000, answered exactly without sending
 * it (toParam refuses it): no stored text holds U+0000, so none equals, starts with or contains
 * such a string, and in code-point order a stored text is below `p` + U+0000 + anything exactly
 * when it is at most `p`.
 */
function nulComparisonSql(p: Params, q: string, c: Comparison): string {
  const value = String(c.value);
  const prefix = value.slice(0, value.indexOf(NUL));
  switch (c.op) {
    case 'ne':
      return `${q} IS NOT NULL`;
    case 'lt':
    case 'le':
      return `${q} <= ${p.add(prefix)}`;
    case 'gt':
    case 'ge':
      return `${q} > ${p.add(prefix)}`;
    default:
      return 'FALSE';
  }
}

function comparisonSql(p: Params, column: string, type: ColumnType, c: Comparison): string {
  const q = quote(column);
  if (type === 'string' && c.op !== 'in' && holdsNul(c.value)) return nulComparisonSql(p, q, c);
  switch (c.op) {
    case 'isNull':
      return `${q} IS NULL`;
    case 'isNotNull':
      return `${q} IS NOT NULL`;
    case 'startsWith':
      // LIKE on a "C"-collated column can use a btree index for the prefix; starts_with cannot.
      return `${q} LIKE ${p.add(likePrefix(String(c.value)))}`;
    case 'contains':
      return `strpos(${q}, ${p.add(toParam(type, c.value as Value))}) > 0`;
    case 'in': {
      const values = ((c.value ?? []) as readonly Value[]).filter((v) => type !== 'string' || !holdsNul(v));
      if (values.length === 0) return 'FALSE';
      // One array parameter: the statement's text does not depend on the list's length.
      return `${q} = ANY(${p.add(values.map((v) => toParam(type, v)))}::${ARRAY_TYPES[type]})`;
    }
    default: {
      const operator = OPERATORS[c.op];
      if (operator === undefined) throw new DbError('invalid_predicate', `unknown operator "${c.op}"`);
      return `${q} ${operator} ${p.add(toParam(type, c.value as Value))}`;
    }
  }
}

/** ` WHERE …` for a predicate (empty when it has no groups): an AND of parenthesised OR groups. */
export function whereSql(p: Params, table: PgTable, where: Predicate | undefined): string {
  if (where === undefined || where.all.length === 0) return '';
  const groups = where.all.map((g) => {
    const type = columnType(table, g.column);
    if (g.any.length === 0) return 'FALSE';
    return `(${g.any.map((c) => comparisonSql(p, g.column, type, c)).join(' OR ')})`;
  });
  return ` WHERE ${groups.join(' AND ')}`;
}

export function selectSql(
  p: Params,
  table: PgTable,
  columns: readonly string[],
  options: SelectOptions,
): string {
  for (const c of columns) columnType(table, c);
  const list = columns.length === 0 ? 'NULL' : columns.map(quote).join(', ');
  let sql = `SELECT ${list} FROM ${table.qualified}${whereSql(p, table, options.where)}`;
  if (options.orderBy !== undefined && options.orderBy.length > 0) {
    const keys = options.orderBy.map((o) => {
      columnType(table, o.column);
      return `${quote(o.column)} ${o.direction === 'desc' ? 'DESC' : 'ASC'} NULLS LAST`;
    });
    sql += ` ORDER BY ${keys.join(', ')}`;
  }
  if (options.limit !== undefined) sql += ` LIMIT ${p.add(options.limit)}`;
  return sql;
}

/**
 * The columns `rows` name, in the order they first appear. A loop rather than flatMap over the
 * rows' keys, which took ~140 ms of 100k rows' insert (an array of every key of every row).
 */
export function columnsOf(rows: readonly Row[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row)) names.add(name);
  return [...names];
}

/**
 * One INSERT for any number of rows: a column's values travel as one array parameter and
 * `unnest` zips them back into rows, so the statement's text depends on the columns only.
 */
export function insertSql(
  p: Params,
  table: PgTable,
  rows: readonly Row[],
  columns: readonly string[] = columnsOf(rows),
): string {
  const arrays = columns.map((c) => {
    const type = columnType(table, c);
    return `${p.add(rows.map((r) => toParam(type, r[c] ?? null)))}::${ARRAY_TYPES[type]}`;
  });
  return `INSERT INTO ${table.qualified} (${columns.map(quote).join(', ')}) SELECT * FROM unnest(${arrays.join(', ')})`;
}

export function updateSql(p: Params, table: PgTable, where: Predicate, changes: Row): string {
  const sets = Object.entries(changes).map(
    ([c, v]) => `${quote(c)} = ${p.add(toParam(columnType(table, c), v ?? null))}`,
  );
  if (sets.length === 0) throw new DbError('invalid_value', 'an update must change at least one column');
  return `UPDATE ${table.qualified} SET ${sets.join(', ')}${whereSql(p, table, where)}`;
}

/** Per-row changes in one UPDATE: the rows' keys and values as arrays, unnested and joined on the key. */
export function updateEachSql(p: Params, table: PgTable, key: string, rows: readonly Row[]): string {
  const first = rows[0];
  if (first === undefined) throw new DbError('invalid_value', 'updateEach needs rows');
  const columns = [key, ...Object.keys(first).filter((c) => c !== key)];
  const arrays = columns.map((c) => {
    const type = columnType(table, c);
    return `${p.add(rows.map((r) => toParam(type, r[c] ?? null)))}::${ARRAY_TYPES[type]}`;
  });
  const names = columns.map((_, i) => `c${i}`);
  const sets = columns.slice(1).map((c, i) => `${quote(c)} = v.c${i + 1}`);
  if (sets.length === 0) throw new DbError('invalid_value', 'updateEach rows must change a column');
  return (
    `UPDATE ${table.qualified} AS t SET ${sets.join(', ')} ` +
    `FROM unnest(${arrays.join(', ')}) AS v(${names.join(', ')}) WHERE t.${quote(key)} = v.c0`
  );
}

export function deleteSql(p: Params, table: PgTable, where: Predicate): string {
  return `DELETE FROM ${table.qualified}${whereSql(p, table, where)}`;
}

export function countSql(p: Params, table: PgTable, where: Predicate | undefined): string {
  return `SELECT count(*) AS n FROM ${table.qualified}${whereSql(p, table, where)}`;
}
