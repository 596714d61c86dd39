import type { ColumnGroup, JsonValue, Row } from '../db/db.types.ts';
import { col, or } from '../db/predicate.ts';
import { TimeRange } from '../time/index.ts';
import { big, bool, reqStr } from './rows.ts';
import type { CollectionItem, FlowRecord, TagFilters } from './store.types.ts';
import type { TagsRepo } from './tags.repo.ts';
import { tagsMatch } from './tags.values.ts';

/** The filters of a `/flows` listing (8.2's own: status, profile_id, init_segments, collected_by). */
export interface FlowFilters {
  source_id?: string;
  format?: string;
  codec?: string;
  label?: string;
  frame_width?: number;
  frame_height?: number;
  tags: TagFilters;
  /** Flows overlapping this range; an empty range selects Flows with no content. */
  timerange?: TimeRange;
  status?: string;
  profile_id?: string;
  /** Flows whose `essence_parameters.init_segments` is true (true), or is not (false). */
  init_segments?: boolean;
  /** Flows collected by one of these Flows; empty: Flows that no Flow collects (ADR 0049). */
  collected_by?: readonly string[];
}

/** 8.2's `init_segments` of a Flow: absent means false. */
export function usesInitSegments(params: JsonValue | undefined): boolean {
  return (
    params !== null && typeof params === 'object' && !Array.isArray(params) && params.init_segments === true
  );
}

/** The Flow's frame width or height as the column holds it: a safe integer, else null. */
export function essenceDimension(flow: FlowRecord, name: 'frame_width' | 'frame_height'): bigint | null {
  const params = flow.essence_parameters;
  if (params === null || typeof params !== 'object' || Array.isArray(params)) return null;
  const value = params[name];
  return typeof value === 'number' && Number.isSafeInteger(value) ? BigInt(value) : null;
}

/** Flows match an empty query range when they have no content, otherwise when they overlap it. */
export function timerangeMatches(flowRange: TimeRange, query: TimeRange): boolean {
  if (query.isEmpty()) return flowRange.isEmpty();
  return flowRange.overlaps(query);
}

export function rowTimerange(row: Row): TimeRange {
  const startIncl = bool(row, 'tr_start_incl');
  if (startIncl === undefined) return TimeRange.EMPTY;
  return TimeRange.from(big(row, 'tr_start') ?? null, big(row, 'tr_end') ?? null, {
    startInclusive: startIncl,
    endInclusive: bool(row, 'tr_end_incl') ?? false,
  });
}

/** What a listing of the flows table asks the engine, and what it checks of each row read. */
export interface FlowsPlan {
  where: (ColumnGroup | false | undefined)[];
  accept: (row: Row) => boolean;
}

/**
 * The flows table's side of `filters` (the Flows not being deleted: `live`); undefined when
 * nothing can match. Tag and collection filters become id sets: those that select push down as
 * `id IN`, those that exclude (`tag_exists.x=false`, `collected_by_ids=`) and the exact timerange
 * overlap run on each row. Rows written before the `init_segments` column have it null: they are
 * read for either value and decided from their essence parameters.
 */
