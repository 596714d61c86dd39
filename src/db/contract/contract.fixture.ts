import type { Engine, Row, TableDef } from '../db.types.ts';
import { TableManager } from '../manager.ts';
import { afterEach } from './contract.harness.ts';

/** Opens an engine on the storage named `store`; the same name reopens the same data when persistent. */
export type EngineFactory = (store: string) => Promise<Engine>;

export interface ContractOptions {
  /** Whether data survives close() and a reopen of the same store (false for in-memory engines). */
  readonly persistent: boolean;
}

export interface ContractContext {
  readonly persistent: boolean;
  /** A name for storage no other test uses. */
  newStore(): string;
  /** Opens a manager (closed automatically after the test unless already closed). */
  open(defs: readonly TableDef[], store?: string): Promise<TableManager>;
  /** Opens a bare engine (closed automatically after the test). */
  engine(store?: string): Promise<Engine>;
}

let storeCounter = 0;

export function contractContext(makeEngine: EngineFactory, options: ContractOptions): ContractContext {
  const openEngines: Engine[] = [];
  afterEach(async () => {
    for (const engine of openEngines.splice(0)) await engine.close();
  });
  const newStore = () => `contract-${process.pid}-${Date.now()}-${++storeCounter}`;
  const engine = async (store = newStore()) => {
    const e = await makeEngine(store);
    openEngines.push(e);
    return e;
  };
  return {
    persistent: options.persistent,
    newStore,
    engine,
    open: async (defs, store) => TableManager.open(await engine(store), defs),
  };
}

/** A table with one column of every type; `id` is the key the tests select by. */
export const THINGS: TableDef = {
  name: 'things',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'name', type: 'string' },
    { name: 'n', type: 'int32' },
    { name: 'x', type: 'float64' },
    { name: 'flag', type: 'boolean' },
    { name: 'at', type: 'timestamp' },
    { name: 'big', type: 'int64' },
    { name: 'meta', type: 'json' },
  ],
};

const T0 = Date.UTC(2024, 0, 1);

/** Ten rows with nulls sprinkled over every nullable column. */
export const THING_ROWS: readonly Row[] = [
  { id: 1n, name: 'alpha', n: 1, x: 1.5, flag: true, at: new Date(T0), big: 10n, meta: { a: 1 } },
  { id: 2n, name: 'beta', n: 2, x: -2.5, flag: false, at: new Date(T0 + 1000), big: -20n, meta: [1, 2] },
  { id: 3n, name: 'gamma', n: 3, x: 0, flag: true, at: new Date(T0 + 2000), big: 30n, meta: 'text' },
  { id: 4n, name: null, n: 4, x: 4.25, flag: null, at: null, big: null, meta: null },
  { id: 5n, name: 'alphabet', n: null, x: null, flag: false, at: new Date(T0 - 1000), big: 50n, meta: 5 },
  { id: 6n, name: 'Alpha', n: -6, x: 6e10, flag: true, at: new Date(T0 + 3000), big: 9007199254740993n },
  { id: 7n, name: '', n: 0, x: -0.5, flag: false, at: new Date(T0 + 4000), big: 0n, meta: true },
  { id: 8n, name: 'delta', n: 8, x: 8, flag: null, at: new Date(T0 + 5000), big: -9007199254740993n },
  {
    id: 9n,
    name: 'épsilon',
    n: 9,
    x: 9.75,
    flag: true,
    at: new Date(T0 + 6000),
    big: 90n,
    meta: { nested: { k: [] } },
  },
  { id: 10n, name: 'zeta', n: 2147483647, x: -1e-9, flag: false, at: new Date(T0 + 7000), big: 100n },
];

export function ids(rows: readonly Row[]): bigint[] {
  return rows.map((r) => r.id as bigint);
}

/** Ascending bigint sort for comparing id sets regardless of engine order. */
export function sortedIds(rows: readonly Row[]): bigint[] {
  return ids(rows).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
