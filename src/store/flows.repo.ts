import type { DbSession, JsonValue, Row } from '../db/db.types.ts';
import { and, col, or } from '../db/predicate.ts';
import type { TimeRange } from '../time/index.ts';
import type { CollectionsRepo } from './collections.repo.ts';
import {
  essenceDimension,
  type FlowFilters,
  flowsPlan,
  rowTimerange,
  usesInitSegments,
} from './flows.filters.ts';
import type { ListingOrder, SortCursor } from './listing.order.ts';
import { bool, date, num, opt, optBig, reqStr, str } from './rows.ts';
import { scanPage } from './scan.ts';
import { sortedPage } from './sorted.scan.ts';
import type { FlowRecord, Page, Tags } from './store.types.ts';
import { T } from './tables.ts';
import { TagsRepo } from './tags.repo.ts';
import { storedTags } from './tags.values.ts';

/** Flows clients can see: not being deleted. */
const LIVE = or(col('deleting').isNull(), col('deleting').eq(false));

export interface SegmentsState {
  id: string;
  range: TimeRange;
  updated: Date;
}

export type { FlowFilters } from './flows.filters.ts';

/** What 8.2 sorts `/flows` by (ADR 0052): a column of the flows table. */
export type FlowSortKey = 'created' | 'metadata_updated' | 'label';

export interface FlowSort {
  key: FlowSortKey;
  order: ListingOrder;
}

export class FlowsRepo {
  readonly tags: TagsRepo;

  constructor(
    private readonly db: DbSession,
    private readonly collections: CollectionsRepo,
  ) {
    this.tags = new TagsRepo(db, T.flowTags, 'flow_id');
  }

  async get(id: string): Promise<FlowRecord | null> {
    const rows = await this.db.select(T.flows, { where: and(col('id').eq(id), LIVE), limit: 1 });
    const row = rows[0];
    if (!row) return null;
    const [flow] = await this.hydrate([row]);
    return flow ?? null;
  }

