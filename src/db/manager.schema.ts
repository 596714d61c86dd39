import { DbError } from './db.errors.ts';
import type { ColumnDef, ColumnType, Engine, TableDef, TableInfo } from './db.types.ts';
import { toEngineValue } from './manager.values.ts';

/**
 * Lower-case identifiers only: DuckDB matches identifiers case-insensitively while VAST does not,
 * so names that differ only by case would behave differently per engine.
 */
const NAME = /^[a-z_][a-z0-9_]*$/;
const TYPES: ReadonlySet<ColumnType> = new Set([
  'string',
  'int64',
  'int32',
  'float64',
  'boolean',
  'timestamp',
  'json',
]);

/** A declared table as the hot path needs it: lookups by name without touching the catalogue. */
export interface CachedTable {
  readonly def: TableDef;
  readonly byName: ReadonlyMap<string, ColumnDef>;
  readonly names: readonly string[];
  readonly jsonColumns: readonly string[];
}

export class SchemaCache {
  private readonly tables = new Map<string, CachedTable>();

  constructor(defs: readonly TableDef[]) {
    for (const def of defs) {
      this.tables.set(def.name, {
        def,
        byName: new Map(def.columns.map((c) => [c.name, c])),
        names: def.columns.map((c) => c.name),
        jsonColumns: def.columns.filter((c) => c.type === 'json').map((c) => c.name),
      });
    }
  }

  table(name: string): CachedTable {
    const t = this.tables.get(name);
    if (t === undefined) throw new DbError('unknown_table', `unknown table "${name}"`);
    return t;
  }

  column(table: CachedTable, name: string, where: string): ColumnDef {
    const c = table.byName.get(name);
    if (c === undefined) {
      throw new DbError('unknown_column', `${where}: unknown column "${name}" in table "${table.def.name}"`);
    }
    return c;
  }

  names(): string[] {
    return [...this.tables.keys()];
  }
}

export function validateTableDefs(defs: readonly TableDef[]): void {
  const seen = new Set<string>();
  for (const def of defs) {
    const where = `table "${def.name}"`;
    if (!NAME.test(def.name)) invalid(`${where}: name must match ${NAME}`);
    if (seen.has(def.name)) invalid(`${where} is declared twice`);
    seen.add(def.name);
    if (def.columns.length === 0) invalid(`${where} has no columns`);
    const columns = new Set<string>();
    for (const c of def.columns) {
      if (!NAME.test(c.name)) invalid(`${where}: column name "${c.name}" must match ${NAME}`);
      if (columns.has(c.name)) invalid(`${where}: column "${c.name}" is declared twice`);
      columns.add(c.name);
      if (!TYPES.has(c.type)) invalid(`${where}: column "${c.name}" has unknown type "${c.type}"`);
      if (c.defaultValue !== undefined && c.defaultValue !== null) toEngineValue(c, c.defaultValue, where);
    }
    for (const list of [...(def.lookups ?? []).map((c) => [c]), ...(def.indexes ?? [])]) {
      if (list.length === 0) invalid(`${where}: an index names no column`);
      for (const c of list) if (!columns.has(c)) invalid(`${where}: index column "${c}" is not declared`);
    }
  }
}

function invalid(message: string): never {
  throw new DbError('invalid_definition', message);
}

/** json is utf8 holding JSON text, so an engine without a JSON type reports it as string. */
function compatible(declared: ColumnType, existing: ColumnType): boolean {
  if (declared === existing) return true;
  return (declared === 'json' && existing === 'string') || (declared === 'string' && existing === 'json');
}

/** The column as the engine must store it: the default serialised like any other value. */
function engineColumn(c: ColumnDef, where: string): ColumnDef {
  if (c.defaultValue === undefined || c.defaultValue === null) return c;
  const stored = toEngineValue(c, c.defaultValue, where);
  return { ...c, defaultValue: stored };
}

/**
 * Creates missing tables and adds missing columns. Never drops or retypes anything: a column the
 * table has but the definition lacks is left in place (and ignored by the manager).
 */
export async function evolveSchema(engine: Engine, defs: readonly TableDef[]): Promise<void> {
  // Described all at once: on VAST, describes started together share one read transaction
  // (34 begins and commits fewer when the server opens its store).
  const infos = await Promise.all(defs.map((def) => engine.describeTable(def.name)));
  for (const [i, def] of defs.entries()) {
    const info: TableInfo | null = infos[i] ?? null;
    const where = `table "${def.name}"`;
    if (info === null) {
      await engine.createTable({ name: def.name, columns: def.columns.map((c) => engineColumn(c, where)) });
      await ensureIndexes(engine, def);
      continue;
    }
    const existing = new Map(info.columns.map((c) => [c.name, c]));
    for (const c of def.columns) {
      const found = existing.get(c.name);
      if (found !== undefined) {
        if (!compatible(c.type, found.type)) {
          throw new DbError(
            'schema_mismatch',
            `${where}: column "${c.name}" is declared ${c.type} but the table has ${found.type}`,
          );
        }
        continue;
      }
      if (c.nullable === false && (c.defaultValue === undefined || c.defaultValue === null)) {
        invalid(`${where}: non-nullable column "${c.name}" added to an existing table needs a defaultValue`);
      }
      await engine.addColumn(def.name, engineColumn(c, where));
    }
    await ensureIndexes(engine, def);
  }
}

/** The table's lookups and indexes, where the engine keeps such things (each made once). */
async function ensureIndexes(engine: Engine, def: TableDef): Promise<void> {
  if (def.lookups && engine.ensureLookups) await engine.ensureLookups(def.name, def.lookups);
  if (def.indexes && def.indexes.length > 0 && engine.ensureIndexes)
    await engine.ensureIndexes(def.name, def.indexes);
}
