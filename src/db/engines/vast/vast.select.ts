import { DbUnavailableError } from '../../db.errors.ts';
import type { Predicate, Row } from '../../db.types.ts';
import { VAST_BACKEND, VastConnectionError } from './transport/transport.errors.ts';
import type { VastApi } from './vast.api.ts';
import { VastAnswerError } from './vast.errors.ts';
import { type BuiltQuery, splitQuery } from './vast.split.ts';
import { fromWire } from './vast.values.ts';
import {
  type QueryBatch,
  QueryDataFailedError,
  QueryResponseParser,
  ROW_ID_DONE,
} from './wire/wire.frames.ts';
import { matchesNothing } from './wire/wire.query.ts';
import { ROW_ID, type WireField } from './wire/wire.types.ts';

/** How selects are cut into QueryData requests. */
export interface QuerySettings {
  /**
   * Sub-splits per request (`tabular-num-of-subsplits`): the cluster reads that many ranges of
   * the table in parallel and interleaves them in one response. The SDK's default, 4.
   */
  readonly subSplits: number;
  /**
   * Rows per sub-split per response (`tabular-limit-rows`); a sub-split with more continues in
   * the next request from its cursor. The SDK's default, 128 Ki: a page of segments (hundreds of
   * rows) always comes in one round trip, and a scan of millions needs few requests, while the
   * response is parsed batch by batch so its size never sits in memory whole.
   */
  readonly pageRows: number;
  /** Re-sends from the cursors after a connection lost mid-response, at most this many times. */
  readonly resumes: number;
  /**
   * Pages in a row that may come without rows and without moving any sub-split's cursor: each is
   * sent again from the same cursors; one more is a DbUnavailableError. VAST's SDK pages on such
   * an answer without a limit, so a cluster that kept sending them would loop it; the engine
   * bounds them instead.
   */
  readonly stalls: number;
}

export const DEFAULT_QUERY: QuerySettings = { subSplits: 4, pageRows: 128 * 1024, resumes: 3, stalls: 5 };

export interface QuerySpec {
  readonly table: string;
  readonly fields: readonly WireField[];
  /** Projection; [] for a count. */
  readonly columns: readonly string[];
  readonly where?: Predicate;
  readonly rowId?: boolean;
  /** Stop paging once this many rows came (they may come in one page). */
  readonly limit?: number;
}

/**
 * Runs one select: a QueryData GET per page, every sub-split paged by its
 * `tabular-start-row-id-{i}` cursor until the cluster reports it finished, as the SDK's
 * SplitWorker does. Yields the batches as they are parsed. A query whose body would be over the
 * SDK's limit is sent as several, one after the other, their rows together the query's
 * (vast.split.ts).
 */
export async function* queryBatches(
  api: VastApi,
  txid: bigint,
  spec: QuerySpec,
  settings: QuerySettings,
): AsyncGenerator<QueryBatch> {
  // A group that can match nothing (`in []`) cannot be sent; the answer is known: no rows.
  if (matchesNothing(spec.where)) return;
  const parts = splitQuery({
    fields: spec.fields,
    columns: spec.columns,
    where: spec.where,
    rowId: spec.rowId,
  });
  let rows = 0;
  for (const part of parts) {
    const limit = spec.limit === undefined ? undefined : spec.limit - rows;
    for await (const batch of pages(api, txid, spec.table, part, settings, limit)) {
      rows += batch.numRows;
      yield batch;
    }
    if (limit !== undefined && rows >= limit) return;
  }
}