  async getMany(ids: readonly string[]): Promise<FlowRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select(T.flows, {
      where: and(col('id').in(ids), LIVE),
      orderBy: [{ column: 'id' }],
    });
    return this.hydrate(rows);
  }

  /**
   * The live Flows among `ids`, from their own rows in one read: no tags, collection or
   * collected_by (segment registration needs none of them; its events get collected_by from
   * SourcesRepo.eventCollectors).
   */
  async rows(ids: readonly string[]): Promise<Map<string, FlowRecord>> {
    if (ids.length === 0) return new Map();
    // On the key alone, the Flows being deleted left out here: an engine may then keep what it
    // found for an update by the same key in the transaction (VAST: no second select).
    const rows = await this.db.select(T.flows, { where: and(col('id').in([...new Set(ids)])) });
    const live = rows.filter((row) => row.deleting !== true);
    return new Map(live.map((row) => [reqStr(row, 'id'), fromRow(row, {}, undefined, [])]));
  }

  /** Ids of the given Flows that exist. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    if (ids.length === 0) return new Set();
    const rows = await this.db.select(T.flows, { where: and(col('id').in(ids), LIVE), columns: ['id'] });
    return new Set(rows.map((r) => reqStr(r, 'id')));
  }

  /** flow id -> source id, for the Flows of the given Sources. */
  async bySources(sourceIds: readonly string[]): Promise<Map<string, string>> {
    if (sourceIds.length === 0) return new Map();
    const rows = await this.db.select(T.flows, {
      where: and(col('source_id').in(sourceIds), LIVE),
      columns: ['id', 'source_id'],
    });
    return new Map(rows.map((r) => [reqStr(r, 'id'), reqStr(r, 'source_id')]));
  }

  /** flow id -> source id for the given Flows. */
  async sourcesOf(flowIds: readonly string[]): Promise<Map<string, string>> {
    if (flowIds.length === 0) return new Map();
    const rows = await this.db.select(T.flows, {
      where: and(col('id').in(flowIds)),
      columns: ['id', 'source_id'],
    });
    return new Map(rows.map((r) => [reqStr(r, 'id'), reqStr(r, 'source_id')]));
  }

  async countBySource(sourceId: string, excludingFlow?: string): Promise<number> {
    return this.db.count(
      T.flows,
      and(col('source_id').eq(sourceId), LIVE, excludingFlow !== undefined && col('id').ne(excludingFlow)),
    );
  }

  /** Which of `values` some Flow's tag `name` holds (objects named by a tag, e.g. an init segment). */
  async taggedValues(name: string, values: readonly string[]): Promise<Set<string>> {
    return this.tags.valuesAmong(name, values);
  }

  /**
   * Writes the Flow's row, tags and collection; `isNew` chooses insert or update. A new Flow has
   * no tag or collection rows to replace (a Flow's go with its row, or before it while it is
   * being deleted: `markDeleting`), so only its own are inserted. `before`, the Flow as stored
   * (a replacement that read it): its tags and collection are rewritten only where they differ.
   */
  async save(flow: FlowRecord, isNew: boolean, before?: FlowRecord): Promise<void> {
    const row = toRow(flow);
    if (isNew) {
      // Side by side: one wave where each call is a request (VAST).
      await Promise.all([
        this.db.insert(T.flows, [row]),
        this.tags.insertAll(flow.id, flow.tags),
        this.collections.insert(flow.id, flow.flow_collection),
      ]);
      return;
    }
    await this.db.update(T.flows, and(col('id').eq(flow.id)), row);
    if (!before || !sameTags(before.tags, flow.tags)) await this.tags.replaceAll(flow.id, flow.tags);
    if (!before || !sameItems(before.flow_collection, flow.flow_collection))
      await this.collections.replace(flow.id, flow.flow_collection);
  }

  /**
   * The Flow just saved as `get` would read it back, made from what was written instead of read:
   * its row's fields as the row holds them, tags in the tables' order, `collected_by` as given
   * (a caller whose write changed it reads the Flow instead).
   */
  async written(flow: FlowRecord): Promise<FlowRecord> {
    const items = flow.flow_collection ?? [];
    const collection = items.length > 0 ? items.map((item) => ({ ...item })) : undefined;
    return fromRow(toRow(flow), storedTags(flow.tags), collection, [...flow.collected_by]);
  }

  /**
   * The Flow with this id for a write to it: `flow` when live (as `get`), and whether it has a
   * row at all (a Flow being deleted has one but no record), in one read of the row.
   */
  async forWrite(id: string): Promise<{ flow: FlowRecord | null; row: boolean }> {
    const [row] = await this.db.select(T.flows, { where: and(col('id').eq(id)), limit: 1 });
    if (!row) return { flow: null, row: false };
    if (row.deleting === true) return { flow: null, row: true };
    const [flow] = await this.hydrate([row]);
    return { flow: flow ?? null, row: true };
  }

  /** Updates only the row's own columns (not tags or collection). */
  async saveRow(flow: FlowRecord): Promise<void> {
    await this.db.update(T.flows, and(col('id').eq(flow.id)), toRow(flow));
  }

  /** Deletes the Flow, its tags and its collection memberships; returns the collectors that lost it. */
  async delete(id: string): Promise<string[]> {
    await this.db.delete(T.flows, and(col('id').eq(id)));
    await this.tags.deleteAll(id);
    return this.collections.removeFlow(id);
  }

  /**
   * Takes the Flow away from clients while its segments are deleted in the background: tags and
   * collection memberships go now, the row when the deletion request finishes (deleteRow).
   */
  async markDeleting(id: string): Promise<string[]> {
    await this.db.update(T.flows, and(col('id').eq(id)), { deleting: true });
    await this.tags.deleteAll(id);
    return this.collections.removeFlow(id);
  }

  /** Whether a row exists for the id, live or being deleted. */
  async rowExists(id: string): Promise<boolean> {
    return (await this.db.count(T.flows, and(col('id').eq(id)))) > 0;
  }

  async deleteRow(id: string): Promise<void> {
    await this.db.delete(T.flows, and(col('id').eq(id)));
  }

  /** A page of the Flows matching `filters` in id order (7.0), after the id `after`. */
  async list(filters: FlowFilters, after: string | undefined, limit: number): Promise<Page<FlowRecord>> {
    const plan = await flowsPlan(filters, LIVE, this.tags, this.collections);
    if (!plan) return { items: [] };
    const page = await scanPage(this.db, T.flows, plan.where, plan.accept, after, limit);
    return { items: await this.hydrate(page.rows), next: page.next };
  }

  /** A page of the Flows matching `filters` in a listing order (8.2's sort_by), after `after`. */
  async listSorted(
    filters: FlowFilters,
    sort: FlowSort,
    after: SortCursor | undefined,
    limit: number,
  ): Promise<{ items: FlowRecord[]; next?: SortCursor }> {
    const plan = await flowsPlan(filters, LIVE, this.tags, this.collections);
    if (!plan) return { items: [] };
    const scan = { column: sort.key, order: sort.order, ...plan };
    const page = await sortedPage(this.db, T.flows, scan, after, limit);
    return { items: await this.hydrate(page.rows), ...(page.next && { next: page.next }) };
  }

  /** Records a change of the Flow's segments: their envelope and when it happened. */
  async setSegmentsState(id: string, range: TimeRange, updated: Date): Promise<void> {
    await this.setSegmentsStates([{ id, range, updated }]);
  }

  /** setSegmentsState for many Flows in one statement (a batch of registrations). */
  async setSegmentsStates(states: readonly SegmentsState[]): Promise<void> {
    if (states.length === 0) return;
    await this.db.updateEach(
      T.flows,
      'id',
      states.map((s) => ({ id: s.id, ...timerangeColumns(s.range), segments_updated: s.updated })),
    );
  }

  /**
   * Every Flow, live and being deleted (to fill an in-memory cache). Their tags and collections
   * are read once the scan is over, a batch at a time: read inside the scan's handler, they
   * waited for connections while it held one, and rebuilds side by side (each failed commit
   * starts one) took every reader and waited on each other for good (issue 45).
   */
  async loadAll(): Promise<{ live: FlowRecord[]; deleting: string[] }> {
    const batches: Row[][] = [];
    const deleting: string[] = [];
    await this.db.scan(T.flows, {}, (rows) => {
      for (const row of rows) if (row.deleting === true) deleting.push(reqStr(row, 'id'));
      batches.push(rows.filter((r) => r.deleting !== true));
    });
    const live: FlowRecord[] = [];
    for (const rows of batches) live.push(...(await this.hydrate(rows)));
    return { live, deleting };
  }

  private async hydrate(rows: readonly Row[]): Promise<FlowRecord[]> {
    const ids = rows.map((r) => reqStr(r, 'id'));
    const [tags, collections, collectors] = await Promise.all([
      this.tags.getMany(ids),
      this.collections.itemsOf(ids),
      this.collections.collectorsOf(ids),
    ]);
    return rows.map((row) => {
      const id = reqStr(row, 'id');
      return fromRow(row, tags.get(id) ?? {}, collections.get(id), collectors.get(id) ?? []);
    });
  }
}

