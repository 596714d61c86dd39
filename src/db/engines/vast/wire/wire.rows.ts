import { RecordBatchReader, type Table, tableFromIPC } from 'apache-arrow';
import { decodeFlatColumns } from './wire.decode.ts';
import { encodeRows } from './wire.encode.ts';
import { WireFormatError } from './wire.errors.ts';
import { type DecodedField, isWireField, readSchemaAt } from './wire.schema.ts';
import { ROW_ID, ROW_ID_FIELD, type WireField, type WireRow, type WireValue } from './wire.types.ts';
import { readVector } from './wire.values.ts';

/**
 * Rows <-> the Arrow IPC stream bodies of insert, update and delete (`?rows`): a schema message,
 * ONE record batch and the end-of-stream marker, what the SDK's `serialize_record_batch`
 * (`pa.ipc.new_stream` + one `write` + close) sends. Encoding: wire.encode.ts.
 */
export { encodeRows };

/**
 * The update body: `$row_id` first, then the columns to set, rows sorted by `$row_id` (the SDK
 * sorts with `sort_record_batch_if_needed`; a stable sort gives the same order).
 */
export function updateBody(
  fields: readonly WireField[],
  rows: readonly WireRow[],
): { fields: WireField[]; rows: WireRow[] } {
  const rest = fields.filter((f) => f.name !== ROW_ID);
  return { fields: [ROW_ID_FIELD, ...rest], rows: sortByRowId(rows) };
}

/** The delete body: the single column `$row_id`, sorted. */
export function deleteBody(rowIds: readonly bigint[]): { fields: WireField[]; rows: WireRow[] } {
  const sorted = [...rowIds].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return { fields: [ROW_ID_FIELD], rows: sorted.map((id) => ({ [ROW_ID]: id })) };
}

function sortByRowId(rows: readonly WireRow[]): WireRow[] {
  const key = (r: WireRow): bigint => {
    const v = r[ROW_ID];
    if (typeof v !== 'bigint') throw new WireFormatError(`every row needs a bigint ${ROW_ID}`);
    return v;
  };
  const keyed = rows.map((row) => ({ row, id: key(row) }));
  keyed.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((k) => k.row);
}

export interface DecodedColumns {
  /** Every field of the stream's schema, foreign ones included. */
  readonly fields: DecodedField[];
  /** Values per field, in `fields` order; null for a foreign field (not decoded). */
  readonly columns: (WireValue[] | null)[];
  readonly numRows: number;
}

/** Decodes a whole IPC stream (schema, batches, EOS) into columns. */
export function decodeColumns(body: Uint8Array): DecodedColumns {
  const { fields, end } = readSchemaAt(body);
  const flat = decodeFlatColumns(body, fields, end);
  if (flat !== null) return { fields, columns: flat.columns, numRows: flat.numRows };
  return decodeWithArrow(body, fields);
}

/** The general path: apache-arrow's reader (foreign fields, dictionaries, compression). */
export function decodeWithArrow(body: Uint8Array, fields: DecodedField[]): DecodedColumns {
  let table: Table;
  try {
    table = tableFromIPC(RecordBatchReader.from(body));
  } catch (cause) {
    throw new WireFormatError('unreadable Arrow IPC stream', { cause });
  }
  if (table.schema.fields.length !== fields.length) {
    throw new WireFormatError('Arrow IPC stream schema does not match its batches');
  }
  const columns = fields.map((f, i) => {
    const vector = table.getChildAt(i);
    return isWireField(f) && vector ? readVector(f.type, vector) : null;
  });
  return { fields, columns, numRows: table.numRows };
}

/**
 * Decodes an insert/update/delete body (the fake's side) or the insert response (the `$row_id`
 * column of the rows inserted, in insert order). Foreign columns are left out of the rows.
 */
export function decodeRows(body: Uint8Array): { fields: DecodedField[]; rows: WireRow[] } {
  const { fields, columns, numRows } = decodeColumns(body);
  const rows: WireRow[] = new Array(numRows);
  for (let r = 0; r < numRows; r++) {
    const row: WireRow = {};
    for (let c = 0; c < fields.length; c++) {
      const col = columns[c];
      if (col) row[(fields[c] as DecodedField).name] = col[r] ?? null;
    }
    rows[r] = row;
  }
  return { fields, rows };
}
