import { DbError } from './db.errors.ts';
import type {
  ColumnGroup,
  Comparison,
  DbSession,
  OrderBy,
  Predicate,
  Row,
  SelectOptions,
  Value,
} from './db.types.ts';
import type { CachedTable, SchemaCache } from './manager.schema.ts';
import { fromJsonText, toEngineScalar, toEngineValue } from './manager.values.ts';

const SCALAR_OPS = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** Checks a session may be used right now (manager open, transaction still running, ...). */
export type SessionGuard = (write: boolean) => void;

/**
 * Validates names and values against the cached definitions, converts values to and from the
 * engine representation, then delegates to an engine session (autocommit or transactional).
 */
export class ValidatingSession implements DbSession {
  constructor(
    private readonly schema: SchemaCache,
    private readonly inner: DbSession,
    private readonly guard: SessionGuard,
  ) {}

  async select(table: string, options: SelectOptions = {}): Promise<Row[]> {
    this.guard(false);
    const t = this.schema.table(table);
    const columns = options.columns ?? t.names;
    if (columns.length === 0) throw new DbError('invalid_value', `select from "${table}": empty column list`);
    for (const c of columns) this.schema.column(t, c, `select from "${table}"`);
    const orderBy = options.orderBy?.map((o) => this.checkOrder(t, o));
    const limit = options.limit;
    if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
      throw new DbError('invalid_value', `select from "${table}": limit must be a non-negative integer`);
    }
    const where = this.convertWhere(t, options.where);
    if (limit === 0) return [];
    const rows = await this.inner.select(table, {
      columns,
      where,
      orderBy,
      limit,
      ...(options.lag === true && { lag: true }),
    });
    const json = t.jsonColumns.filter((c) => columns.includes(c));
    if (json.length > 0) {
      for (const row of rows) for (const c of json) row[c] = fromJsonText(c, row[c]);
    }
    return rows;
  }

  async scan(
    table: string,
    options: Omit<SelectOptions, 'limit'>,
    onBatch: (rows: Row[]) => void | Promise<void>,
  ): Promise<void> {
    this.guard(false);
    const t = this.schema.table(table);
    const columns = options.columns ?? t.names;
    if (columns.length === 0) throw new DbError('invalid_value', `scan of "${table}": empty column list`);
    for (const c of columns) this.schema.column(t, c, `scan of "${table}"`);
    const orderBy = options.orderBy?.map((o) => this.checkOrder(t, o));
    const where = this.convertWhere(t, options.where);
    const json = t.jsonColumns.filter((c) => columns.includes(c));
    await this.inner.scan(table, { columns, where, orderBy }, async (rows) => {
      if (json.length > 0) {
        for (const row of rows) for (const c of json) row[c] = fromJsonText(c, row[c]);
      }
      await onBatch(rows);
    });
  }

  async count(table: string, where?: Predicate): Promise<number> {
    this.guard(false);
    const t = this.schema.table(table);
    return this.inner.count(table, this.convertWhere(t, where));
  }

  async insert(table: string, rows: readonly Row[]): Promise<void> {
    this.guard(true);
    const t = this.schema.table(table);
    if (rows.length === 0) return;
    const where = `insert into "${table}"`;
    const out: Row[] = new Array(rows.length);
    const columns = t.def.columns;
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i] as Row;
      for (const key in row) this.schema.column(t, key, where);
      const converted: Row = {};
      for (const c of columns) {
        const v = row[c.name];
        converted[c.name] = toEngineValue(c, v === undefined ? c.defaultValue : v, where);
      }
      out[i] = converted;
    }
    await this.inner.insert(table, out);
  }

  async update(table: string, where: Predicate, changes: Row): Promise<number> {
    this.guard(true);
    const t = this.schema.table(table);
    const w = `update "${table}"`;
    const converted: Row = {};
    let any = false;
    for (const key in changes) {
      const c = this.schema.column(t, key, w);
      const v = changes[key];
      if (v === undefined) continue;
      converted[key] = toEngineValue(c, v, w);
      any = true;
    }
    const pred = this.convertWhere(t, where) ?? { all: [] };
    // Nothing to change: report how many rows would have been touched, without writing.
    if (!any) return this.inner.count(table, pred);
    return this.inner.update(table, pred, converted);
  }

  async delete(table: string, where: Predicate): Promise<number> {
    this.guard(true);
    const t = this.schema.table(table);
    return this.inner.delete(table, this.convertWhere(t, where) ?? { all: [] });
  }

  async updateEach(table: string, key: string, rows: readonly Row[]): Promise<number> {
    this.guard(true);
    const t = this.schema.table(table);
    const w = `updateEach "${table}"`;
    const keyColumn = this.schema.column(t, key, w);
    if (keyColumn.type === 'json')
      throw new DbError('invalid_predicate', `${w}: cannot key on json column "${key}"`);
    if (rows.length === 0) return 0;
    const columns = Object.keys(rows[0] as Row).filter((c) => c !== key);
    if (columns.length === 0) throw new DbError('invalid_value', `${w}: rows change no column`);
    const seen = new Set<unknown>();
    const converted = rows.map((row) => {
      const names = Object.keys(row);
      if (names.length !== columns.length + 1 || !(key in row) || columns.some((c) => !(c in row))) {
        throw new DbError('invalid_value', `${w}: every row must have "${key}" and the same columns`);
      }
      const out: Row = { [key]: this.scalar(key, t, row[key], w) };
      const id = typeof out[key] === 'object' ? String(out[key]) : out[key];
      if (seen.has(id)) throw new DbError('invalid_value', `${w}: duplicate key ${String(row[key])}`);
      seen.add(id);
      for (const c of columns) out[c] = toEngineValue(this.schema.column(t, c, w), row[c], w);
      return out;
    });
    return this.inner.updateEach(table, key, converted);
  }

  /** A predicate on `table` checked and converted as every call's is (analytics inputs). */
  predicate(table: string, where: Predicate | undefined): Predicate | undefined {
    return this.convertWhere(this.schema.table(table), where);
  }

  private checkOrder(t: CachedTable, o: OrderBy): OrderBy {
    const c = this.schema.column(t, o.column, `order by on "${t.def.name}"`);
    if (c.type === 'json') throw new DbError('invalid_predicate', `cannot order by json column "${c.name}"`);
    if (o.direction !== undefined && o.direction !== 'asc' && o.direction !== 'desc') {
      throw new DbError('invalid_predicate', `order by "${c.name}": direction must be asc or desc`);
    }
    return o;
  }

  private convertWhere(t: CachedTable, where: Predicate | undefined): Predicate | undefined {
    if (where === undefined) return undefined;
    if (!Array.isArray(where.all)) throw new DbError('invalid_predicate', 'a predicate needs an "all" array');
    return { all: where.all.map((g) => this.convertGroup(t, g)) };
  }

  private convertGroup(t: CachedTable, g: ColumnGroup): ColumnGroup {
    const where = `where on "${t.def.name}"`;
    const column = this.schema.column(t, g.column, where);
    const any = g.any.map((c): Comparison => {
      const at = `${where}, ${c.op}`;
      if (c.op === 'isNull' || c.op === 'isNotNull') return { op: c.op };
      if (column.type === 'json') {
        throw new DbError(
          'invalid_predicate',
          `${at}: json column "${column.name}" only supports isNull/isNotNull`,
        );
      }
      if (c.op === 'in') {
        if (!Array.isArray(c.value)) throw new DbError('invalid_predicate', `${at}: needs an array`);
        return { op: 'in', value: c.value.map((v: Value) => this.scalar(column.name, t, v, at)) };
      }
      if (c.op === 'startsWith' || c.op === 'contains') {
        if (column.type !== 'string') {
          throw new DbError('invalid_predicate', `${at}: column "${column.name}" is not a string column`);
        }
        return { op: c.op, value: this.scalar(column.name, t, c.value, at) };
      }
      if (!SCALAR_OPS.has(c.op)) throw new DbError('invalid_predicate', `${at}: unknown operator`);
      return { op: c.op, value: this.scalar(column.name, t, c.value, at) };
    });
    return { column: g.column, any };
  }

  private scalar(name: string, t: CachedTable, v: unknown, at: string): Value {
    if (v === null || v === undefined) {
      throw new DbError('invalid_predicate', `${at}: "${name}" compared with null (use isNull/isNotNull)`);
    }
    return toEngineScalar(this.schema.column(t, name, at), v, at);
  }
}
