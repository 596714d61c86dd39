/**
 * The fake's second conflict mode: refusals at the call (fake.store.ts `conflictsAt = 'call'`).
 *
 * VAST's SDK tests, which VAST's CI runs against its server, expect a change that a second open
 * transaction makes to something the first one changed to be refused at that call with 409
 * (vastdb/tests/test_tables.py, test_rename_column: `409 Client Error: Conflict` from the second
 * rename, and the second transaction's commit then refused as a Conflict). What code VAST puts in
 * that 409 is not published: the fake answers `SerializationFailure` (configurable), a code that
 * does not speak of a conflict, since both official clients take every 409 as one whatever it says.
 *
 * In this mode a transaction claims what it changes, as it changes it:
 * - a row it updates or deletes (`schema/table#rowId`), exclusively;
 * - a table or schema whose structure it changes (create, drop, add or drop a column, projections),
 *   exclusively; the table whose rows it writes (inserts included) and the schema it creates a
 *   table in, shared: a change of structure conflicts with them, two inserts do not.
 * A claim is refused when another live transaction holds a claim it conflicts with, or when the
 * object changed and committed since this transaction began (the check commit makes in the
 * default mode, made at the call). Claims end with their transaction (commit, rollback, expiry).
 * The refused transaction is doomed: its commit is refused with the same code, as in the SDK's test.
 */
import { FakeVastError } from './fake.errors.ts';
import type { TableState, Transaction } from './fake.state.ts';

/** Where the fake refuses conflicting changes: at the loser's commit (default) or at its call. */
export type ConflictsAt = 'commit' | 'call';
export const CONFLICTS_AT: readonly ConflictsAt[] = ['commit', 'call'];

/** The code of a 409 refused at the call, unless the fake is given another. */
export const DEFAULT_CALL_CONFLICT_CODE = 'SerializationFailure';

export type ClaimMode = 'exclusive' | 'shared';

/** A change refused at its call (counted apart: FakeStats.callConflicts). */
export class CallConflictError extends FakeVastError {
  constructor(code: string, message: string) {
    super(409, code, message);
    this.name = 'CallConflictError';
  }
}

/** Who holds what: keys of rows and objects -> the open transactions that claimed them. */
export class ClaimTable {
  private readonly exclusive = new Map<string, bigint>();
  private readonly shared = new Map<string, Set<bigint>>();
  private readonly held = new Map<bigint, Set<string>>();

  constructor(
    /** Whether a transaction still counts (not ended, not idle past the timeout). */
    private readonly live: (txid: bigint) => boolean,
  ) {}

  /**
   * Claims `key` for `txid`; the other live transaction whose claim stands in the way instead
   * (nothing is recorded then).
   */
  take(txid: bigint, key: string, mode: ClaimMode): bigint | undefined {
    const owner = this.exclusive.get(key);
    if (owner !== undefined && owner !== txid && this.live(owner)) return owner;
    const sharers = this.shared.get(key);
    if (mode === 'exclusive' && sharers) {
      for (const other of sharers) if (other !== txid && this.live(other)) return other;
    }
    if (mode === 'exclusive') this.exclusive.set(key, txid);
    else if (owner !== txid) {
      const set = sharers ?? new Set<bigint>();
      set.add(txid);
      this.shared.set(key, set);
    }
    let mine = this.held.get(txid);
    if (!mine) {
      mine = new Set();
      this.held.set(txid, mine);
    }
    mine.add(key);
    return undefined;
  }

  /** Ends every claim of `txid`. */
  release(txid: bigint): void {
    for (const key of this.held.get(txid) ?? []) {
      if (this.exclusive.get(key) === txid) this.exclusive.delete(key);
      const sharers = this.shared.get(key);
      sharers?.delete(txid);
      if (sharers?.size === 0) this.shared.delete(key);
    }
    this.held.delete(txid);
  }
}

/**
 * Claims `key` for `tx`, refusing the call (409 `code`, the transaction doomed) when another live
 * transaction holds it, or when `changed`: it changed and committed since `tx` began.
 */
export function claimAtCall(
  claims: ClaimTable,
  code: string,
  tx: Transaction,
  key: string,
  mode: ClaimMode,
  changed: boolean,
): void {
  const refuse = (why: string): never => {
    const e = new CallConflictError(code, `transaction ${tx.id} conflicts on ${key}: ${why}`);
    tx.doomed ??= e;
    throw e;
  };
  if (changed) refuse('changed and committed by another transaction since this one began');
  const other = claims.take(tx.id, key, mode);
  if (other !== undefined) refuse(`changed by transaction ${other}, still open`);
}

/** A row call of `tx` on table `key`: the table as the transaction held it before, and committed. */
export interface RowCall {
  readonly tx: Transaction;
  readonly key: string;
  readonly before: TableState;
  readonly now: TableState | undefined;
  /** The row ids it inserts, updates or deletes. */
  readonly changed: readonly bigint[];
}

/**
 * A row write claims its table (shared: its structure must stay as the transaction saw it) and
 * each row it updates or deletes for the first time; inserted rows are new, nobody else holds
 * them. A table whose structure the transaction changed itself it holds already.
 */
export function claimRows(claims: ClaimTable, code: string, call: RowCall): void {
  const { tx, key, before, now, changed } = call;
  if (tx.touched.has(key)) return;
  const moved = !now || now.uid !== before.uid || now.fields !== before.fields;
  claimAtCall(claims, code, tx, key, 'shared', moved);
  const writes = tx.rowWrites.get(key);
  for (const rowId of changed) {
    const base = before.rows.get(rowId);
    if (base === undefined || writes?.has(rowId)) continue;
    claimAtCall(claims, code, tx, `${key}#${rowId}`, 'exclusive', now?.rows.get(rowId) !== base);
  }
}
