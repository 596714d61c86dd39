/**
 * The fake's limits, on by default with values that model VAST DataBase, each configurable:
 *
 * - Cell size: a row write (insert or update) holding a cell of more than
 *   `cellMaxBytes` bytes is refused whole, 400 `BadRequest`, nothing applied. VAST documents a
 *   maximum cell size of "126KB" (field docs, "Dimensions and Limits"); the fake takes the
 *   stricter reading, 126,000 bytes. What status and code VAST answers is not published (its
 *   SDK and Java client only avoid the limit, splitting wide inserts into column batches):
 *   ASSUMED a 400 whose message names the cell size.
 * - Transaction idle timeout (FakeStore.txTimeoutMs, default 60 s): a transaction no call has
 *   used for longer is gone, and its next call is answered 404 `NoSuchTransaction`, as for an id
 *   VAST never issued. VAST's timeout is not published; its Java client keeps transactions alive
 *   every 60 s, so VAST's cannot be shorter without breaking it: the fake uses that lower bound.
 *   The status VAST answers for an expired id is ASSUMED (404, like any unknown resource).
 * - Open transactions: a begin is refused, 503 `ServiceUnavailable`, while `maxOpenTransactions`
 *   are open (expired ones are swept first). VAST's cap is not published; 503 is what VAST
 *   answers when it cannot take work now (ASSUMED for this case), and nothing was begun, so a
 *   client may begin again later.
 * - QueryData body size: a QueryData request whose body is over `queryMaxBytes` (default 5 MiB,
 *   VAST_REQUEST_MAX_BYTES) is refused before it runs, 400 `EntityTooLarge`. VAST's SDK refuses
 *   to send one over 0.9 x 5 MiB (`util.MAX_QUERY_DATA_REQUEST_SIZE`, `TooLargeRequest`) and its
 *   Java client caps request bodies at 5 MB, "<= the server's largest buffer"; what VAST answers
 *   a larger one is not published: ASSUMED a 400 with S3's code for a body over the maximum.
 *   The largest QueryData body seen is kept (`largestQueryBody`) for the tests' assertions.
 */
import type { WireRow } from '../../src/db/engines/vast/wire/wire.types.ts';
import { keptCellBytes } from './fake.cells.ts';
import { FakeVastError } from './fake.errors.ts';
import type { FakeStore } from './fake.store.ts';
import { type FakeField, isArrowColumn } from './fake.types.ts';

/** VAST's documented maximum cell size, 126 KB, read as 126,000 bytes. */
export const VAST_CELL_MAX_BYTES = 126_000;
/** VAST's largest request body, 5 MiB (the SDK's `MAX_TABULAR_REQUEST_SIZE`). */
export const VAST_REQUEST_MAX_BYTES = 5 << 20;
/** Open transactions at most (ASSUMED; high enough for every suite's concurrency, see README). */
export const DEFAULT_MAX_OPEN_TRANSACTIONS = 256;

export interface FakeLimitsOptions {
  /** Bytes of one text or binary cell at most (default VAST_CELL_MAX_BYTES; 0: no limit). */
  readonly cellMaxBytes?: number;
  /** Open transactions at most (default DEFAULT_MAX_OPEN_TRANSACTIONS; 0: no limit). */
  readonly maxOpenTransactions?: number;
  /** Bytes of one QueryData request body at most (default VAST_REQUEST_MAX_BYTES; 0: no limit). */
  readonly queryMaxBytes?: number;
}

function cellBytes(value: unknown): number {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (value instanceof Uint8Array) return value.byteLength;
  return 0;
}

/** The limits a fake enforces, and what they refused (for the tests' assertions). */
export class FakeLimits {
  cellMaxBytes: number;
  maxOpenTransactions: number;
  queryMaxBytes: number;
  /** The most transactions open at once so far (after sweeping expired ones). */
  openHighWater = 0;
  /** The largest QueryData body received so far, refused or not (bytes). */
  largestQueryBody = 0;
  /** Row writes refused for a cell over the limit, begins refused at the cap, queries too large. */
  readonly refused = { cells: 0, begins: 0, queries: 0 };

  constructor(options: FakeLimitsOptions = {}) {
    this.cellMaxBytes = options.cellMaxBytes ?? VAST_CELL_MAX_BYTES;
    this.maxOpenTransactions = options.maxOpenTransactions ?? DEFAULT_MAX_OPEN_TRANSACTIONS;
    this.queryMaxBytes = options.queryMaxBytes ?? VAST_REQUEST_MAX_BYTES;
  }

  /** Before a QueryData runs: records its body's size, refuses (400) one over the limit. */
  checkQueryBody(bytes: number): void {
    this.largestQueryBody = Math.max(this.largestQueryBody, bytes);
    const max = this.queryMaxBytes;
    if (max > 0 && bytes > max) {
      this.refused.queries++;
      throw new FakeVastError(
        400,
        'EntityTooLarge',
        `a QueryData request of ${bytes} bytes exceeds the maximum request size (${max} bytes)`,
      );
    }
  }

  /**
   * Refuses a row write holding a cell over the limit: `rows` as decoded from its body of
   * `bodyBytes`, in the table's `columns` (any Arrow type: keptCellBytes sizes nested values).
   */
  checkCells(bodyBytes: number, columns: readonly FakeField[], rows: readonly WireRow[]): void {
    const max = this.cellMaxBytes;
    // No cell is larger than the body carrying it: most writes need no sizing here.
    if (max <= 0 || bodyBytes <= max) return;
    for (const row of rows) {
      for (const f of columns) {
        const cell = row[f.name] ?? null;
        const bytes = isArrowColumn(f) ? keptCellBytes(f.arrow.type, cell) : cellBytes(cell);
        if (bytes > max) {
          this.refused.cells++;
          throw new FakeVastError(
            400,
            'BadRequest',
            `column ${f.name}: a cell of ${bytes} bytes exceeds the maximum cell size (${max} bytes)`,
          );
        }
      }
    }
  }

  /** Before a begin: refuses it (503) while the cap of open transactions is reached. */
  admitBegin(store: FakeStore): void {
    store.sweepExpired();
    const open = store.openTransactions;
    if (this.maxOpenTransactions > 0 && open >= this.maxOpenTransactions) {
      this.refused.begins++;
      throw new FakeVastError(
        503,
        'ServiceUnavailable',
        `too many open transactions (${open}, at most ${this.maxOpenTransactions})`,
      );
    }
    this.openHighWater = Math.max(this.openHighWater, open + 1);
  }
}
