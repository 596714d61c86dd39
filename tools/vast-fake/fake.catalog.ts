/**
 * The fake's catalog calls: schemas, tables, columns, stats. Lists page as VAST's SDK reads them
 * (`tabular-max-keys`, integer `tabular-next-key`, answer headers `tabular-next-key`,
 * `tabular-is-truncated`, `tabular-list-count`); names are filtered by
 * `tabular-name-exact-match` or else `tabular-name-prefix`, and listed in byte order.
 */

import { Message, type Schema } from 'apache-arrow';
import {
  decodeCreateSchemaRequest,
  encodeListSchemasResponse,
  encodeListTablesResponse,
  encodeTableStats,
} from '../../src/db/engines/vast/wire/wire.catalog.ts';
import { WireFormatError } from '../../src/db/engines/vast/wire/wire.errors.ts';
import { concatBytes, EOS, readPrefix } from '../../src/db/engines/vast/wire/wire.ipc.ts';
import { ROW_ID } from '../../src/db/engines/vast/wire/wire.types.ts';
import { badRequest, conflict } from './fake.errors.ts';
import { encodeFakeSchema } from './fake.leaves.ts';
import type { FakeStore, TableState, Transaction } from './fake.store.ts';
import { RowTable } from './fake.table.ts';
import { checkColumn, type FakeField, fakeField } from './fake.types.ts';

export interface Answer {
  readonly headers?: Record<string, string>;
  readonly body?: Uint8Array;
}

type Headers = Readonly<Record<string, string | undefined>>;

export function page(
  names: string[],
  headers: Headers,
): { names: string[]; headers: Record<string, string> } {
  const exact = headers['tabular-name-exact-match'];
  const prefix = headers['tabular-name-prefix'] ?? '';
  const all = names
    .filter((n) => (exact !== undefined ? n === exact : n.startsWith(prefix)))
    .sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const from = Number.parseInt(headers['tabular-next-key'] ?? '0', 10) || 0;
  const max = Number.parseInt(headers['tabular-max-keys'] ?? '1000', 10) || 1000;
  const countOnly = (headers['tabular-list-count-only'] ?? '').toLowerCase() === 'true';
  const slice = countOnly ? [] : all.slice(from, from + max);
  const truncated = !countOnly && from + max < all.length;
  return {
    names: slice,
    headers: {
      'tabular-next-key': String(truncated ? from + max : 0),
      'tabular-is-truncated': truncated ? 'true' : 'false',
      'tabular-list-count': String(countOnly ? all.length : slice.length),
    },
  };
}

/**
 * Arrow schema message body (`pa.Schema.serialize()`: one message, no end-of-stream marker) ->
 * the fake's columns; a type VAST does not take is refused as VAST's code says (fake.types.ts).
 */
export function readFields(body: Uint8Array): FakeField[] {
  const view = new DataView(body.buffer, body.byteOffset, body.byteLength);
  const prefix = readPrefix(view, 0, body.byteLength);
  const end = prefix ? prefix.prefixLength + prefix.metadataLength : 0;
  if (!prefix || prefix.metadataLength === 0 || end > body.byteLength)
    throw new WireFormatError('no schema message');
  if (end !== body.byteLength)
    throw new WireFormatError(`${body.byteLength - end} bytes after the schema message`);
  let schema: Schema;
  try {
    const message = Message.decode(body.subarray(prefix.prefixLength, end));
    if (!message.isSchema()) throw new WireFormatError('not a schema message');
    schema = message.header();
  } catch (cause) {
    if (cause instanceof WireFormatError) throw cause;
    throw new WireFormatError('unreadable schema message', { cause });
  }
  return schema.fields.map((f) => {
    if (f.name === ROW_ID) throw badRequest(`${ROW_ID} is reserved`);
    checkColumn(f);
    return fakeField(f);
  });
}

export function createSchema(store: FakeStore, tx: Transaction, name: string, body: Uint8Array): Answer {
  if (body.byteLength > 0) decodeCreateSchemaRequest(body);
  store.createSchema(tx, name);
  return {};
}

export function listSchemas(
  store: FakeStore,
  tx: Transaction,
  bucket: string,
  parent: string,
  headers: Headers,
): Answer {
  // Nested schemas are not kept: a parent lists nothing (after checking that it exists).
  if (parent !== '') store.schema(tx, parent);
  const names = parent === '' ? [...tx.catalog.schemas.keys()] : [];
  const p = page(names, headers);
  return {
    headers: p.headers,
    body: encodeListSchemasResponse({ bucketName: bucket, schemas: p.names.map((name) => ({ name })) }),
  };
}

