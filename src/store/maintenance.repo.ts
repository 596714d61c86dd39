import { compareStrings } from '../db/compare.ts';
import type { Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import type { TimeRange } from '../time/index.ts';
import { type FlowCleanPlan, planFlowClean } from './maintenance.plan.ts';
import { MediaGcRepo, type QueuedObject } from './media-gc.repo.ts';
import { date, num, rangeFromColumns, reqStr, str } from './rows.ts';
import type { StoreDb } from './store.ts';
import { scanRows } from './stream.ts';
import { T } from './tables.ts';

export type { FlowCleanPlan } from './maintenance.plan.ts';

/** What maintenance needs of the table manager besides the store's calls: its tables and their sizes. */
export interface MaintenanceDb extends StoreDb {
  tableNames(): string[];
  /** Estimated storage bytes per table; undefined when the engine cannot tell. */
  tableBytes(): Promise<Map<string, number> | undefined>;
}

export interface TableStats {
  table: string;
  rows: number;
  /** Estimated storage bytes; undefined when the engine cannot tell. */
  bytes?: number;
}

/**
 * The core's content, which `emptyContent` removes with the content tables of the wings switched
 * on (Feature.keptWhenEmptied). Kept: service settings (name, the fs backend's id and URL-signing
 * key), credentials, webhook registrations and the event outbox (webhook cursors point into its
 * sequence), the media GC queue, which receives every object's bytes, and Flow Profiles (TAMS
 * 8.2: house formats, never deleted).
 */
export const CONTENT_TABLES = [
  T.segments,
  T.objectRefs,
  T.allocations,
  T.objects,
  T.instances,
  T.collections,
  T.flowTags,
  T.flows,
  T.sourceTags,
  T.sources,
  T.deletions,
] as const;

/** How many of an object's segments (or object_refs count) belong to one Flow. */
export interface ObjectUse {
  object: string;
  flow: string;
  count: number;
}

/** Progress of emptyContent: objects queued for byte deletion, then tables emptied. */
export interface EmptyProgress {
  queued(n: number): void;
  emptied(n: number): void;
}

/** Rows per keyset page of the objects table when queueing bytes. */
const PAGE = 5000;
const BY_OBJECT_AND_FLOW = [{ column: 'object_id' }, { column: 'flow_id' }];

/** Object uses in the order of the sorted streams: by object, then Flow. */
function compareUses(a: ObjectUse, b: ObjectUse): number {
  return compareIds(a.object, b.object) || compareIds(a.flow, b.flow);
}

/**
 * The order of the ids the sorted streams below come in (the engines' string order), for merging
 * them in step.
 */
export const compareIds: (a: string, b: string) => number = compareStrings;

/**
 * Whole-store work for the management commands (tams-mgmt): table sizes, emptying the content,
 * and reading tables as sorted streams for integrity checks. Run on the table manager with no
 * cache in front of it (the commands open the store with the server stopped).
 */
export class StoreMaintenance {
  /** The tables emptyContent empties: the core's, then the wings'. */
  private readonly content: readonly string[];

  /** `featureContent`: the content tables of the wings switched on (what describes the content). */
  constructor(
    private readonly db: MaintenanceDb,
    featureContent: readonly string[] = [],
  ) {
    this.content = [...CONTENT_TABLES, ...featureContent];
  }

  /** Every declared table with its row count and estimated size. */
  async tableStats(): Promise<TableStats[]> {
    const sizes = await this.db.tableBytes();
    const stats: TableStats[] = [];
    for (const table of this.db.tableNames()) {
      const entry: TableStats = { table, rows: await this.db.count(table) };
      const bytes = sizes?.get(table);
      if (bytes !== undefined) entry.bytes = bytes;
      stats.push(entry);
    }
    return stats;
  }

  /** Rows of each table emptyContent empties. */
  async contentRows(): Promise<{ table: string; rows: number }[]> {
    return Promise.all(this.content.map(async (table) => ({ table, rows: await this.db.count(table) })));
  }

  /** Objects whose bytes are in a storage backend. */
  async storedObjects(): Promise<number> {
    return this.db.count(T.objects, and(col('storage_id').isNotNull()));
  }

  /** Objects in storage backends other than these. */
  async objectsOutside(storageIds: readonly string[]): Promise<number> {
    const known = storageIds.map((id) => col('storage_id').ne(id));
    return this.db.count(T.objects, and(col('storage_id').isNotNull(), ...known));
  }

  /**
   * Empties the content tables in one transaction, queueing every stored object's bytes for the
   * media GC first (as releasing an object does).
   */
  async emptyContent(now: Date, progress?: EmptyProgress): Promise<void> {
    await this.db.transaction(async (tx) => {
      const gc = new MediaGcRepo(tx);
      // Keyset pages by id: a scan cannot stay open while the same connection inserts.
      let after: string | undefined;
      for (;;) {
        const page = await tx.select(T.objects, {
          where: and(col('storage_id').isNotNull(), after !== undefined && col('id').gt(after)),
          columns: ['id', 'storage_id', 'storage_path', 'created'],
          orderBy: [{ column: 'id' }],
          limit: PAGE,
        });
        await gc.queue(page.flatMap(queuedObject), now);
        progress?.queued(page.length);
        const last = page.at(-1);
        if (!last || page.length < PAGE) break;
        after = reqStr(last, 'id');
      }
      // The copies of objects on other backends (TAMS 8.2 controlled object instances) too.
      let key: string | undefined;
      for (;;) {
        const page = await tx.select(T.instances, {
          where: and(col('controlled').eq(true), key !== undefined && col('instance_key').gt(key)),
          columns: ['instance_key', 'object_id', 'storage_id', 'storage_path', 'created'],
          orderBy: [{ column: 'instance_key' }],
          limit: PAGE,
        });
        await gc.queue(
          page.flatMap((r) => queuedObject({ ...r, id: r.object_id })),
          now,
        );
        const last = page.at(-1);
        if (!last || page.length < PAGE) break;
        key = reqStr(last, 'instance_key');
      }
      for (const table of this.content) {
        await tx.delete(table, and());
        progress?.emptied(1);
      }
    });
  }

  /** What removing the Flow removes; undefined when there is no such Flow. */
  flowCleanPlan(flowId: string): Promise<FlowCleanPlan | undefined> {
    return planFlowClean(this.db, flowId);
  }

  /** Ids of the objects allocated for the Flow that are still there. */
  async allocatedFor(flowId: string): Promise<Set<string>> {
    const rows = await this.db.select(T.objects, {
      where: and(col('allocated_for').eq(flowId)),
      columns: ['id'],
    });
    return new Set(rows.map((r) => reqStr(r, 'id')));
  }

  /**
   * The objects of one backend with their storage paths (none for rows that lack one), unordered,
   * then the copies of objects made on it (TAMS 8.2 controlled object instances): `pending` for a
   * copy not made yet, which may have no bytes.
   */
  async *objectsIn(storageId: string): AsyncGenerator<{ id: string; path?: string; pending?: boolean }> {
    for await (const r of scanRows(this.db, T.objects, {
      where: and(col('storage_id').eq(storageId)),
      columns: ['id', 'storage_path'],
    })) {
      yield { id: reqStr(r, 'id'), path: str(r, 'storage_path') };
    }
    for await (const r of scanRows(this.db, T.instances, {
      where: and(col('storage_id').eq(storageId), col('controlled').eq(true)),
      columns: ['object_id', 'storage_path', 'state'],
    })) {
      yield { id: reqStr(r, 'object_id'), path: str(r, 'storage_path'), pending: r.state !== 'ready' };
    }
  }

  async totals(): Promise<{ segments: number; objects: number }> {
    return { segments: await this.db.count(T.segments), objects: await this.db.count(T.objects) };
  }

  async flowIds(): Promise<Set<string>> {
    return new Set((await this.db.select(T.flows, { columns: ['id'] })).map((r) => reqStr(r, 'id')));
  }

  /** Object ids, sorted (compareIds). */
  async *objectIds(): AsyncGenerator<string> {
    for await (const r of scanRows(this.db, T.objects, { columns: ['id'], orderBy: [{ column: 'id' }] })) {
      yield reqStr(r, 'id');
    }
  }

  /** The object_refs counts, sorted by object then Flow. */
  async *refCounts(): AsyncGenerator<ObjectUse> {
    for await (const r of scanRows(this.db, T.objectRefs, {
      columns: ['object_id', 'flow_id', 'segments'],
      orderBy: BY_OBJECT_AND_FLOW,
    })) {
      yield { object: reqStr(r, 'object_id'), flow: reqStr(r, 'flow_id'), count: num(r, 'segments') ?? 0 };
    }
  }

  /**
   * Segments counted per object and Flow, from the segments themselves, sorted by object then
   * Flow: each segment uses its object, and its object's init object where it has one (TAMS 8.2:
   * counted in object_refs the same way). The two never share an id, so their sorted streams
   * merge in step.
   */
  async *segmentUses(): AsyncGenerator<ObjectUse> {
    const media = this.usesOf('object_id')[Symbol.asyncIterator]();
    const init = this.usesOf('init_object_id')[Symbol.asyncIterator]();
    let a = await media.next();
    let b = await init.next();
    try {
      while (!a.done || !b.done) {
        const takeMedia = b.done || (!a.done && compareUses(a.value, b.value) <= 0);
        if (takeMedia) {
          yield a.value as ObjectUse;
          a = await media.next();
        } else {
          yield b.value;
          b = await init.next();
        }
      }
    } finally {
      await Promise.all([media.return?.(undefined), init.return?.(undefined)]);
    }
  }

  /** Segments counted per value of `column` (an object id) and Flow, sorted by both. */
  private async *usesOf(column: 'object_id' | 'init_object_id'): AsyncGenerator<ObjectUse> {
    let current: ObjectUse | undefined;
    for await (const r of scanRows(this.db, T.segments, {
      where: column === 'init_object_id' ? and(col(column).isNotNull()) : undefined,
      columns: [column, 'flow_id'],
      orderBy: [{ column }, { column: 'flow_id' }],
    })) {
      const object = reqStr(r, column);
      const flow = reqStr(r, 'flow_id');
      if (current && current.object === object && current.flow === flow) current.count++;
      else {
        if (current) yield current;
        current = { object, flow, count: 1 };
      }
    }
    if (current) yield current;
  }

  /** Every segment's timerange, in Flow order, then by start (inclusive starts first). */
  async *segmentRanges(): AsyncGenerator<{ flow: string; range: TimeRange }> {
    for await (const r of scanRows(this.db, T.segments, {
      columns: ['flow_id', 'seg_start', 'seg_end', 'seg_start_incl', 'seg_end_incl'],
      orderBy: [
        { column: 'flow_id' },
        { column: 'seg_start' },
        { column: 'seg_start_incl', direction: 'desc' },
      ],
    })) {
      yield { flow: reqStr(r, 'flow_id'), range: rangeFromColumns(r, 'seg') };
    }
  }
}

function queuedObject(row: Row): QueuedObject[] {
  const storageId = str(row, 'storage_id');
  const path = str(row, 'storage_path');
  if (storageId === undefined || path === undefined) return [];
  const allocated = date(row, 'created') ?? new Date(0);
  return [{ storage_id: storageId, storage_path: path, object_id: reqStr(row, 'id'), allocated }];
}
