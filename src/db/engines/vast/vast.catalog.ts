import { DbError } from '../../db.errors.ts';
import type { ColumnDef, TableInfo } from '../../db.types.ts';
import type { ApiCall, VastApi } from './vast.api.ts';
import { isMissing, isRefusal, mayBeThere } from './vast.errors.ts';
import { columnTypeOf } from './vast.values.ts';
import {
  decodeListSchemasResponse,
  decodeListTablesResponse,
  decodeTableStats,
  encodeCreateSchemaRequest,
} from './wire/wire.catalog.ts';
import { decodeStreamSchema, encodeSchemaMessage, isWireField } from './wire/wire.schema.ts';
import type { WireField } from './wire/wire.types.ts';

/** A table's columns as the wire knows them (foreign types left out). */
export interface TableMeta {
  readonly name: string;
  readonly fields: readonly WireField[];
  readonly byName: ReadonlyMap<string, WireField>;
}

const PAGE = 1000;

function listHeaders(nextKey: string, extra: Record<string, string>): Record<string, string> {
  return { 'tabular-max-keys': String(PAGE), 'tabular-next-key': nextKey, ...extra };
}

/**
 * Reads a listing page by page (`tabular-next-key`), handing each page's body to `page`; false
 * when what is listed (the schema, the table) is not there.
 */
async function eachPage(
  api: VastApi,
  call: (next: string) => ApiCall,
  page: (body: Uint8Array) => void,
): Promise<boolean> {
  let next = '0';
  for (;;) {
    let res: Awaited<ReturnType<VastApi['request']>>;
    try {
      res = await api.request(call(next));
    } catch (e) {
      if (isMissing(e)) return false;
      throw e;
    }
    page(res.body);
    const truncated = res.headers['tabular-is-truncated'] === 'true';
    const key = res.headers['tabular-next-key'];
    if (!truncated || key === undefined || key === next) return true;
    next = key;
  }
}

/** Table names in the schema (none when the schema does not exist yet). */
export async function listTables(api: VastApi, txid: bigint): Promise<string[]> {
  const names: string[] = [];
  await eachPage(
    api,
    (next) => ({
      method: 'GET',
      table: '',
      query: [['table']],
      txid,
      idempotent: true,
      headers: listHeaders(next, {
        'tabular-name-prefix': '',
        'tabular-list-count-only': 'False',
        'tabular-include-list-stats': 'False',
      }),
    }),
    (body) => {
      for (const t of decodeListTablesResponse(body).tables) names.push(t.name);
    },
  );
  return names;
}

/**
 * Whether the schema holds the table, by an exact-name listing as the SDK's `schema.table(name)`
 * looks it up (its request, test/vast/golden/list_tables_exact.json); a missing schema (404) holds
 * none.
 */
export async function tableExists(api: VastApi, txid: bigint, name: string): Promise<boolean> {
  let found = false;
  await eachPage(
    api,
    (next) => ({
      method: 'GET',
      table: '',
      query: [['table']],
      txid,
      idempotent: true,
      headers: listHeaders(next, {
        'tabular-name-exact-match': name,
        'tabular-list-count-only': 'False',
        'tabular-include-list-stats': 'True',
      }),
    }),
    (body) => {
      if (decodeListTablesResponse(body).tables.some((t) => t.name === name)) found = true;
    },
  );
  return found;
}

/**
 * After `error` (a refusal that may mean the table is not there), the exact-name listing decides:
 * null when the table is not listed, else `error` (also when the listing itself fails).
 */
async function unlessListed(api: VastApi, txid: bigint, name: string, error: unknown): Promise<null> {
  let listed: boolean;
  try {
    listed = await tableExists(api, txid, name);
  } catch {
    throw error;
  }
  if (listed) throw error;
  return null;
}

/**
 * The table's columns, or null when there is no such table (or schema). A 404 on `?column` says
 * so; any other refusal of it (a cluster may word a missing table otherwise), or an answer with no
 * column at all, is settled by the exact-name listing as the SDK settles existence.
 */
export async function loadTable(api: VastApi, txid: bigint, name: string): Promise<TableMeta | null> {
  const fields: WireField[] = [];
  let found: boolean;
  try {
    found = await eachPage(
      api,
      (next) => ({
        method: 'GET',
        table: name,
        query: [['column']],
        txid,
        idempotent: true,
        headers: listHeaders(next, { 'tabular-list-count-only': 'False', 'tabular-name-prefix': '' }),
      }),
      (body) => {
        for (const f of decodeStreamSchema(body)) if (isWireField(f)) fields.push(f);
      },
    );
  } catch (e) {
    if (!isRefusal(e)) throw e;
    return unlessListed(api, txid, name, e);
  }
  if (!found) return null;
  if (fields.length === 0 && !(await tableExists(api, txid, name))) return null;
  return { name, fields, byName: new Map(fields.map((f) => [f.name, f])) };
}