export function listTables(
  store: FakeStore,
  tx: Transaction,
  bucket: string,
  schema: string,
  headers: Headers,
): Answer {
  store.schema(tx, schema);
  const prefix = `${schema}/`;
  const byName = new Map<string, TableState>();
  for (const [key, t] of tx.catalog.tables)
    if (key.startsWith(prefix)) byName.set(key.slice(prefix.length), t);
  const p = page([...byName.keys()], headers);
  const tables = p.names.map((name) => {
    const t = byName.get(name) as TableState;
    return { name, handle: String(t.uid), numRows: BigInt(t.rows.size), sizeInBytes: sizeOf(t) };
  });
  return {
    headers: p.headers,
    body: encodeListTablesResponse({ bucketName: bucket, schemaName: schema, tables }),
  };
}

/** A stand-in for bytes stored: 8 bytes a cell, strings at their UTF-8 length (of `columns` only). */
export function sizeOf(t: TableState, columns?: ReadonlySet<string>): bigint {
  let n = 0;
  t.rows.walk(0n, (row) => {
    for (const [k, v] of Object.entries(row)) {
      if (columns === undefined || columns.has(k)) n += typeof v === 'string' ? Buffer.byteLength(v) : 8;
    }
    return true;
  });
  return BigInt(n);
}

export function tableStats(t: TableState): Answer {
  return { body: encodeTableStats({ numRows: BigInt(t.rows.size), sizeInBytes: sizeOf(t) }) };
}

export function createTable(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  body: Uint8Array,
): Answer {
  const fields = readFields(body);
  if (fields.length === 0) throw badRequest('a table needs at least one column');
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) throw badRequest(`column ${f.name} given twice`);
    names.add(f.name);
  }
  store.createTable(tx, schema, table, fields);
  return {};
}

/** The table's schema as an IPC stream (schema message + EOS), as `pa.ipc.open_stream` reads it. */
export function listColumns(t: TableState, headers: Headers): Answer {
  const p = page(
    t.fields.map((f) => f.name),
    { ...headers, 'tabular-name-prefix': headers['tabular-name-prefix'] ?? '' },
  );
  // Keep the table's own order, not the name order the pager sorts by.
  const chosen = new Set(p.names);
  const fields = t.fields.filter((f) => chosen.has(f.name));
  return { headers: p.headers, body: concatBytes([encodeFakeSchema(fields), EOS]) };
}

export function addColumns(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  body: Uint8Array,
): Answer {
  const t = store.table(tx, schema, table);
  const added = readFields(body);
  for (const f of added) {
    if (t.fields.some((g) => g.name === f.name))
      throw conflict('ColumnAlreadyExists', `column ${f.name} exists`);
  }
  const rows = RowTable.fromSorted(
    t.rows.all().map((r) => {
      const next = { ...r };
      for (const f of added) next[f.name] = null;
      return next;
    }),
  );
  store.putTable(tx, schema, table, { ...t, fields: [...t.fields, ...added], rows });
  return {};
}

export function dropColumns(
  store: FakeStore,
  tx: Transaction,
  schema: string,
  table: string,
  body: Uint8Array,
): Answer {
  const t = store.table(tx, schema, table);
  const gone = new Set(readFields(body).map((f) => f.name));
  for (const name of gone) {
    if (!t.fields.some((f) => f.name === name)) throw badRequest(`no column ${name}`, 'NoSuchColumn');
    // What VAST does with a projection's column is not published: the fake refuses to drop it.
    const held = (t.projections ?? []).find((p) => p.sorted.includes(name) || p.unsorted.includes(name));
    if (held) throw badRequest(`column ${name} is in projection ${held.name}`);
  }
  const fields = t.fields.filter((f) => !gone.has(f.name));
  if (fields.length === 0) throw badRequest('a table needs at least one column');
  const rows = RowTable.fromSorted(
    t.rows.all().map((r) => {
      const next = { ...r };
      for (const name of gone) delete next[name];
      return next;
    }),
  );
  store.putTable(tx, schema, table, { ...t, fields, rows });
  return {};
}
