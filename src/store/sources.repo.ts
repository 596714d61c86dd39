import type { ColumnGroup, DbSession, Row } from '../db/db.types.ts';
import { and, col } from '../db/predicate.ts';
import type { CollectionsReader, FlowsStore } from './flows.types.ts';
import type { ListingOrder, SortCursor } from './listing.order.ts';
import { date, opt, reqStr, str } from './rows.ts';
import { scanPage } from './scan.ts';
import { sortedPage } from './sorted.scan.ts';
import type { StoreHints } from './store.hints.ts';
import type { CollectionItem, Page, SourceRecord, TagFilters, Tags } from './store.types.ts';
import { T } from './tables.ts';
import { TagsRepo } from './tags.repo.ts';
import { storedTags } from './tags.values.ts';

export interface SourceFilters {
  label?: string;
  format?: string;
  tags: TagFilters;
  /** Sources collected by one of these Sources; empty: Sources that no Source collects (ADR 0049). */
  collected_by?: readonly string[];
}

/** What 8.2 sorts `/sources` by (ADR 0052): a column of the sources table. */
export interface SourceSort {
  key: 'created' | 'updated' | 'label';
  order: ListingOrder;
}

type StoredSource = Omit<SourceRecord, 'source_collection' | 'collected_by'>;

export class SourcesRepo {
  readonly tags: TagsRepo;

  constructor(
    private readonly db: DbSession,
    private readonly flows: FlowsStore,
    private readonly collections: CollectionsReader,
    /** Without a cache: what the events' filter fields were last read from (guessEventCollectors). */
    private readonly hints?: StoreHints,
  ) {
    this.tags = new TagsRepo(db, T.sourceTags, 'source_id');
  }

  async get(id: string): Promise<SourceRecord | null> {
    const rows = await this.db.select(T.sources, { where: and(col('id').eq(id)), limit: 1 });
    const [source] = await this.hydrate(rows);
    return source ?? null;
  }

  async getMany(ids: readonly string[]): Promise<SourceRecord[]> {
    if (ids.length === 0) return [];
    const rows = await this.db.select(T.sources, {
      where: and(col('id').in(ids)),
      orderBy: [{ column: 'id' }],
    });
    return this.hydrate(rows);
  }

  /**
   * The Source's own columns, without its tags or collections (three reads fewer than `get`):
   * whether it exists, and its format.
   */
  async getRow(id: string): Promise<Omit<StoredSource, 'tags'> | null> {
    const [row] = await this.db.select(T.sources, { where: and(col('id').eq(id)), limit: 1 });
    if (!row) return null;
    const { tags: _none, ...source } = fromRow(row, {});
    return source;
  }

  /** A new Source: its row and tags (a Source's tags go with it, so a new one has none to replace). */
  async insert(source: StoredSource): Promise<void> {
    await Promise.all([
      this.db.insert(T.sources, [toRow(source)]),
      this.tags.insertAll(source.id, source.tags),
    ]);
  }

  /** Updates the Source's own columns (tags have their own calls). */
  async saveRow(source: Omit<StoredSource, 'tags'>): Promise<void> {
    await this.db.update(T.sources, and(col('id').eq(source.id)), toRow(source));
  }

  async delete(id: string): Promise<void> {
    await this.db.delete(T.sources, and(col('id').eq(id)));
    await this.tags.deleteAll(id);
  }

  /** A page of the Sources matching `filters` in id order (7.0), after the id `after`. */
  async list(filters: SourceFilters, after: string | undefined, limit: number): Promise<Page<SourceRecord>> {
    const plan = await this.plan(filters);
    if (!plan) return { items: [] };
    const page = await scanPage(this.db, T.sources, plan.where, plan.accept, after, limit);
    return { items: await this.hydrate(page.rows), next: page.next };
  }

  /** A page of the Sources matching `filters` in a listing order (8.2's sort_by), after `after`. */
  async listSorted(
    filters: SourceFilters,
    sort: SourceSort,
    after: SortCursor | undefined,
    limit: number,
  ): Promise<{ items: SourceRecord[]; next?: SortCursor }> {
    const plan = await this.plan(filters);
    if (!plan) return { items: [] };
    const scan = { column: sort.key, order: sort.order, ...plan };
    const page = await sortedPage(this.db, T.sources, scan, after, limit);
    return { items: await this.hydrate(page.rows), ...(page.next && { next: page.next }) };
  }