export async function flowsPlan(
  filters: FlowFilters,
  live: ColumnGroup,
  tags: TagsRepo,
  collections: {
    itemsOf(ids: readonly string[]): Promise<Map<string, CollectionItem[]>>;
    members(): Promise<Set<string>>;
  },
): Promise<FlowsPlan | undefined> {
  // The dimension columns only hold safe integers (see essenceDimension); a larger query value
  // matches nothing, and would not fit the int64 column in a predicate.
  for (const value of [filters.frame_width, filters.frame_height]) {
    if (value !== undefined && !Number.isSafeInteger(value)) return undefined;
  }
  const tagSets = await tags.resolveFilters(filters.tags);
  let include = tagSets.include;
  const exclude = new Set(tagSets.exclude);
  const collectors = filters.collected_by;
  if (collectors !== undefined && collectors.length > 0) {
    const members = new Set<string>();
    for (const items of (await collections.itemsOf(collectors)).values())
      for (const item of items) members.add(item.id);
    include = include ? new Set([...include].filter((id) => members.has(id))) : members;
  } else if (collectors !== undefined) {
    for (const id of await collections.members()) exclude.add(id);
  }
  if (include && include.size === 0) return undefined;
  const tr = filters.timerange;
  const wantInit = filters.init_segments;
  const where = [
    live,
    filters.source_id !== undefined && col('source_id').eq(filters.source_id),
    filters.format !== undefined && col('format').eq(filters.format),
    filters.codec !== undefined && col('codec').eq(filters.codec),
    filters.label !== undefined && col('label').eq(filters.label),
    filters.status !== undefined && col('status').eq(filters.status),
    filters.profile_id !== undefined && col('profile_id').eq(filters.profile_id),
    filters.frame_width !== undefined && col('frame_width').eq(BigInt(filters.frame_width)),
    filters.frame_height !== undefined && col('frame_height').eq(BigInt(filters.frame_height)),
    wantInit !== undefined && or(col('init_segments').eq(wantInit), col('init_segments').isNull()),
    include && col('id').in([...include]),
    ...timerangePushdown(tr),
  ];
  const accept = (row: Row): boolean => {
    if (exclude.has(reqStr(row, 'id'))) return false;
    if (wantInit !== undefined && rowInitSegments(row) !== wantInit) return false;
    return tr === undefined || tr.isEternity() || timerangeMatches(rowTimerange(row), tr);
  };
  return { where, accept };
}

function rowInitSegments(row: Row): boolean {
  const column = bool(row, 'init_segments');
  return column ?? usesInitSegments(row.essence_parameters as JsonValue | undefined);
}

/**
 * `filters` on a Flow held in memory (the cache), `collectors` the Flows collecting it: the same
 * answer as flowsPlan's on its row.
 */
export function flowMatches(flow: FlowRecord, filters: FlowFilters, collectors: readonly string[]): boolean {
  const differs = (value: string | undefined, wanted: string | undefined) =>
    wanted !== undefined && value !== wanted;
  for (const key of ['source_id', 'format', 'codec', 'label', 'status', 'profile_id'] as const)
    if (differs(flow[key], filters[key])) return false;
  for (const key of ['frame_width', 'frame_height'] as const) {
    const wanted = filters[key];
    if (wanted === undefined) continue;
    if (essenceDimension(flow, key) !== (Number.isSafeInteger(wanted) ? BigInt(wanted) : -1n)) return false;
  }
  if (
    filters.init_segments !== undefined &&
    usesInitSegments(flow.essence_parameters) !== filters.init_segments
  )
    return false;
  const wanted = filters.collected_by;
  if (wanted !== undefined) {
    const collected =
      wanted.length === 0 ? collectors.length === 0 : collectors.some((c) => wanted.includes(c));
    if (!collected) return false;
  }
  if (!tagsMatch(flow.tags, filters.tags)) return false;
  const tr = filters.timerange;
  return tr === undefined || tr.isEternity() || timerangeMatches(flow.timerange, tr);
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** Query bounds beyond the int64 columns are clamped: the coarse filter stays a superset. */
function clampInt64(value: bigint): bigint {
  return value < INT64_MIN ? INT64_MIN : value > INT64_MAX ? INT64_MAX : value;
}

/** Coarse bounds the engine can apply; the exact, inclusivity-aware test runs in timerangeMatches. */
function timerangePushdown(query: TimeRange | undefined) {
  if (query === undefined || query.isEternity()) return [];
  if (query.isEmpty()) return [col('tr_start_incl').isNull()];
  return [
    col('tr_start_incl').isNotNull(),
    query.end !== null && or(col('tr_start').isNull(), col('tr_start').le(clampInt64(query.end))),
    query.start !== null && or(col('tr_end').isNull(), col('tr_end').ge(clampInt64(query.start))),
  ];
}