/** describeTable's answer: wire types mapped back; `$row_id` and foreign types left out. */
export function describe(meta: TableMeta): TableInfo {
  const columns: ColumnDef[] = [];
  for (const f of meta.fields) {
    const type = columnTypeOf(f.type);
    if (type !== undefined && !f.name.startsWith('$'))
      columns.push({ name: f.name, type, nullable: f.nullable });
  }
  return { name: meta.name, columns };
}

/** Whether the bucket holds the schema: an exact-name listing, as the SDK's `bucket.schema(name)`. */
async function schemaExists(api: VastApi, txid: bigint): Promise<boolean> {
  try {
    const res = await api.request({
      method: 'GET',
      bucketLevel: true,
      query: [['schema']],
      txid,
      idempotent: true,
      headers: {
        'tabular-max-keys': '1',
        'tabular-next-key': '0',
        'tabular-name-exact-match': api.schema,
        'tabular-list-count-only': 'False',
      },
    });
    return decodeListSchemasResponse(res.body).schemas.some((s) => s.name === api.schema);
  } catch (e) {
    if (isMissing(e)) return false;
    throw e;
  }
}

/** Creates the schema unless it exists (looked up first, as the SDK does; a race is tolerated). */
export async function ensureSchema(api: VastApi, txid: bigint): Promise<void> {
  if (await schemaExists(api, txid)) return;
  await create(api, txid, '', 'schema', encodeCreateSchemaRequest(), () => schemaExists(api, txid));
}

/**
 * Creates a schema (`table` ''), a table or a column; false when it was there already: another
 * process made it first, which is what this one wanted. What a refusal means is not read from its
 * status: after a 409 (or a code speaking of existence), `exists` (an exact-name listing) decides.
 * Listed: made and committed by another process. Not listed after a 409: a conflict, most likely
 * with another process's transaction creating the same thing, still open (VAST isolates DDL, so
 * the listing cannot show it) or committed after this transaction began; thrown as the conflict
 * it is (VastConflictError), so that the whole DDL transaction runs again on a fresh snapshot
 * (VastEngine's autocommit), where the other's object is either listed or no longer in the way.
 * Any other refusal, such as a bucket that is not a database, is thrown.
 */
async function create(
  api: VastApi,
  txid: bigint,
  table: string,
  kind: 'schema' | 'table' | 'column',
  body: ApiCall['body'],
  exists: () => Promise<boolean>,
): Promise<boolean> {
  try {
    await api.request({ method: 'POST', table, query: [[kind]], txid, body });
    return true;
  } catch (e) {
    if (!mayBeThere(e)) throw e;
    let there: boolean;
    try {
      there = await exists();
    } catch {
      throw e;
    }
    if (there) return false;
    throw e;
  }
}

/** Creates the table; one that exists already is not an error (another process may have won). */
export async function createTable(
  api: VastApi,
  txid: bigint,
  name: string,
  fields: readonly WireField[],
): Promise<void> {
  await create(api, txid, name, 'table', encodeSchemaMessage(fields), () => tableExists(api, txid, name));
}

/** Adds one column; false when it was there already (another process added it). */
export async function addColumn(
  api: VastApi,
  txid: bigint,
  table: string,
  field: WireField,
): Promise<boolean> {
  return create(api, txid, table, 'column', encodeSchemaMessage([field]), async () => {
    const meta = await loadTable(api, txid, table);
    return meta?.byName.has(field.name) ?? false;
  });
}

/** Drops the table; an absent one (or schema) is fine: a 404, or a refusal of one not listed. */
export async function dropTable(api: VastApi, txid: bigint, name: string): Promise<void> {
  try {
    await api.request({ method: 'DELETE', table: name, query: [['table']], txid });
  } catch (e) {
    if (isMissing(e)) return;
    if (!isRefusal(e)) throw e;
    await unlessListed(api, txid, name, e);
  }
}

/** `?stats` size_in_bytes; undefined for a table that is not there. */
export async function tableSize(api: VastApi, txid: bigint, name: string): Promise<number | undefined> {
  try {
    const res = await api.request({ method: 'GET', table: name, query: [['stats']], txid, idempotent: true });
    return Number(decodeTableStats(res.body).sizeInBytes);
  } catch (e) {
    if (isMissing(e)) return undefined;
    throw e;
  }
}

/**
 * Table layouts, cached: the hot path never lists columns. Entries are dropped by this engine's
 * own schema changes; a column another process added is found by `refresh` when a call names a
 * column the cached entry lacks.
 */
export class TableCache {
  private readonly cache = new Map<string, TableMeta>();
  private generation = 0;

  async get(name: string, load: () => Promise<TableMeta | null>): Promise<TableMeta> {
    const cached = this.cache.get(name);
    if (cached !== undefined) return cached;
    const meta = await this.load(name, load);
    if (meta === null) throw new DbError('unknown_table', `unknown table "${name}"`);
    return meta;
  }

  async load(name: string, load: () => Promise<TableMeta | null>): Promise<TableMeta | null> {
    const generation = this.generation;
    const meta = await load();
    if (meta !== null && generation === this.generation) this.cache.set(name, meta);
    return meta;
  }

  invalidate(name: string): void {
    this.generation++;
    this.cache.delete(name);
  }
}
