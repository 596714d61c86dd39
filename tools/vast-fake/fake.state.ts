/**
 * The fake's state as its store keeps it (fake.store.ts): committed catalog, tables, transactions.
 */
import type { WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import type { FakeVastError } from './fake.errors.ts';
import type { RowTable } from './fake.table.ts';
import type { FakeField } from './fake.types.ts';
export interface TableState {
  /** Identity across copies of the same table: row ids are allocated per uid. */
  readonly uid: number;
  /** Columns of the engine's types as WireFields, of other types with their Arrow field (fake.types.ts). */
  readonly fields: readonly FakeField[];
  /** Each row holds every field (null when never set) and `$row_id`. */
  readonly rows: RowTable;
  /** Its semi-sorted projections (fake.projections.ts). */
  readonly projections?: readonly Projection[];
}

/** A semi-sorted projection of a table (fake.projections.ts). */
export interface Projection {
  readonly name: string;
  /** Its handle in listings. */
  readonly handle: number;
  readonly sorted: readonly string[];
  readonly unsorted: readonly string[];
}

export interface SchemaState {
  readonly uid: number;
}

export interface Catalog {
  readonly schemas: Map<string, SchemaState>;
  readonly tables: Map<string, TableState>;
}

export interface Transaction {
  readonly id: bigint;
  readonly catalog: Catalog;
  /**
   * Keys whose structure the transaction changed -> the committed object it was based on
   * (undefined when it did not exist).
   */
  readonly touched: Map<string, SchemaState | TableState | undefined>;
  /**
   * Tables whose rows the transaction changed -> row id -> the row its first change replaced, as
   * its snapshot held it (undefined for a row it inserted).
   */
  readonly rowWrites: Map<string, Map<bigint, WireRow | undefined>>;
  /** Tables whose rows the transaction changed -> the table as its snapshot held it. */
  readonly rowBases: Map<string, TableState>;
  lastUsed: number;
  /** Set when a call of it was refused as a conflict (at-call mode): its commit is refused too. */
  doomed?: FakeVastError;
}