  /**
   * The sources table's side of `filters`; undefined when nothing can match. A Source is
   * collected by the Sources of the Flows collecting its Flows (inferCollections), so
   * `collected_by` goes through the collections of those Flows.
   */
  private async plan(
    filters: SourceFilters,
  ): Promise<{ where: (ColumnGroup | false | undefined)[]; accept: (row: Row) => boolean } | undefined> {
    const tagSets = await this.tags.resolveFilters(filters.tags);
    let include = tagSets.include;
    const exclude = new Set(tagSets.exclude);
    const collectors = filters.collected_by;
    if (collectors !== undefined && collectors.length > 0) {
      const members: string[] = [];
      const collectorFlows = [...(await this.flows.bySources(collectors)).keys()];
      for (const items of (await this.collections.itemsOf(collectorFlows)).values())
        for (const item of items) members.push(item.id);
      const collected = new Set((await this.flows.sourcesOf(members)).values());
      include = include ? new Set([...include].filter((id) => collected.has(id))) : collected;
    } else if (collectors !== undefined) {
      const members = [...(await this.collections.members())];
      for (const id of (await this.flows.sourcesOf(members)).values()) exclude.add(id);
    }
    if (include && include.size === 0) return undefined;
    return {
      where: [
        filters.label !== undefined && col('label').eq(filters.label),
        filters.format !== undefined && col('format').eq(filters.format),
        include && col('id').in([...include]),
      ],
      accept: (row: Row) => !exclude.has(reqStr(row, 'id')),
    };
  }

  /**
   * Source collections are inferred from Flow collections (ADR 0012, 0018): a Source collects the
   * Sources of the Flows its Flows collect, with the same roles; and is collected by the Sources of
   * the Flows collecting its Flows.
   */
  private async hydrate(rows: readonly Row[]): Promise<SourceRecord[]> {
    const ids = rows.map((r) => reqStr(r, 'id'));
    const [tags, inferred] = await Promise.all([this.tags.getMany(ids), this.inferCollections(ids)]);
    return rows.map((row) => {
      const id = reqStr(row, 'id');
      return {
        ...fromRow(row, tags.get(id) ?? {}),
        source_collection: inferred.collection.get(id) ?? [],
        collected_by: inferred.collectedBy.get(id) ?? [],
      };
    });
  }

  /** The Sources collecting each of these Sources (without reading the Sources themselves). */
  async collectedBy(sourceIds: readonly string[]): Promise<Map<string, string[]>> {
    return (await this.inferCollections(sourceIds, false)).collectedBy;
  }

  /**
   * What events about these Flows record for webhook filters (ADR 0026): each Flow's
   * `collected_by` and its Source's. Two reads whatever the number of Flows: the Flows of their
   * Sources (which include them), then who collects those (a third only when a collector belongs
   * to another Source).
   */
  async eventCollectors(
    flows: readonly { id: string; source_id: string }[],
    guess?: CollectorsGuess,
  ): Promise<{ flows: Map<string, string[]>; sources: Map<string, string[]> }> {
    const sourceIds = [...new Set(flows.map((f) => f.source_id))];
    const { collectedBy, collectors, flowSource } = await this.inferCollections(
      sourceIds,
      false,
      await checkGuess(guess, sourceIds),
    );
    if (this.hints) {
      const bySource = new Map<string, string[]>(sourceIds.map((id) => [id, []]));
      for (const [flowId, sourceId] of flowSource) bySource.get(sourceId)?.push(flowId);
      for (const [sourceId, list] of bySource) this.hints.flowsOfSource.set(sourceId, list);
      for (const f of flows) this.hints.sourceOfFlow.set(f.id, f.source_id);
    }
    const sources = new Map(flows.map((f) => [f.source_id, collectedBy.get(f.source_id) ?? []]));
    return { flows: new Map(flows.map((f) => [f.id, collectors.get(f.id) ?? []])), sources };
  }

  /**
   * The first two reads of eventCollectors, started before the Flows' rows are read, from the
   * Sources and sibling Flows these Flows had when last seen (StoreHints): the Flows of those
   * Sources, and who collects those Flows. eventCollectors uses them when the Flows' rows name
   * the same Sources and no Flow has joined them since; else it reads again. Undefined without
   * hints for every Flow.
   */
  guessEventCollectors(flowIds: readonly string[]): CollectorsGuess | undefined {
    const hints = this.hints;
    if (hints === undefined) return undefined;
    const sources = new Set<string>();
    const siblings = new Set<string>();
    for (const id of flowIds) {
      const source = hints.sourceOfFlow.get(id);
      const flows = source === undefined ? undefined : hints.flowsOfSource.get(source);
      if (source === undefined || flows === undefined) return undefined;
      sources.add(source);
      for (const f of flows) siblings.add(f);
    }
    // Never rejected: a failed guess is only a guess not taken.
    const quiet = <T>(p: Promise<T>) =>
      p.then(
        (v): T | undefined => v,
        () => undefined,
      );
    return {
      sources,
      siblings,
      flowSource: quiet(this.flows.bySources([...sources])),
      collectors: quiet(this.collections.collectorsOf([...siblings])),
    };
  }

