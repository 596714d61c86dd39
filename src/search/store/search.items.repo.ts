import type { DbSession, Predicate, Row } from '../../db/db.types.ts';
import { and, col } from '../../db/predicate.ts';
import { big, date, num, reqStr, str } from '../../store/rows.ts';
import { ST } from './search.tables.ts';

export type SearchItemKind = 'segment' | 'transcript' | 'other';

/**
 * What the search indexer made of one item: a timed-text segment or a transcript version it
 * indexed (or could not), or another item it could not index and passed over (an outbox event,
 * a step of a build from the tables), which `ref` names.
 */
export interface SearchItem {
  kind: SearchItemKind;
  flow_id?: string;
  seg_start?: bigint;
  object_id?: string;
  /** The segment's timerange and ts_offset, as TAMS strings. */
  timerange?: string;
  ts_offset?: string;
  transcript_id?: string;
  /** What an item of kind `other` was (an event's type and seq). */
  ref?: string;
  cues: number;
  indexed: number;
  /** Cues wholly outside the segment's timerange (dropped). */
  outside: number;
  /** Documents indexed without a vector: the embedding service refused their text. */
  unembedded: number;
  /** The span of the cues on the Flow's timeline, [start, end) in nanoseconds. */
  cues_start?: bigint;
  cues_end?: bigint;
  /** Why the item could not be indexed. */
  error?: string;
  at: Date;
}

/** Which items a change of the index replaces (see search.plan.ts Removal). */
export type ItemScope =
  | { kind: 'segment'; flowId: string; segStart: bigint; objectId: string }
  | { kind: 'flow'; flowId: string }
  | { kind: 'transcript'; transcriptId: string };

export class SearchItemsRepo {
  constructor(private readonly db: DbSession) {}

  async insert(items: readonly SearchItem[]): Promise<void> {
    if (items.length === 0) return;
    await this.db.insert(ST.items, items.map(toRow));
  }

  /** Deletes the items of a scope; returns them (the index's counters go down by theirs). */
  async take(scope: ItemScope): Promise<SearchItem[]> {
    const where = predicate(scope);
    const rows = await this.db.select(ST.items, { where });
    if (rows.length > 0) await this.db.delete(ST.items, where);
    return rows.map(fromRow);
  }

  /** The segment items of a Flow whose segment starts in [from, to] (null: unbounded). */
  async segmentsOf(flowId: string, from: bigint | null, to: bigint | null): Promise<SearchItem[]> {
    const rows = await this.db.select(ST.items, {
      where: and(
        col('flow_id').eq(flowId),
        col('kind').eq('segment'),
        from !== null && col('seg_start').ge(from),
        to !== null && col('seg_start').le(to),
      ),
    });
    return rows.map(fromRow);
  }

  async ofFlow(flowId: string): Promise<SearchItem[]> {
    const rows = await this.db.select(ST.items, { where: and(col('flow_id').eq(flowId)) });
    return rows.map(fromRow);
  }

  /** Cues dropped outside their segment, per segment item that dropped any (at most `limit`). */
  async cuesOutside(limit: number): Promise<{ flowId: string; outside: number }[]> {
    const rows = await this.db.select(ST.items, {
      where: and(col('kind').eq('segment'), col('outside').gt(0)),
      columns: ['flow_id', 'outside'],
      limit,
    });
    return rows.flatMap((row) => {
      const flowId = str(row, 'flow_id');
      return flowId === undefined ? [] : [{ flowId, outside: num(row, 'outside') ?? 0 }];
    });
  }

  /** The items that could not be indexed, newest first. */
  async failures(limit: number): Promise<SearchItem[]> {
    const rows = await this.db.select(ST.items, {
      where: and(col('error').isNotNull()),
      orderBy: [{ column: 'at', direction: 'desc' }],
      limit,
    });
    return rows.map(fromRow);
  }
}

function predicate(scope: ItemScope): Predicate {
  switch (scope.kind) {
    case 'segment':
      return and(
        col('flow_id').eq(scope.flowId),
        col('kind').eq('segment'),
        col('seg_start').eq(scope.segStart),
        col('object_id').eq(scope.objectId),
      );
    case 'flow':
      return and(col('flow_id').eq(scope.flowId));
    case 'transcript':
      return and(col('kind').eq('transcript'), col('transcript_id').eq(scope.transcriptId));
  }
}

function toRow(item: SearchItem): Row {
  return {
    kind: item.kind,
    flow_id: item.flow_id ?? null,
    seg_start: item.seg_start ?? null,
    object_id: item.object_id ?? null,
    timerange: item.timerange ?? null,
    ts_offset: item.ts_offset ?? null,
    transcript_id: item.transcript_id ?? null,
    ref: item.ref ?? null,
    cues: item.cues,
    indexed: item.indexed,
    outside: item.outside,
    unembedded: item.unembedded,
    cues_start: item.cues_start ?? null,
    cues_end: item.cues_end ?? null,
    error: item.error ?? null,
    at: item.at,
  };
}

function fromRow(row: Row): SearchItem {
  const item: SearchItem = {
    kind: reqStr(row, 'kind') as SearchItemKind,
    cues: num(row, 'cues') ?? 0,
    indexed: num(row, 'indexed') ?? 0,
    outside: num(row, 'outside') ?? 0,
    unembedded: num(row, 'unembedded') ?? 0,
    at: date(row, 'at') ?? new Date(0),
  };
  const strings = [
    'flow_id',
    'object_id',
    'timerange',
    'ts_offset',
    'transcript_id',
    'ref',
    'error',
  ] as const;
  for (const column of strings) {
    const value = str(row, column);
    if (value !== undefined) item[column] = value;
  }
  for (const column of ['seg_start', 'cues_start', 'cues_end'] as const) {
    const value = big(row, column);
    if (value !== undefined) item[column] = value;
  }
  return item;
}
