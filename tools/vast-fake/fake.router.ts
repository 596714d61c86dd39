/**
 * The fake's request routing: which call a request is (for counters and fault rules, known before
 * its body is read), and the dispatch to the catalog, row, transaction and query handlers.
 * URLs as VAST's clients build them (PROTOCOL.md §1.4): `/?transaction`, `/{bucket}?schema`,
 * `/{bucket}/{schema}?schema|table`, `/{bucket}/{schema}/{table}?table|column|stats|rows|data`,
 * and `?columns` (the Java client's listing), `?sorted-columns` (fake.sorted.ts), projections
 * (`?projection`, `?projection-stats`, `?projection-columns`: fake.projections.ts).
 *
 * A call without a transaction (no `tabular-txid`, or 0: the SDK's calls default to 0, the Java
 * client lists without one) runs in a transaction of its own, committed when it is done or
 * dropped when it fails: the fake's reading of what a cluster does with it (not documented).
 */
import {
  type Answer,
  addColumns,
  createSchema,
  createTable,
  dropColumns,
  listColumns,
  listSchemas,
  listTables,
  tableStats,
} from './fake.catalog.ts';
import { badRequest, FakeVastError, notFound } from './fake.errors.ts';
import type { CallKind } from './fake.faults.ts';
import type { FakeLimits } from './fake.limits.ts';
import {
  addDeclaredProjections,
  alterProjection,
  chooseProjection,
  createProjection,
  type DeclaredProjection,
  dropProjection,
  listProjectionColumns,
  listProjections,
  projectionStats,
} from './fake.projections.ts';
import { parseQuery, type QueryAnswer, runQuery } from './fake.query.ts';
import { deleteRows, insertRows, updateRows } from './fake.rows.ts';
import { refuseSortingKey, sortedColumnsRefusal } from './fake.sorted.ts';
import type { FakeStore, Transaction } from './fake.store.ts';

const COMMANDS = [
  'transaction',
  'schema',
  'table',
  'column',
  'columns',
  'sorted-columns',
  'stats',
  'rows',
  'data',
  'projection',
  'projection-stats',
  'projection-columns',
] as const;
type Command = (typeof COMMANDS)[number];

export interface Parsed {
  readonly method: string;
  /** Decoded path segments: bucket, schema, table. */
  readonly parts: readonly string[];
  readonly command: Command | null;
  /** Query parameters with a value (`name=` of projections and QueryData), decoded. */
  readonly params: ReadonlyMap<string, string>;
  readonly kind: CallKind;
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text.replace(/\+/g, ' '));
  } catch {
    return text;
  }
}

export function parseTarget(method: string, target: string): Parsed {
  const q = target.indexOf('?');
  const rawPath = q < 0 ? target : target.slice(0, q);
  const rawQuery = q < 0 ? '' : target.slice(q + 1);
  const parts = rawPath
    .split('/')
    .filter((p) => p !== '')
    .map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
  const pairs = rawQuery.split('&').map((p) => {
    const at = p.indexOf('=');
    return at < 0 ? [p, null] : [p.slice(0, at), decode(p.slice(at + 1))];
  });
  const names = pairs.map(([k]) => k);
  const command = (COMMANDS as readonly string[]).find((c) => names.includes(c)) as Command | undefined;
  const params = new Map(pairs.filter((p): p is [string, string] => p[1] !== null));
  return {
    method,
    parts,
    command: command ?? null,
    params,
    kind: kindOf(method, parts.length, command ?? null),
  };
}

function kindOf(method: string, depth: number, command: Command | null): CallKind {
  switch (command) {
    case 'transaction':
      return method === 'POST'
        ? 'begin'
        : method === 'PUT'
          ? 'commit'
          : method === 'DELETE'
            ? 'rollback'
            : 'keepalive';
    case 'schema':
    case 'table':
    case 'column':
    case 'columns':
    case 'sorted-columns':
    case 'projection':
    case 'projection-columns':
      return method === 'GET' ? 'list' : 'ddl';
    case 'projection-stats':
      return 'stats';
    case 'stats':
      return 'stats';
    case 'rows':
      return method === 'POST' ? 'insert' : method === 'PUT' ? 'update' : 'delete';
    case 'data':
      return 'query';
    default:
      return method === 'HEAD' && depth === 1 ? 'list' : 'other';
  }
}

export type Routed = { readonly answer: Answer } | { readonly query: QueryAnswer };

type Headers = Readonly<Record<string, string | undefined>>;

function txidOf(headers: Headers): bigint | null {
  const text = headers['tabular-txid'];
  if (text === undefined || text === '' || text === '0') return null;
  if (!/^[0-9]{1,20}$/.test(text)) throw badRequest(`bad tabular-txid ${text}`);
  return BigInt(text);
}

export interface RouteContext {
  readonly store: FakeStore;
  readonly bucket: string;
  /** Cell size and open transactions (fake.limits.ts); none when absent. */
  readonly limits?: FakeLimits;
  /** Projections created with the tables they name (fake.projections.ts). */
  readonly projections?: readonly DeclaredProjection[];
}