  /** `withItems` false: collected_by only (the Sources' own collections are not read). */
  private async inferCollections(ids: readonly string[], withItems = true, read?: CollectorsRead) {
    const flowSource = read?.flowSource ?? (await this.flows.bySources(ids));
    const flowIds = [...flowSource.keys()];
    const [items, collectors] = await Promise.all([
      withItems ? this.collections.itemsOf(flowIds) : new Map<string, CollectionItem[]>(),
      read?.collectors ?? this.collections.collectorsOf(flowIds),
    ]);
    const related = new Set<string>();
    for (const list of items.values()) for (const item of list) related.add(item.id);
    for (const list of collectors.values()) for (const id of list) related.add(id);
    const unknown = [...related].filter((id) => !flowSource.has(id));
    const relatedSource = new Map([...flowSource, ...(await this.flows.sourcesOf(unknown))]);

    const collection = new Map<string, CollectionItem[]>();
    const collectedBy = new Map<string, string[]>();
    // Flow ids sorted so the inferred lists are stable between calls.
    for (const flowId of [...flowIds].sort()) {
      const sourceId = flowSource.get(flowId) as string;
      for (const item of items.get(flowId) ?? []) {
        const memberSource = relatedSource.get(item.id);
        const list = collection.get(sourceId) ?? [];
        if (memberSource !== undefined && !list.some((i) => i.id === memberSource)) {
          list.push({ id: memberSource, role: item.role });
        }
        collection.set(sourceId, list);
      }
      for (const collectorFlow of collectors.get(flowId) ?? []) {
        const collectorSource = relatedSource.get(collectorFlow);
        const list = collectedBy.get(sourceId) ?? [];
        if (collectorSource !== undefined && !list.includes(collectorSource)) list.push(collectorSource);
        collectedBy.set(sourceId, list);
      }
    }
    return { collection, collectedBy, collectors, flowSource };
  }
}

/** The Flows of some Sources (flow -> source), and who collects (at least) those Flows. */
interface CollectorsRead {
  flowSource: Map<string, string>;
  collectors: Map<string, string[]>;
}

/** See SourcesRepo.guessEventCollectors. */
export interface CollectorsGuess {
  sources: ReadonlySet<string>;
  siblings: ReadonlySet<string>;
  flowSource: Promise<Map<string, string> | undefined>;
  collectors: Promise<Map<string, string[]> | undefined>;
}

/**
 * The guess's reads, when they answer for exactly these Sources: the same Sources, and no Flow of
 * them that the guess did not ask the collectors of. (Flows that left them are only read for
 * nothing.)
 */
async function checkGuess(
  guess: CollectorsGuess | undefined,
  sourceIds: readonly string[],
): Promise<CollectorsRead | undefined> {
  if (guess === undefined) return undefined;
  const [flowSource, collectors] = await Promise.all([guess.flowSource, guess.collectors]);
  if (flowSource === undefined || collectors === undefined) return undefined;
  if (guess.sources.size !== sourceIds.length || !sourceIds.every((id) => guess.sources.has(id)))
    return undefined;
  for (const flowId of flowSource.keys()) if (!guess.siblings.has(flowId)) return undefined;
  return { flowSource, collectors };
}

/**
 * A Source just inserted as `get` would read it back while its only Flow collects nothing and is
 * collected by nothing (its collections are inferred from its Flows').
 */
export function insertedSource(source: StoredSource): SourceRecord {
  return { ...fromRow(toRow(source), storedTags(source.tags)), source_collection: [], collected_by: [] };
}

function toRow(source: Omit<StoredSource, 'tags'>): Row {
  return {
    id: source.id,
    format: source.format,
    label: opt(source.label),
    description: opt(source.description),
    created_by: opt(source.created_by),
    updated_by: opt(source.updated_by),
    created: source.created,
    updated: source.updated,
  };
}

function fromRow(row: Row, tags: Tags): StoredSource {
  const created = date(row, 'created') ?? new Date(0);
  return {
    id: reqStr(row, 'id'),
    format: reqStr(row, 'format'),
    label: str(row, 'label'),
    description: str(row, 'description'),
    created_by: str(row, 'created_by'),
    updated_by: str(row, 'updated_by'),
    created,
    updated: date(row, 'updated') ?? created,
    tags,
  };
}
