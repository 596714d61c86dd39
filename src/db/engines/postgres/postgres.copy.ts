import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { ColumnType, Row, Value } from '../../db.types.ts';
import { columnsOf, quote } from '../sql/sql.compile.ts';
import type { Queryable } from './postgres.catalog.ts';
import { isUnavailable, markUnsent } from './postgres.errors.ts';
import { type PgTable, POSTGRES_SQL as SQL } from './postgres.sql.ts';
import { toParam } from './postgres.values.ts';

/** A connection that takes statements and, for bulk inserts, COPY's data. */
export interface CopyTarget extends Queryable {
  /** Runs `COPY … FROM STDIN` (`sql`) with `chunks` as its data; the rows it copied. */
  copyFrom(sql: string, chunks: Iterable<string>): Promise<number>;
}

/** Characters of COPY's text format that take a backslash: the escape itself and the delimiters. */
const SPECIAL = /[\\\t\n\r]/;
const SPECIALS = /[\\\t\n\r]/g;
const ESCAPES: Readonly<Record<string, string>> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };
const escaped = (c: string) => ESCAPES[c] ?? c;

/** UTF-16 code units of COPY data per chunk (each a CopyData message of up to ~4 × this in bytes). */
const CHUNK = 64 * 1024;

/**
 * One value as a field of COPY's text format: `\N` for NULL, else the text the INSERT path sends
 * as the parameter (toParam: its type checks and refusals hold for both paths), with backslash,
 * tab, newline and carriage return escaped. Every other character, any Unicode, goes as it is
 * (the server reads the bytes in the connection's encoding, as it reads parameters). A doubled
 * backslash also keeps the end-of-data marker `\.` out of the data. Numbers go as JavaScript
 * writes them, which PostgreSQL reads back to the same value: shortest round-trip digits,
 * `NaN`, `Infinity`, `-Infinity` (and -0 as `0`, as the INSERT path sends it).
 */
function field(type: ColumnType, value: Value | undefined): string {
  const param = toParam(type, value);
  if (param === null) return '\\N';
  if (typeof param === 'string') return SPECIAL.test(param) ? param.replace(SPECIALS, escaped) : param;
  if (typeof param === 'boolean') return param ? 't' : 'f';
  return String(param);
}

/**
 * The statement and data of a COPY of `rows`, in text format: its NULL, `\N`, cannot be mistaken
 * for any text (whose backslashes are all doubled) and its escapes are four characters, where CSV
 * would quote every field that holds a delimiter, quote or newline and tell NULL from '' by
 * quoting. Every value is converted and checked first, before anything is sent, as the INSERT
 * path does (a value refused leaves a transaction as it was); the data is made a chunk at a time
 * as the COPY sends it, so that no copy of the whole lives long (100k segment rows made whole
 * first cost 3× the CPU, most of it garbage collection). Iterable again for a second run. Null
 * when the rows name no column.
 */
export function copyData(
  table: PgTable,
  rows: readonly Row[],
  columns: readonly string[] = columnsOf(rows),
): { sql: string; chunks: Iterable<string> } | null {
  // No column named: COPY would take every column; the INSERT path answers it (with an error).
  if (columns.length === 0) return null;
  const types = columns.map((c) => SQL.columnType(table, c));
  for (const row of rows) {
    for (let i = 0; i < columns.length; i++)
      toParam(types[i] as ColumnType, row[columns[i] as string] ?? null);
  }
  const sql = `COPY ${table.qualified} (${columns.map(quote).join(', ')}) FROM STDIN (FORMAT text)`;
  return { sql, chunks: { [Symbol.iterator]: () => lines(rows, columns, types) } };
}

/** COPY's text of `rows`, CHUNK code units or so at a time. */
function* lines(
  rows: readonly Row[],
  columns: readonly string[],
  types: readonly ColumnType[],
): Generator<string> {
  let chunk = '';
  for (const row of rows) {
    let line = '';
    for (let i = 0; i < columns.length; i++) {
      if (i > 0) line += '\t';
      line += field(types[i] as ColumnType, row[columns[i] as string] ?? null);
    }
    chunk += `${line}\n`;
    if (chunk.length >= CHUNK) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk.length > 0) yield chunk;
}

/**
 * Runs one `COPY … FROM STDIN` on `client` and resolves with the rows copied once the server has
 * answered and the connection is ready for its next statement; never returns with the connection
 * still in COPY mode:
 * - the server refused the data (22xxx, 23xxx, 40P01…): it has left COPY mode itself, and the
 *   error is the server's, as an INSERT's would be (postgres.errors.ts maps both alike);
 * - the connection was lost: the caller destroys it. Lost before the end of the data went out,
 *   the COPY applied nothing (the server commits nothing without it): the error is marked so
 *   (markUnsent) and an autocommit write runs again; lost after, it may have committed;
 * - anything else (`chunks` threw): the COPY is abandoned (CopyFail, which the server answers
 *   with an error and a rollback of the statement) before the error is thrown.
 * Chunks are written one at a time, each once the last has gone to the socket: pg-copy-streams
 * holds no queue of them that could be flushed after the server's error ended the COPY.
 */
export async function copyIn(client: pg.ClientBase, sql: string, chunks: Iterable<string>): Promise<number> {
  const stream = client.query(copyFrom(sql));
  let failure: Error | undefined;
  const outcome = new Promise<void>((resolve, reject) => {
    // Heard for the stream's whole life: an error event nobody hears would end the process.
    stream.on('error', (error: Error) => {
      failure ??= error;
      reject(error);
    });
    stream.on('finish', resolve);
  });
  outcome.catch(() => undefined);
  let ended = false;
  try {
    for (const chunk of chunks) {
      if (failure !== undefined) throw failure;
      await Promise.race([outcome, written(stream, chunk)]);
    }
    if (failure !== undefined) throw failure;
    ended = true;
    stream.end();
    await outcome;
    return stream.rowCount;
  } catch (error) {
    if (failure === undefined) {
      await abandon(stream, outcome, error);
      throw error;
    }
    if (!ended && isUnavailable(failure)) markUnsent(failure);
    throw failure;
  }
}

/** Resolves once `chunk` has gone to the connection's socket (or its buffer). */
function written(stream: NodeJS.WritableStream, chunk: string): Promise<void> {
  return new Promise((resolve, reject) =>
    stream.write(chunk, (error) => (error ? reject(error) : resolve())),
  );
}

/** Ends the COPY with CopyFail and waits for the server's answer, when the data cannot go on. */
async function abandon(
  stream: ReturnType<typeof copyFrom>,
  outcome: Promise<void>,
  error: unknown,
): Promise<void> {
  stream.destroy(error instanceof Error ? error : new Error(String(error)));
  await outcome.catch(() => undefined);
}
