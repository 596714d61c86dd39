import { DbError } from '../../db.errors.ts';
import type { ColumnType, Comparison, Row, Value } from '../../db.types.ts';
import { columnsOf, quote, SqlCompiler, SqlParams } from '../sql/sql.compile.ts';
import { ARRAY_TYPES, NUL, type Param, toParam } from './postgres.values.ts';

/** A table as the engine knows it: where it is and its columns' types. */
export interface PgTable {
  /** `"schema"."table"`, quoted. */
  readonly qualified: string;
  readonly name: string;
  readonly types: ReadonlyMap<string, ColumnType | null>;
}

/** Bound parameters as node-postgres sends them: scalars and arrays. */
export class Params extends SqlParams<Param | Param[]> {
  add(value: Param | Param[]): string {
    return this.push(value);
  }
}

/** One column's values across an insert's rows: an array parameter and its cast. */
export interface ColumnArray {
  readonly column: string;
  readonly values: Param[];
  readonly cast: string;
}

/** An insert's rows as its arrays (PostgresSql.columnArrays). */
export interface ArrayInsert {
  readonly table: PgTable;
  readonly arrays: readonly ColumnArray[];
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

/** PostgreSQL's SQL: schema-qualified tables, plain and array parameters, text without U+0000. */
class PostgresSql extends SqlCompiler<PgTable, Params> {
  protected override readonly noColumns = 'NULL';

  tableName(table: PgTable): string {
    return table.qualified;
  }

  protected typeOf(table: PgTable, column: string): ColumnType | null | undefined {
    return table.types.get(column);
  }

  bind(p: Params, type: ColumnType, value: Value | undefined): string {
    return p.add(toParam(type, value));
  }

  bindCount(p: Params, count: number): string {
    return p.add(count);
  }

  protected override comparison(p: Params, column: string, type: ColumnType, c: Comparison): string {
    if (type !== 'string') return super.comparison(p, column, type, c);
    if (c.op === 'in') {
      // No stored text equals a string holding U+0000.
      const values = ((c.value ?? []) as readonly Value[]).filter((v) => !holdsNul(v));
      return super.comparison(p, column, type, { op: 'in', value: values });
    }
    if (holdsNul(c.value)) return nulComparisonSql(p, quote(column), c);
    return super.comparison(p, column, type, c);
  }

  protected startsWith(p: Params, q: string, _type: ColumnType, value: Value): string {
    // LIKE on a "C"-collated column can use a btree index for the prefix; starts_with cannot.
    return `${q} LIKE ${p.add(likePrefix(String(value)))}`;
  }

  protected contains(p: Params, q: string, type: ColumnType, value: Value): string {
    return `strpos(${q}, ${this.bind(p, type, value)}) > 0`;
  }

  protected in(p: Params, q: string, type: ColumnType, values: readonly Value[]): string {
    // One array parameter: the statement's text does not depend on the list's length.
    return `${q} = ANY(${p.add(values.map((v) => toParam(type, v)))}::${ARRAY_TYPES[type]})`;
  }

  /** Each column's values across the rows as one typed array parameter. */
  private arrays(p: Params, table: PgTable, columns: readonly string[], rows: readonly Row[]): string[] {
    return this.bindArrays(p, this.columnArrays(table, columns, rows));
  }

  /** Each column's values across the rows, as its array parameter sends them (refusing what it cannot). */
  columnArrays(table: PgTable, columns: readonly string[], rows: readonly Row[]): ColumnArray[] {
    return columns.map((c) => {
      const type = this.columnType(table, c);
      return { column: c, values: rows.map((r) => toParam(type, r[c] ?? null)), cast: ARRAY_TYPES[type] };
    });
  }

  private bindArrays(p: Params, arrays: readonly ColumnArray[]): string[] {
    return arrays.map((a) => `${p.add(a.values)}::${a.cast}`);
  }

  /**
   * One INSERT for any number of rows: a column's values travel as one array parameter and
   * `unnest` zips them back into rows, so the statement's text depends on the columns only.
   */
  insert(
    p: Params,
    table: PgTable,
    rows: readonly Row[],
    columns: readonly string[] = columnsOf(rows),
  ): string {
    return this.insertOf(p, { table, arrays: this.columnArrays(table, columns, rows) });
  }

  /** `insert` of values already made into arrays (columnArrays). */
  insertOf(p: Params, insert: ArrayInsert): string {
    const columns = insert.arrays.map((a) => quote(a.column)).join(', ');
    const arrays = this.bindArrays(p, insert.arrays);
    return `INSERT INTO ${insert.table.qualified} (${columns}) SELECT * FROM unnest(${arrays.join(', ')})`;
  }

  /**
   * Inserts as the WITH clauses of the statement that follows them (`WITH w0 AS (INSERT …), …
   * `), bound first: PostgreSQL runs each to completion with that statement, on its snapshot, so
   * that statement must neither read nor change the tables they insert into.
   */
  withInserts(p: Params, inserts: readonly ArrayInsert[]): string {
    if (inserts.length === 0) return '';
    return `WITH ${inserts.map((insert, i) => `w${i} AS (${this.insertOf(p, insert)})`).join(', ')} `;
  }

  /** Per-row changes in one UPDATE: the rows' keys and values as arrays, unnested and joined on the key. */
  updateEach(p: Params, table: PgTable, key: string, rows: readonly Row[]): string {
    const first = rows[0];
    if (first === undefined) throw new DbError('invalid_value', 'updateEach needs rows');
    const columns = [key, ...Object.keys(first).filter((c) => c !== key)];
    const arrays = this.arrays(p, table, columns, rows);
    const names = columns.map((_, i) => `c${i}`);
    const sets = columns.slice(1).map((c, i) => `${quote(c)} = v.c${i + 1}`);
    if (sets.length === 0) throw new DbError('invalid_value', 'updateEach rows must change a column');
    return (
      `UPDATE ${table.qualified} AS t SET ${sets.join(', ')} ` +
      `FROM unnest(${arrays.join(', ')}) AS v(${names.join(', ')}) WHERE t.${quote(key)} = v.c0`
    );
  }
}

export const POSTGRES_SQL = new PostgresSql();