/** The pages of one QueryData body; paging stops once `limit` rows came, if given. */
async function* pages(
  api: VastApi,
  txid: bigint,
  table: string,
  { body, request }: BuiltQuery,
  settings: QuerySettings,
  limit: number | undefined,
): AsyncGenerator<QueryBatch> {
  const expected = request.projection.map((i) => request.fields[i] as WireField);
  const cursors: bigint[] = new Array(settings.subSplits).fill(0n);
  const limitRows = limit !== undefined ? Math.max(1, Math.min(limit, settings.pageRows)) : settings.pageRows;
  let rows = 0;
  let resumes = 0;
  let stalled = 0;
  while (cursors.some((c) => c !== ROW_ID_DONE)) {
    // No `tabular-finish-on-empty-batch`: the Java client sends it, set from an option off by
    // default, and what VAST does with it is not published (PROTOCOL.md §1.7).
    const headers: Record<string, string> = {
      'tabular-split': '0,1,8',
      'tabular-num-of-subsplits': String(settings.subSplits),
      'tabular-request-format': 'string',
      'tabular-response-format': 'string',
      'tabular-enable-sorted-projections': 'True',
      'tabular-limit-rows': String(limitRows),
    };
    cursors.forEach((c, i) => {
      headers[`tabular-start-row-id-${i}`] = `${i},${c}`;
    });
    const before = [...cursors];
    const rowsBefore = rows;
    const parser = new QueryResponseParser(expected);
    try {
      const res = await api.stream({
        method: 'GET',
        table,
        query: [['data']],
        txid,
        headers,
        body,
        idempotent: true,
      });
      for await (const chunk of res.body) {
        for (const batch of parser.push(chunk)) {
          if (batch.streamId >= cursors.length)
            throw new VastAnswerError(`rows from sub-split ${batch.streamId}`);
          cursors[batch.streamId] = batch.nextRowId;
          rows += batch.numRows;
          yield batch;
        }
      }
      parser.end();
    } catch (e) {
      if (e instanceof QueryDataFailedError) {
        // Batches completed before the failure frame are good (the SDK keeps them too): take them,
        // so the cursors stand past them.
        for (const batch of e.batches) {
          if (batch.streamId >= cursors.length)
            throw new VastAnswerError(`rows from sub-split ${batch.streamId}`);
          cursors[batch.streamId] = batch.nextRowId;
          rows += batch.numRows;
          yield batch;
        }
      }
      // A connection lost mid-response, or the cluster failing the query (the 0xFFFFFFFD frame):
      // resume from the cursors of the batches already taken, as the SDK's SplitWorker does.
      const resumable = e instanceof VastConnectionError || e instanceof QueryDataFailedError;
      if (resumable && resumes < settings.resumes) {
        resumes++;
        continue;
      }
      // Still failing: the cluster cannot serve this read for now (503 with Retry-After), not a
      // fault of this server (500).
      if (resumable) {
        throw new DbUnavailableError(VAST_BACKEND, 'a query kept failing on the cluster', 1, e.message);
      }
      throw api.mapError(e, table);
    }
    if (limit !== undefined && rows >= limit) return;
    if (cursors.every((c, i) => c === before[i])) {
      // Rows whose cursors stayed put would come again on the next page: not a page to re-send.
      if (rows > rowsBefore)
        throw new VastAnswerError('a QueryData page brought rows but moved no sub-split forward');
      if (stalled >= settings.stalls) {
        throw new DbUnavailableError(
          VAST_BACKEND,
          `a query made no progress on the cluster (${stalled + 1} pages in a row moved no sub-split forward)`,
          1,
          `table ${table}`,
        );
      }
      stalled++;
      continue;
    }
    stalled = 0;
  }
}

/** Converts a batch's rows to engine rows; `$row_id` kept as a bigint. */
export function batchToRows(batch: QueryBatch): Row[] {
  const rows: Row[] = new Array(batch.numRows);
  const { fields, columns } = batch;
  for (let r = 0; r < batch.numRows; r++) {
    const row: Row = {};
    for (let c = 0; c < fields.length; c++) {
      const f = fields[c] as WireField;
      const v = (columns[c] as readonly (typeof columns)[number][number][])[r] ?? null;
      row[f.name] = f.name === ROW_ID ? v : fromWire(f.type, v);
    }
    rows[r] = row;
  }
  return rows;
}