function toRow(flow: FlowRecord): Row {
  return {
    id: flow.id,
    source_id: flow.source_id,
    format: flow.format,
    codec: opt(flow.codec),
    container: opt(flow.container),
    label: opt(flow.label),
    description: opt(flow.description),
    created_by: opt(flow.created_by),
    updated_by: opt(flow.updated_by),
    created: flow.created,
    metadata_updated: flow.metadata_updated,
    segments_updated: opt(flow.segments_updated),
    metadata_version: flow.metadata_version,
    read_only: opt(flow.read_only),
    generation: optBig(flow.generation),
    avg_bit_rate: optBig(flow.avg_bit_rate),
    max_bit_rate: optBig(flow.max_bit_rate),
    frame_width: essenceDimension(flow, 'frame_width'),
    frame_height: essenceDimension(flow, 'frame_height'),
    essence_parameters: opt(flow.essence_parameters),
    segment_duration: opt(flow.segment_duration),
    container_mapping: opt(flow.container_mapping),
    extra: Object.keys(flow.extra).length > 0 ? flow.extra : null,
    ...timerangeColumns(flow.timerange),
    status: opt(flow.status),
    profile_id: opt(flow.profile_id),
    init_segments: usesInitSegments(flow.essence_parameters),
  };
}

function fromRow(
  row: Row,
  tags: Tags,
  collection: FlowRecord['flow_collection'],
  collectedBy: string[],
): FlowRecord {
  const json = (column: string): JsonValue | undefined => {
    const v = row[column];
    return v === null || v === undefined ? undefined : (v as JsonValue);
  };
  const created = date(row, 'created') ?? new Date(0);
  return {
    id: reqStr(row, 'id'),
    source_id: reqStr(row, 'source_id'),
    format: reqStr(row, 'format'),
    codec: str(row, 'codec'),
    container: str(row, 'container'),
    label: str(row, 'label'),
    description: str(row, 'description'),
    created_by: str(row, 'created_by'),
    updated_by: str(row, 'updated_by'),
    created,
    metadata_updated: date(row, 'metadata_updated') ?? created,
    segments_updated: date(row, 'segments_updated'),
    metadata_version: str(row, 'metadata_version') ?? '',
    read_only: bool(row, 'read_only'),
    generation: num(row, 'generation'),
    avg_bit_rate: num(row, 'avg_bit_rate'),
    max_bit_rate: num(row, 'max_bit_rate'),
    essence_parameters: json('essence_parameters'),
    segment_duration: json('segment_duration'),
    container_mapping: json('container_mapping'),
    status: str(row, 'status'),
    profile_id: str(row, 'profile_id'),
    extra: (json('extra') as Record<string, JsonValue> | undefined) ?? {},
    tags,
    flow_collection: collection,
    collected_by: collectedBy,
    timerange: rowTimerange(row),
  };
}

function timerangeColumns(range: TimeRange): Row {
  if (range.isEmpty()) return { tr_start: null, tr_end: null, tr_start_incl: null, tr_end_incl: null };
  return {
    tr_start: range.start,
    tr_end: range.end,
    tr_start_incl: range.startInclusive,
    tr_end_incl: range.endInclusive,
  };
}

/** Whether two Flows' tags are the same (names in any order, a list's elements in theirs). */
function sameTags(a: Tags, b: Tags): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => Object.hasOwn(b, name) && JSON.stringify(a[name]) === JSON.stringify(b[name]));
}

/** Whether two collections are the same items in the same order (as RelatedChanges compares them). */
function sameItems(a: FlowRecord['flow_collection'], b: FlowRecord['flow_collection']): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b ?? []);
}