export function route(ctx: RouteContext, p: Parsed, headers: Headers, body: Uint8Array): Routed {
  const { store } = ctx;
  const { method, parts, command } = p;
  const txid = txidOf(headers);
  if (command === 'transaction') {
    if (parts.length !== 0) throw badRequest('?transaction is sent to /');
    if (method === 'POST') {
      ctx.limits?.admitBegin(store);
      return { answer: { headers: { 'tabular-txid': String(store.begin().id) } } };
    }
    if (method === 'GET') {
      if (txid !== null) store.get(txid); // keep-alive; without a txid: the version probe
      return { answer: {} };
    }
    if (txid === null) throw badRequest('commit and rollback need a tabular-txid', 'MissingTransaction');
    if (method === 'PUT') store.commit(txid);
    else if (method === 'DELETE') store.rollback(txid);
    else throw new FakeVastError(405, 'MethodNotAllowed', `${method} ?transaction`);
    return { answer: {} };
  }
  const [bucket] = parts;
  if (bucket === undefined) throw badRequest('no bucket in the path');
  if (bucket !== ctx.bucket) throw notFound('NoSuchBucket', `bucket ${bucket} does not exist`);
  if (method === 'HEAD' && parts.length === 1 && command === null) return { answer: {} };
  if (txid !== null) return dispatch(ctx, p, headers, body, store.get(txid));
  const own = store.begin();
  let routed: Routed;
  try {
    routed = dispatch(ctx, p, headers, body, own);
  } catch (e) {
    store.rollback(own.id);
    throw e;
  }
  store.commit(own.id);
  return routed;
}

/** A call on a bucket, schema or table, in transaction `tx`. */
function dispatch(ctx: RouteContext, p: Parsed, headers: Headers, body: Uint8Array, tx: Transaction): Routed {
  const { store } = ctx;
  const { method, parts, command } = p;
  const [bucket, schema, table] = parts as [string, string | undefined, string | undefined];
  const key = `${method} ?${command ?? ''} /${parts.length}`;
  switch (key) {
    case 'GET ?schema /1':
      return { answer: listSchemas(store, tx, bucket, '', headers) };
    case 'GET ?schema /2':
      return { answer: listSchemas(store, tx, bucket, schema as string, headers) };
    case 'POST ?schema /2':
      return { answer: createSchema(store, tx, schema as string, body) };
    case 'DELETE ?schema /2':
      store.dropSchema(tx, schema as string);
      return { answer: {} };
    case 'GET ?table /2':
      return { answer: listTables(store, tx, bucket, schema as string, headers) };
    case 'POST ?table /3': {
      refuseSortingKey(headers);
      const answer = createTable(store, tx, schema as string, table as string, body);
      addDeclaredProjections(store, tx, schema as string, table as string, ctx.projections ?? []);
      return { answer };
    }
    case 'DELETE ?table /3':
      store.dropTable(tx, schema as string, table as string);
      return { answer: {} };
    case 'GET ?stats /3':
      return { answer: tableStats(store.table(tx, schema as string, table as string)) };
    case 'GET ?column /3':
    case 'GET ?columns /3':
      return { answer: listColumns(store.table(tx, schema as string, table as string), headers) };
    case 'GET ?sorted-columns /3':
      store.table(tx, schema as string, table as string);
      throw sortedColumnsRefusal(`${schema}/${table}`);
    case 'POST ?column /3':
      return { answer: addColumns(store, tx, schema as string, table as string, body) };
    case 'DELETE ?column /3':
      return { answer: dropColumns(store, tx, schema as string, table as string, body) };
    case 'POST ?rows /3':
      return { answer: insertRows(store, tx, schema as string, table as string, body, ctx.limits) };
    case 'PUT ?rows /3':
      return { answer: updateRows(store, tx, schema as string, table as string, body, ctx.limits) };
    case 'DELETE ?rows /3':
      return { answer: deleteRows(store, tx, schema as string, table as string, body) };
    case 'GET ?data /3': {
      const t = store.table(tx, schema as string, table as string);
      const req = parseQuery(body);
      const from = chooseProjection(t, req, headers, p.params.get('name'));
      return { query: runQuery(t, req, headers, undefined, from) };
    }
    case 'POST ?projection /3':
      return {
        answer: createProjection(store, tx, schema as string, table as string, p.params.get('name'), body),
      };
    case 'PUT ?projection /3':
      return {
        answer: alterProjection(store, tx, schema as string, table as string, p.params.get('name'), body),
      };
    case 'DELETE ?projection /3':
      return { answer: dropProjection(store, tx, schema as string, table as string, p.params.get('name')) };
    case 'GET ?projection /3': {
      const t = store.table(tx, schema as string, table as string);
      return { answer: listProjections(bucket, schema as string, table as string, t, headers) };
    }
    case 'GET ?projection-stats /3':
      return {
        answer: projectionStats(store.table(tx, schema as string, table as string), p.params.get('name')),
      };
    case 'GET ?projection-columns /3': {
      const t = store.table(tx, schema as string, table as string);
      return { answer: listProjectionColumns(t, p.params.get('name'), headers) };
    }
    default:
      throw new FakeVastError(
        501,
        'NotImplemented',
        `the fake does not serve ${method} ?${command ?? ''} on ${parts.join('/')}`,
      );
  }
}
