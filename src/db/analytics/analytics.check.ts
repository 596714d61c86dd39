import { DbError } from '../db.errors.ts';
import type { ColumnDef, ColumnType, Predicate, TableInfo } from '../db.types.ts';
import type {
  AggregateQuery,
  AnalyticsInput,
  AnalyticsQuery,
  EngineInput,
  EngineQuery,
  Expr,
  Measure,
} from './analytics.types.ts';

const NAME = /^[a-z_][a-z0-9_]*$/;
const NUMERIC: ReadonlySet<ColumnType> = new Set(['int64', 'int32', 'float64']);
/** The units trunc takes (they are written into the SQL). */
const TRUNC_UNITS: ReadonlySet<string> = new Set(['minute', 'hour', 'day']);

/** What checking needs of the table manager. */
export interface AnalyticsSchema {
  tableInfo(name: string): TableInfo;
  predicate(table: string, where: Predicate | undefined): Predicate | undefined;
}

function invalid(message: string): never {
  throw new DbError('invalid_value', `analytics: ${message}`);
}

/** An input with its columns resolved (declared ones only) and its predicate converted. */
export function resolveInput(schema: AnalyticsSchema, input: AnalyticsInput): EngineInput {
  const info = schema.tableInfo(input.table);
  if (input.columns.length === 0) invalid(`no columns of "${input.table}"`);
  const columns: ColumnDef[] = input.columns.map((name) => {
    const c = info.columns.find((d) => d.name === name);
    if (c === undefined)
      throw new DbError('unknown_column', `analytics: no column "${name}" in "${input.table}"`);
    return c;
  });
  const where = schema.predicate(input.table, input.where);
  return { table: input.table, columns, ...(where !== undefined && { where }) };
}

/** Checks a query's names and expression types, and resolves its inputs. */
export function checkQuery(schema: AnalyticsSchema, q: AnalyticsQuery): EngineQuery {
  const from = resolveInput(schema, q.from);
  if (!Number.isSafeInteger(q.limit ?? 0) || (q.limit ?? 0) < 0)
    invalid('limit must be a non-negative integer');
  if (q.kind === 'islands') {
    const { start, end, startIncl, endIncl } = q.interval;
    const type = (name: string) => from.columns.find((c) => c.name === name)?.type;
    for (const c of [start, end])
      if (type(c) !== 'int64') invalid(`interval column "${c}" must be an int64 of the input`);
    for (const c of [startIncl, endIncl])
      if (type(c) !== 'boolean') invalid(`interval flag "${c}" must be a boolean of the input`);
    if (q.bridge !== undefined && q.bridge < 0n) invalid('bridge must not be negative');
    return { ...q, from };
  }
  const joins = (q.joins ?? []).map((j) => {
    if (!NAME.test(j.as) || j.as === 'm') invalid(`join alias "${j.as}"`);
    return { ...j, input: resolveInput(schema, j.input) };
  });
  if (new Set(joins.map((j) => j.as)).size !== joins.length) invalid('join aliases must differ');
  const inputs = new Map<string | undefined, EngineInput>([[undefined, from]]);
  for (const j of joins) inputs.set(j.as, j.input);
  const typeOf = (e: Expr): ColumnType => exprType(e, inputs);
  for (const j of joins) {
    const main = typeOf({ col: j.on[0] });
    const other = typeOf({ col: j.on[1], from: j.as });
    if (main !== other) invalid(`join ${j.as}: "${j.on[0]}" and "${j.on[1]}" differ in type`);
  }
  checkOutputs(q, typeOf);
  return { ...q, from, joins };
}

function exprType(e: Expr, inputs: ReadonlyMap<string | undefined, EngineInput>): ColumnType {
  if ('col' in e) {
    const input = inputs.get(e.from);
    if (input === undefined) invalid(`no join "${e.from}"`);
    const c = input.columns.find((d) => d.name === e.col);
    if (c === undefined) invalid(`column "${e.col}" is not among its input's columns`);
    return c.type;
  }
  if ('sub' in e) {
    for (const side of e.sub) if (exprType(side, inputs) !== 'int64') invalid('sub needs int64 operands');
    return 'int64';
  }
  if ('coalesce' in e) {
    const types = e.coalesce.map((x) => exprType(x, inputs));
    if (types.length === 0 || types.some((t) => t !== types[0])) invalid('coalesce needs values of one type');
    return types[0] as ColumnType;
  }
  if ('floor' in e) {
    if (exprType(e.floor, inputs) !== 'int64' || e.step <= 0n)
      invalid('floor needs an int64 and a positive step');
    return 'int64';
  }
  if (exprType(e.trunc, inputs) !== 'timestamp') invalid('trunc needs a timestamp');
  if (!TRUNC_UNITS.has(e.unit)) invalid(`trunc unit "${String(e.unit)}"`);
  return 'timestamp';
}

function checkMeasure(name: string, m: Measure, typeOf: (e: Expr) => ColumnType): void {
  if ('where' in m && m.where !== undefined) typeOf('isNull' in m.where ? m.where.isNull : m.where.isNotNull);
  if (m.fn === 'count') return;
  const type = typeOf(m.of);
  if ((m.fn === 'sum' || m.fn === 'quantiles') && !NUMERIC.has(type))
    invalid(`${name}: ${m.fn} of a ${type}`);
  if (type === 'json') invalid(`${name}: json values cannot be aggregated`);
  if ('distinctOn' in m && m.distinctOn !== undefined) typeOf(m.distinctOn);
  if (m.fn === 'argMin' || m.fn === 'argMax') typeOf(m.by);
  if (m.fn === 'quantiles' && (m.at.length === 0 || m.at.some((q) => !(q >= 0 && q <= 1)))) {
    invalid(`${name}: quantiles between 0 and 1`);
  }
}

function checkOutputs(q: AggregateQuery, typeOf: (e: Expr) => ColumnType): void {
  const names = [...Object.keys(q.groupBy ?? {}), ...Object.keys(q.measures)];
  for (const n of names) if (!NAME.test(n)) invalid(`output name "${n}"`);
  if (new Set(names).size !== names.length) invalid('output names must differ');
  for (const e of Object.values(q.groupBy ?? {})) typeOf(e);
  for (const [name, m] of Object.entries(q.measures)) checkMeasure(name, m, typeOf);
  for (const o of q.orderBy ?? []) if (!names.includes(o.by)) invalid(`order by "${o.by}": not an output`);
  if (q.after !== undefined && q.groupBy?.[q.after.by] === undefined) invalid('after: a group key');
}
