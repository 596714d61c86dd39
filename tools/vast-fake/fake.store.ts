/**
 * The fake's in-memory catalog and its transactions. The committed state is two flat maps
 * (schemas; tables keyed `schema/table`). A transaction works on its own shallow copy of both maps
 * and replaces a table's value when it writes it (a table is an immutable value, fake.table.ts, so
 * a write shares all it does not change with the value it started from).
 *
 * Conflicts (snapshot isolation, first committer wins), as this team assumes VAST DataBase
 * behaves (README, "Many replicas"): a transaction that updated or deleted a row fails to commit
 * (409 TransactionConflict) when another transaction committed a change to that row after this
 * one began; inserts never conflict (VAST has no unique keys), so two transactions adding rows to
 * one table both commit. Changes to a table's or schema's structure (create, drop, add or drop a
 * column) conflict at that level: the committed entry must be the one the transaction started
 * from. Commit then applies the transaction's row changes onto the committed tables, so that
 * other transactions' committed rows are kept.
 *
 * `conflictsAt = 'call'` (startFakeVast's `conflictsAt`) refuses the same conflicts earlier, at
 * the call that makes the second change, as VAST's own SDK tests expect of VAST (fake.claims.ts).
 */
import type { WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import {
  type ClaimMode,
  ClaimTable,
  type ConflictsAt,
  claimAtCall,
  claimRows,
  DEFAULT_CALL_CONFLICT_CODE,
} from './fake.claims.ts';
import { conflict, FakeVastError, notFound } from './fake.errors.ts';
import { RowTable } from './fake.table.ts';
import type { FakeField } from './fake.types.ts';

export type { Catalog, Projection, SchemaState, TableState, Transaction } from './fake.state.ts';

import type { Catalog, SchemaState, TableState, Transaction } from './fake.state.ts';

export const tableKey = (schema: string, table: string) => `${schema}/${table}`;
const schemaKey = (schema: string) => `schema:${schema}`;

/** First transaction id: above 2^53, so that a JavaScript client must keep it as a bigint. */
export const FIRST_TXID = 0x0123_4567_89ab_cd00n;

export class FakeStore {
  committed: Catalog = { schemas: new Map(), tables: new Map() };
  private readonly txs = new Map<bigint, Transaction>();
  private nextTxid = FIRST_TXID;
  private nextUid = 1;
  private readonly rowIds = new Map<number, bigint>();
  private readonly claims = new ClaimTable((id) => this.isLive(id));

  constructor(
    private readonly now: () => number,
    /** Idle time after which a transaction is gone. */
    public txTimeoutMs: number,
    /** Where conflicts are refused (fake.claims.ts); tests may switch it between transactions. */
    public conflictsAt: ConflictsAt = 'commit',
    /** The code of a 409 refused at the call. */
    public callConflictCode: string = DEFAULT_CALL_CONFLICT_CODE,
  ) {}

  private isLive(id: bigint): boolean {
    const tx = this.txs.get(id);
    return tx !== undefined && this.now() - tx.lastUsed <= this.txTimeoutMs;
  }

  private end(id: bigint): void {
    this.txs.delete(id);
    this.claims.release(id);
  }

  begin(): Transaction {
    const tx: Transaction = {
      id: this.nextTxid++,
      catalog: { schemas: new Map(this.committed.schemas), tables: new Map(this.committed.tables) },
      touched: new Map(),
      rowWrites: new Map(),
      rowBases: new Map(),
      lastUsed: this.now(),
    };
    this.txs.set(tx.id, tx);
    return tx;
  }

  /** The live transaction `id`; refreshes its idle timer (every call keeps it alive). */
  get(id: bigint): Transaction {
    const tx = this.txs.get(id);
    if (!tx) throw notFound('NoSuchTransaction', `transaction ${id} does not exist`);
    if (this.now() - tx.lastUsed > this.txTimeoutMs) {
      this.end(id);
      throw notFound('NoSuchTransaction', `transaction ${id} expired after ${this.txTimeoutMs} ms idle`);
    }
    tx.lastUsed = this.now();
    return tx;
  }

  rollback(id: bigint): void {
    this.get(id);
    this.end(id);
  }

  commit(id: bigint): void {
    const tx = this.get(id);
    this.end(id);
    if (tx.doomed)
      throw conflict(this.callConflictCode, `transaction ${id} was refused a change: ${tx.doomed.message}`);
    const c = this.committed;
    const refuse = (key: string, what: string): never => {
      throw conflict(
        'TransactionConflict',
        `transaction ${id} conflicts on ${key}: ${what} committed by another one`,
      );
    };
    for (const [key, base] of tx.touched) {
      const now = key.startsWith('schema:') ? c.schemas.get(key.slice(7)) : c.tables.get(key);
      if (now !== base) refuse(key, 'a change of structure');
    }
    for (const [key, writes] of tx.rowWrites) {
      if (tx.touched.has(key)) continue; // its structure check covers the whole table
      const now = c.tables.get(key);
      const mine = tx.catalog.tables.get(key);
      if (!now || !mine || now.uid !== mine.uid || now.fields !== mine.fields)
        refuse(key, 'a change of structure');
      for (const [rowId, base] of writes) {
        if (base !== undefined && now?.rows.get(rowId) !== base) refuse(key, `a change of row ${rowId}`);
      }
    }
    for (const key of tx.touched.keys()) {
      if (key.startsWith('schema:')) {
        const name = key.slice(7);
        const s = tx.catalog.schemas.get(name);
        if (s) c.schemas.set(name, s);
        else c.schemas.delete(name);
      } else {
        const t = tx.catalog.tables.get(key);
        if (t) c.tables.set(key, t);
        else c.tables.delete(key);
      }
    }
    for (const [key, writes] of tx.rowWrites) {
      if (tx.touched.has(key)) continue;
      const now = c.tables.get(key) as TableState;
      const mine = tx.catalog.tables.get(key) as TableState;
      const put: WireRow[] = [];
      const gone: bigint[] = [];
      for (const rowId of writes.keys()) {
        const row = mine.rows.get(rowId);
        if (row !== undefined) put.push(row);
        else if (now.rows.get(rowId) !== undefined) gone.push(rowId);
      }
      c.tables.set(key, { ...now, rows: now.rows.put(put).remove(gone) });
    }
  }

  /** Number of live transactions (expired ones count until used or swept). */
  get openTransactions(): number {
    return this.txs.size;
  }

  /** As if every open transaction had been idle past the timeout: tests expire them without waiting. */
  expireAll(): number {
    for (const tx of this.txs.values()) tx.lastUsed = Number.NEGATIVE_INFINITY;
    return this.txs.size;
  }

  /** Forgets the transactions idle past the timeout (fake.limits.ts, before a begin is counted). */
  sweepExpired(): void {
    const now = this.now();
    for (const [id, tx] of this.txs) if (now - tx.lastUsed > this.txTimeoutMs) this.end(id);
  }

  // --- writes inside a transaction ------------------------------------------------------------

  /** In at-call mode, claims `key` for `tx` (fake.claims.ts `claimAtCall`). */
  private claim(tx: Transaction, key: string, mode: ClaimMode, changed: boolean): void {
    if (this.conflictsAt === 'call') claimAtCall(this.claims, this.callConflictCode, tx, key, mode, changed);
  }

  private committedEntry(key: string): SchemaState | TableState | undefined {
    return key.startsWith('schema:')
      ? this.committed.schemas.get(key.slice(7))
      : this.committed.tables.get(key);
  }

  private touch(tx: Transaction, key: string, mode: ClaimMode = 'exclusive'): void {
    const first = !tx.touched.has(key);
    // What the transaction saw at its start (its catalog is a copy of the committed one then,
    // but a table whose rows it changed since is its own copy): commit requires the committed
    // entry to be unchanged since (snapshot isolation).
    const seen = first
      ? key.startsWith('schema:')
        ? tx.catalog.schemas.get(key.slice(7))
        : (tx.rowBases.get(key) ?? tx.catalog.tables.get(key))
      : undefined;
    this.claim(tx, key, mode, first && this.committedEntry(key) !== seen);
    if (first) tx.touched.set(key, seen);
  }

  createSchema(tx: Transaction, name: string): void {
    if (tx.catalog.schemas.has(name)) throw conflict('SchemaAlreadyExists', `schema ${name} already exists`);
    this.touch(tx, schemaKey(name));
    tx.catalog.schemas.set(name, { uid: this.nextUid++ });
  }

  dropSchema(tx: Transaction, name: string): void {
    this.schema(tx, name);
    for (const key of tx.catalog.tables.keys()) {
      if (key.startsWith(`${name}/`)) throw conflict('SchemaNotEmpty', `schema ${name} still has tables`);
    }
    this.touch(tx, schemaKey(name));
    tx.catalog.schemas.delete(name);
  }

  schema(tx: Transaction, name: string): SchemaState {
    const s = tx.catalog.schemas.get(name);
    if (!s) throw notFound('NoSuchSchema', `schema ${name} does not exist`);
    return s;
  }

  table(tx: Transaction, schema: string, table: string): TableState {
    this.schema(tx, schema);
    const t = tx.catalog.tables.get(tableKey(schema, table));
    if (!t) throw notFound('NoSuchTable', `table ${schema}/${table} does not exist`);
    return t;
  }

  createTable(tx: Transaction, schema: string, table: string, fields: readonly FakeField[]): void {
    this.schema(tx, schema);
    const key = tableKey(schema, table);
    if (tx.catalog.tables.has(key)) throw conflict('TableAlreadyExists', `table ${key} already exists`);
    this.touch(tx, schemaKey(schema), 'shared'); // a concurrent drop of the schema conflicts with this
    this.touch(tx, key);
    const uid = this.nextUid++;
    this.rowIds.set(uid, 0n);
    tx.catalog.tables.set(key, { uid, fields, rows: RowTable.empty() });
  }

  dropTable(tx: Transaction, schema: string, table: string): void {
    this.table(tx, schema, table);
    const key = tableKey(schema, table);
    this.touch(tx, key);
    tx.catalog.tables.delete(key);
  }

  /** Replaces the transaction's copy of a table whose structure changed (the caller built it). */
  putTable(tx: Transaction, schema: string, table: string, next: TableState): void {
    const key = tableKey(schema, table);
    this.touch(tx, key);
    tx.catalog.tables.set(key, next);
  }

  /**
   * Replaces the transaction's copy of a table after a row call: `next` is `before` with the rows
   * of `changed` inserted, updated or deleted (their row ids). Remembers, for each row id, the
   * row that its first change replaced, which commit requires to be still the committed one.
   */
  writeRows(
    tx: Transaction,
    schema: string,
    table: string,
    before: TableState,
    next: TableState,
    changed: readonly bigint[],
  ): void {
    const key = tableKey(schema, table);
    if (this.conflictsAt === 'call') {
      const now = this.committed.tables.get(key);
      claimRows(this.claims, this.callConflictCode, { tx, key, before, now, changed });
    }
    let writes = tx.rowWrites.get(key);
    if (!writes) {
      writes = new Map();
      tx.rowWrites.set(key, writes);
      if (!tx.touched.has(key)) tx.rowBases.set(key, before);
    }
    for (const rowId of changed) if (!writes.has(rowId)) writes.set(rowId, before.rows.get(rowId));
    tx.catalog.tables.set(key, next);
  }

  /** `count` fresh row ids of table `uid`: never reused, even when the insert is rolled back. */
  allocateRowIds(uid: number, count: number): bigint {
    const first = this.rowIds.get(uid) ?? 0n;
    this.rowIds.set(uid, first + BigInt(count));
    return first;
  }
}

export function requireTx(store: FakeStore, txid: bigint | null): Transaction {
  if (txid === null) throw new FakeVastError(400, 'MissingTransaction', 'this call needs a tabular-txid');
  return store.get(txid);
}
