import { encodeRows } from './wire.rows.ts';
import type { WireField, WireRow } from './wire.types.ts';
import { estimateBytes } from './wire.values.ts';

/** VAST's limit on a tabular request body (SDK `util.MAX_TABULAR_REQUEST_SIZE`). */
export const MAX_TABULAR_REQUEST_SIZE = 5 << 20;
/** The SDK keeps every insert/update/delete body at or under 0.9 x 5 MiB (4,718,592 bytes). */
export const MAX_SLICE_BYTES = Math.floor(0.9 * MAX_TABULAR_REQUEST_SIZE);
/** And at most 512 Ki rows per body (`MAX_ROWS_PER_BATCH`, `MAX_INSERT_ROWS_PER_PATCH`). */
export const MAX_SLICE_ROWS = 512 * 1024;

/** One row alone makes a body over the limit (the SDK's `TooWideRow`). */
export class TooWideRowError extends Error {
  override readonly name = 'TooWideRowError';
  constructor(
    /** Index (in the rows given) of the row that cannot be sent. */
    readonly row: number,
    readonly limit: number,
  ) {
    super(`row ${row} does not fit in one VAST request (${limit} bytes at most per body)`);
  }
}

export interface RowSlice {
  /** The IPC stream body to send. */
  readonly body: Uint8Array;
  /** Index of its first row in the rows given, and how many rows it holds. */
  readonly offset: number;
  readonly count: number;
}

export interface SliceOptions {
  readonly maxBytes?: number;
  readonly maxRows?: number;
}

/**
 * Cuts rows into bodies the way the SDK's `iter_serialized_slices` does, so that the engine sends
 * the same number of requests for the same rows: a first guess of
 * `floor(0.9 * rows * maxBytes / arrowBytes)` rows per slice (capped at `maxRows`), then each
 * slice is encoded and, when over `maxBytes`, the slice size is halved for it and every later
 * slice. A slice size below one row is a `TooWideRowError`. Bodies are made one at a time.
 */
export function* sliceRows(
  fields: readonly WireField[],
  rows: readonly WireRow[],
  options: SliceOptions = {},
): Generator<RowSlice> {
  const maxBytes = options.maxBytes ?? MAX_SLICE_BYTES;
  const maxRows = options.maxRows ?? MAX_SLICE_ROWS;
  const nbytes = estimateBytes(fields, rows);
  let perSlice = nbytes > 0 ? Math.floor((0.9 * rows.length * maxBytes) / nbytes) : rows.length;
  perSlice = Math.min(perSlice, maxRows);
  let offset = 0;
  while (offset < rows.length) {
    if (perSlice < 1) throw new TooWideRowError(offset, maxBytes);
    const count = Math.min(perSlice, rows.length - offset);
    const body = encodeRows(fields, rows.slice(offset, offset + count));
    if (body.byteLength <= maxBytes) {
      yield { body, offset, count };
      offset += count;
    } else {
      perSlice = Math.floor(perSlice / 2);
    }
  }
}
