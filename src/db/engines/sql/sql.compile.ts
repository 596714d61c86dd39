import { DbError } from '../../db.errors.ts';
import type {
  ColumnType,
  CompareOp,
  Comparison,
  OrderBy,
  Predicate,
  Row,
  SelectOptions,
  Value,
} from '../../db.types.ts';

/**
 * The SQL of the manager's calls, for the engines that speak SQL (DuckDB, PostgreSQL): one
 * compiler of the predicate tree (an AND of per-column OR groups), SELECT, count, UPDATE and
 * DELETE, whose dialects (duckdb/duckdb.sql.ts, postgres/postgres.sql.ts) override only where
 * the two differ: how a value is bound, how a table is named, starts-with and contains, IN lists.
 * Values never enter the text: a statement's text depends on its shape only, which is what the
 * engines' prepared-statement caches key on.
 */

/** Identifiers are always quoted; the manager also restricts names to [a-z0-9_]. */
export function quote(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** The SQL operator of each ordering comparison, as DuckDB and PostgreSQL both spell it. */
const OPERATORS: Readonly<Partial<Record<CompareOp, string>>> = {
  eq: '=',
  ne: '<>',
  lt: '<',
  le: '<=',
  gt: '>',
  ge: '>=',
};

/** Comparisons that no null satisfies (SQL NULL semantics: db.types.ts `Comparison`). */
const NULL_REJECTING: ReadonlySet<CompareOp> = new Set<CompareOp>([
  'eq',
  'ne',
  'lt',
  'le',
  'gt',
  'ge',
  'in',
  'isNotNull',
  'startsWith',
  'contains',
]);

/**
 * The columns `where` holds non-null in every row it matches: those with a group whose every
 * comparison rejects a null.
 */
export function nonNullColumns(where: Predicate | undefined): Set<string> {
  const found = new Set<string>();
  for (const g of where?.all ?? []) {
    if (g.any.length > 0 && g.any.every((c) => NULL_REJECTING.has(c.op))) found.add(g.column);
  }
  return found;
}

/**
 * ` ORDER BY …` of the keys (empty for none). Explicit NULLS LAST: the contract's order, whatever
 * DuckDB's default_null_order says (PostgreSQL's default puts nulls first when descending). But a
 * descending key on a column the predicate (`where`) holds non-null is plain DESC: where nulls go
 * does not matter there, and PostgreSQL serves plain DESC by walking an ascending btree backwards,
 * which it cannot do for DESC NULLS LAST (it reads the whole range and sorts it: a Flow's segments
 * before a point, 90 ms against 0.07 ms on a Flow of 100,000).
 */
export function orderBySql(keys: readonly OrderBy[] | undefined, where?: Predicate): string {
  if (keys === undefined || keys.length === 0) return '';
  const nonNull = nonNullColumns(where);
  const sql = keys.map((o) => {
    if (o.direction !== 'desc') return `${quote(o.column)} ASC NULLS LAST`;
    return nonNull.has(o.column) ? `${quote(o.column)} DESC` : `${quote(o.column)} DESC NULLS LAST`;
  });
  return ` ORDER BY ${sql.join(', ')}`;
}

/** Collects bound parameters while SQL text is assembled; values never enter the text. */
export class SqlParams<V> {
  readonly values: V[] = [];

  /** Binds `value`: its placeholder. */
  protected push(value: V): string {
    this.values.push(value);
    return `$${this.values.length}`;
  }
}

/**
 * The columns `rows` name, in the order they first appear. A loop rather than flatMap over the
 * rows' keys, which took ~140 ms of 100k rows' insert (an array of every key of every row).
 */
export function columnsOf(rows: readonly Row[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name in row) names.add(name);
  return [...names];
}

/**
 * The compiler, over a dialect's tables `T` and parameters `P`. A dialect implements the
 * abstract members and may override `comparison` (PostgreSQL does, for U+0000).
 */
export abstract class SqlCompiler<T extends { readonly name: string }, P> {
  /** The table as a statement names it. */
  abstract tableName(table: T): string;
  /** A column's type: undefined when the table has none of that name, null for a type the contract cannot express. */
  protected abstract typeOf(table: T, column: string): ColumnType | null | undefined;
  /** Binds a value of a column's type: its placeholder. */
  abstract bind(p: P, type: ColumnType, value: Value | undefined): string;
  /** Binds a row count (LIMIT): its placeholder. */
  abstract bindCount(p: P, count: number): string;
  /** `q` (a quoted column) starts with `value`, literally. */
  protected abstract startsWith(p: P, q: string, type: ColumnType, value: Value): string;
  /** `q` (a quoted column) contains `value`, literally. */
  protected abstract contains(p: P, q: string, type: ColumnType, value: Value): string;
  /** `q` (a quoted column) is one of `values` (at least one). */
  protected abstract in(p: P, q: string, type: ColumnType, values: readonly Value[]): string;
  /** The SELECT list of a projection of no column. */
  protected readonly noColumns: string = '';

  columnType(table: T, name: string): ColumnType {
    const type = this.typeOf(table, name);
    if (type === undefined)
      throw new DbError('unknown_column', `unknown column "${name}" in table "${table.name}"`);
    if (type === null) {
      throw new DbError(
        'unknown_column',
        `column "${name}" in table "${table.name}" has an unsupported type`,
      );
    }
    return type;
  }

  protected comparison(p: P, column: string, type: ColumnType, c: Comparison): string {
    const q = quote(column);
    switch (c.op) {
      case 'isNull':
        return `${q} IS NULL`;
      case 'isNotNull':
        return `${q} IS NOT NULL`;
      case 'startsWith':
        return this.startsWith(p, q, type, c.value as Value);
      case 'contains':
        return this.contains(p, q, type, c.value as Value);
      case 'in': {
        const values = (c.value ?? []) as readonly Value[];
        return values.length === 0 ? 'FALSE' : this.in(p, q, type, values);
      }
      default: {
        const operator = OPERATORS[c.op];
        if (operator === undefined) throw new DbError('invalid_predicate', `unknown operator "${c.op}"`);
        return `${q} ${operator} ${this.bind(p, type, c.value as Value)}`;
      }
    }
  }

  /** ` WHERE …` for a predicate (empty when it has no groups): an AND of parenthesised OR groups. */
  where(p: P, table: T, where: Predicate | undefined): string {
    if (where === undefined || where.all.length === 0) return '';
    const groups = where.all.map((g) => {
      const type = this.columnType(table, g.column);
      if (g.any.length === 0) return 'FALSE';
      return `(${g.any.map((c) => this.comparison(p, g.column, type, c)).join(' OR ')})`;
    });
    return ` WHERE ${groups.join(' AND ')}`;
  }

  select(p: P, table: T, columns: readonly string[], options: SelectOptions): string {
    for (const c of columns) this.columnType(table, c);
    const list = columns.length === 0 ? this.noColumns : columns.map(quote).join(', ');
    let sql = `SELECT ${list} FROM ${this.tableName(table)}${this.where(p, table, options.where)}`;
    for (const o of options.orderBy ?? []) this.columnType(table, o.column);
    sql += orderBySql(options.orderBy, options.where);
    if (options.limit !== undefined) sql += ` LIMIT ${this.bindCount(p, options.limit)}`;
    return sql;
  }

  count(p: P, table: T, where: Predicate | undefined): string {
    return `SELECT count(*) AS n FROM ${this.tableName(table)}${this.where(p, table, where)}`;
  }

  update(p: P, table: T, where: Predicate, changes: Row): string {
    const sets: string[] = [];
    for (const column in changes) {
      sets.push(`${quote(column)} = ${this.bind(p, this.columnType(table, column), changes[column])}`);
    }
    if (sets.length === 0) throw new DbError('invalid_value', 'an update must change at least one column');
    return `UPDATE ${this.tableName(table)} SET ${sets.join(', ')}${this.where(p, table, where)}`;
  }

  delete(p: P, table: T, where: Predicate): string {
    return `DELETE FROM ${this.tableName(table)}${this.where(p, table, where)}`;
  }
}
