import { checkDocument } from '../common/cells.ts';
import type { Clock } from '../common/clock.ts';
import { BadRequestError, ForbiddenError, NotFoundError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import type { DeletionRequest } from '../deletion/deletion.schemas.ts';
import { type DeletionService, deletionDocument } from '../deletion/deletion.service.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { tagsDocument, visibleTag } from '../http/tags.version.ts';
import type { FlowFilters, FlowSortKey } from '../store/flows.repo.ts';
import { listingOrder, type SortCursor } from '../store/listing.order.ts';
import { insertedSource } from '../store/sources.repo.ts';
import type { StoreSession, TamsStore } from '../store/store.ts';
import type { CollectionItem, FlowRecord, Page, Tags, TagValue } from '../store/store.types.ts';
import { copyTags } from '../store/tags.values.ts';
import { TimeRange } from '../time/index.ts';
import { flowChangedPayload, recordFlowDeleted } from './flows.events.ts';
import { checkInitSegmentsChange } from './flows.guards.ts';
import { type FlowDocument, flowDocument } from './flows.mapper.ts';
import { flowFromBody, sameMetadata } from './flows.put.ts';
import { RelatedChanges } from './flows.related.ts';
import { type FlowProfiles, technicalDifferences, technicalOf } from './flows.technical.ts';
import { coveredRange } from './flows.timerange.ts';

export interface FlowsServiceDeps {
  store: TamsStore;
  clock: Clock;
  ids: IdGenerator;
  deletion: DeletionService;
  /** What 8.2 bodies with `profile_id` take from Profiles (src/profiles, given at composition). */
  profiles: FlowProfiles;
}

/** Who is making the change (the authenticated principal), when known. */
export type Actor = string | undefined;

/** A Flow as update() hands it to a change (the stored record: routes see it through this name). */
export type EditableFlow = FlowRecord;

export type { FlowFilters, FlowSortKey };

const READ_ONLY = 'Flow is marked read-only';

/** The spec's rules for Flows: creation and replacement, properties, deletion. */
export class FlowsService {
  constructor(private readonly deps: FlowsServiceDeps) {}

  async list(
    filters: FlowFilters,
    after: string | undefined,
    limit: number,
    version: ApiVersion = '7.0',
  ): Promise<Page<FlowDocument>> {
    const page = await this.deps.store.flows.list(filters, after, limit);
    return { items: page.items.map((flow) => flowDocument(flow, { version })), next: page.next };
  }

  /**
   * A page of Flows in 8.2's order (ADR 0052): by `sortBy`, dates newest first and labels A→Z,
   * Flows without a label after the rest by id; `reverse` reverses it all. As `version` shows them.
   */
  async listSorted(
    filters: FlowFilters,
    sort: { by: FlowSortKey; reverse: boolean },
    after: SortCursor | undefined,
    limit: number,
    version: ApiVersion,
  ): Promise<{ items: FlowDocument[]; next?: SortCursor }> {
    const order = listingOrder(sort.by === 'label' ? 'string' : 'datetime', sort.reverse);
    const page = await this.deps.store.flows.listSorted(filters, { key: sort.by, order }, after, limit);
    const items = page.items.map((flow) => flowDocument(flow, { version }));
    return { items, ...(page.next && { next: page.next }) };
  }

  async get(
    id: string,
    options: { includeTimerange: boolean; timerange?: TimeRange; version?: ApiVersion },
  ): Promise<FlowDocument> {
    const { store } = this.deps;
    const flow = await this.require(store, id);
    const version = options.version;
    if (!options.includeTimerange) return flowDocument(flow, { version });
    const timerange = await coveredRange(store, flow, options.timerange ?? TimeRange.ETERNITY);
    return flowDocument(flow, { timerange, version });
  }

  /**
   * PUT /flows/{id}: returns the new Flow's document (as `version` shows it) when created,
   * undefined when replaced. Through 7.0 the Flow keeps what 7.0 cannot see (flows.put.ts).
   */
  async put(
    id: string,
    body: Record<string, unknown>,
    actor: Actor,
    version: ApiVersion = '7.0',
    options: { keepVersion?: boolean } = {},
  ): Promise<FlowDocument | undefined> {
    if (body.id !== id)
      throw new BadRequestError(`Flow id in the body (${String(body.id)}) does not match the path`);
    // A Profile never changes nor goes: what it gives the body is read before the transaction.
    const sent = version === '7.0' ? body : await this.deps.profiles.applyToFlow(body);
    return this.deps.store.transaction(async (store) => {
      // One read of the row: a Flow being deleted has a row but no record.
      const { flow: existing, row } = await store.flows.forWrite(id);
      if (existing?.read_only) throw new ForbiddenError(READ_ONLY);
      if (!existing && row) {
        throw new ForbiddenError(
          `Flow ${id} is being deleted; it can be created again once its deletion request is done`,
        );
      }
      const now = this.deps.clock.now();
      const newVersion = () => this.deps.ids.uuid();
      const flow = flowFromBody(id, sent, existing, {
        version,
        actor,
        now,
        newVersion,
        ...(options.keepVersion === true && { keepVersion: true }),
      });
      await checkProfileLink(store, flow, version);
      checkIntegers(flow);
      checkFits(flow);
      await checkInitSegmentsChange(store, existing, flow);
      // Two replicas creating this Flow at once: only one commits; the other, run again, updates
      // it. Creating its Source, or joining one, is claimed with it (attachSource): one update.
      const claims = existing ? [] : [`flow:${id}`];
      if (existing?.source_id !== flow.source_id) claims.push(`source:${flow.source_id}`);
      await store.guards.claim(claims);
      await this.checkCollection(store, id, flow.flow_collection);
      const related = new RelatedChanges(store, this.deps.ids, now, actor);
      // A Source created for the Flow is written beside it (one wave where calls are requests).
      const source = await this.attachSource(store, flow, existing, related, actor, now);
      const versionKept =
        options.keepVersion === true && existing?.metadata_version === flow.metadata_version;
      if (existing && sameMetadata(existing, flow) && (options.keepVersion !== true || versionKept)) {
        await source.written;
        return undefined;
      }
      await Promise.all([source.written, store.flows.save(flow, existing === null, existing ?? undefined)]);
      await related.collectionChanged(id, existing?.flow_collection, flow.flow_collection);
      if (existing && existing.source_id !== flow.source_id) {
        await this.releaseSource(store, existing.source_id, id, related);
      }
      // As a read would give it now, from what was written; read back only where this write
      // changed the Flow's own collected_by (its collection lists it, or did).
      const selfCollected = listsItself(id, flow.flow_collection, existing?.flow_collection);
      const written = selfCollected ? undefined : await store.flows.written(flow);
      await related.apply({ id, event: existing ? 'flows/updated' : 'flows/created', flow: written });
      if (existing) return undefined;
      return flowDocument(written ?? ((await store.flows.get(id)) as FlowRecord), { version });
    });
  }

  /**
   * DELETE /flows/{id}: the Flow and its segments go now, or, when it has many segments, the Flow
   * disappears now and a returned deletion request removes the segments in the background.
   */
  async delete(id: string, actor: Actor): Promise<DeletionRequest | undefined> {
    const { deletion } = this.deps;
    const request = await this.deps.store.transaction(async (store) => {
      const flow = await this.require(store, id);
      if (flow.read_only) throw new ForbiddenError(READ_ONLY);
      const related = new RelatedChanges(store, this.deps.ids, this.deps.clock.now(), actor);
      await related.collectionChanged(id, flow.flow_collection, undefined);
      // "Deleted (or scheduled for deletion)": the event goes now, with the Flow's filters.
      await recordFlowDeleted(related.events, flow);
      const sourceCollectedBy = (await store.sources.collectedBy([flow.source_id])).get(flow.source_id) ?? [];
      const pending = await deletion.removeFlowSegments(store, id, actor);
      const collectors = pending ? await store.flows.markDeleting(id) : await store.flows.delete(id);
      for (const collector of collectors) related.flowChanged(collector);
      await this.releaseSource(store, flow.source_id, id, related, sourceCollectedBy);
      await related.apply({ id });
      return pending;
    });
    if (!request) return undefined;
    deletion.wake();
    return deletionDocument(request);
  }

  /** Read-modify-write of one Flow's metadata with the read_only rule and version bump (`keepVersion`: none). */
  async update(
    id: string,
    actor: Actor,
    change: (flow: EditableFlow) => void,
    options: { allowReadOnly?: boolean; version?: ApiVersion; keepVersion?: boolean } = {},
  ): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const flow = await this.require(store, id);
      if (flow.read_only && !options.allowReadOnly) throw new ForbiddenError(READ_ONLY);
      const before = flow.flow_collection;
      // What `change` may replace of the stored Flow: its tags and collection are rewritten only if it does.
      const stored = { ...flow, tags: copyTags(flow.tags), flow_collection: before?.map((i) => ({ ...i })) };
      const technical = technicalOf(flow);
      change(flow);
      if (technicalDifferences(flow, technical).length > 0) {
        await checkProfileLink(store, flow, options.version ?? '7.0');
      }
      const now = this.deps.clock.now();
      flow.metadata_updated = now;
      // Kept by replication alone, whose copy of a Flow carries the origin's version while it
      // opens and closes the Flow's read-only mark around a page of segments.
      if (options.keepVersion !== true) flow.metadata_version = this.deps.ids.uuid();
      if (actor !== undefined) flow.updated_by = actor;
      checkIntegers(flow);
      checkFits(flow);
      const related = new RelatedChanges(store, this.deps.ids, now, actor);
      if (flow.flow_collection !== before) await this.checkCollection(store, id, flow.flow_collection);
      await store.flows.save(flow, false, stored);
      await related.collectionChanged(id, before, flow.flow_collection);
      // As in put: from what was written, unless the change touched the Flow's own collected_by.
      const selfCollected = listsItself(id, flow.flow_collection, before);
      const written = selfCollected ? undefined : await store.flows.written(flow);
      await related.apply({ id, event: 'flows/updated', flow: written });
    });
  }

  async getFlow(id: string): Promise<FlowRecord> {
    return this.require(this.deps.store, id);
  }

  /** A single optional property; 404 when the Flow is missing or the property unset. */
  async getProperty<K extends keyof FlowRecord>(id: string, name: K): Promise<NonNullable<FlowRecord[K]>> {
    const value = (await this.getFlow(id))[name];
    if (value === undefined || value === null)
      throw new NotFoundError(`Flow ${id} has no ${String(name)} set`);
    return value as NonNullable<FlowRecord[K]>;
  }

  /** GET /flows/{id}/tags: the tags `version` sees. */
  async tags(id: string, version: ApiVersion): Promise<Tags> {
    return tagsDocument((await this.getFlow(id)).tags, version);
  }

  /** A tag's value; 404 when there is none, or, through 7.0, when it is a list. */
  async getTag(id: string, name: string, version: ApiVersion): Promise<TagValue> {
    const value = visibleTag((await this.getFlow(id)).tags, name, version);
    if (value === undefined) throw new NotFoundError(`Flow ${id} has no tag ${JSON.stringify(name)}`);
    return value;
  }

  /** Sets a tag (a string written through 7.0 replaces a list of that name). */
  async putTag(id: string, name: string, value: TagValue, actor: Actor): Promise<void> {
    await this.update(id, actor, (flow) => {
      flow.tags = { ...flow.tags, [name]: value };
    });
  }

  /** Removes a tag; 404 when there is none, or, through 7.0, when it is a list (7.0 cannot see it). */
  async deleteTag(id: string, name: string, actor: Actor, version: ApiVersion): Promise<void> {
    await this.update(id, actor, (flow) => {
      if (visibleTag(flow.tags, name, version) === undefined)
        throw new NotFoundError(`Flow ${id} has no tag ${JSON.stringify(name)}`);
      const { [name]: _removed, ...rest } = flow.tags;
      flow.tags = rest;
    });
  }

  private async require(store: StoreSession, id: string): Promise<FlowRecord> {
    const flow = await store.flows.get(id);
    if (!flow) throw new NotFoundError(`Flow ${id} does not exist`);
    return flow;
  }

  /** Collection members "must already be registered"; a Flow may list itself (the spec's own example does). */
  private async checkCollection(
    store: StoreSession,
    id: string,
    items: CollectionItem[] | undefined,
  ): Promise<void> {
    if (!items || items.length === 0) return;
    const ids = [...new Set(items.map((i) => i.id))].filter((member) => member !== id);
    const found = await store.flows.existing(ids);
    const missing = ids.filter((member) => !found.has(member));
    if (missing.length > 0) {
      throw new BadRequestError(`flow_collection references Flows that do not exist: ${missing.join(', ')}`);
    }
  }

  /**
   * Sources are never created directly: a Flow naming an unknown Source creates a minimal one
   * (AppNote 0007). A Source keeps one format, so a Flow may only join a Source of its own
   * format, unless the Flow is the Source's only Flow (then the Source follows it). Returns the
   * insert of a Source it creates, still under way (the caller writes the Flow beside it).
   */
  private async attachSource(
    store: StoreSession,
    flow: FlowRecord,
    existing: FlowRecord | null,
    related: RelatedChanges,
    actor: Actor,
    now: Date,
  ): Promise<{ written?: Promise<void> }> {
    // Creating the Source, or joining it, excludes its deletion with its last Flow on another
    // replica (releaseSource claims it too): otherwise both could commit, this Flow's Source gone.
    // The caller (put) has claimed it then. A Flow's Source has the Flow's format (this method
    // keeps it so), so a Flow staying with its Source in its format needs nothing of it.
    if (existing?.source_id === flow.source_id && existing.format === flow.format) return {};
    const source = await store.sources.getRow(flow.source_id);
    if (!source) {
      const created = {
        id: flow.source_id,
        format: flow.format,
        created: now,
        updated: now,
        created_by: actor,
        updated_by: actor,
        tags: {},
      };
      const written = store.sources.insert(created);
      // Its only Flow is this one, which, when new, no other collects (members must exist
      // first): its collections, inferred from this Flow's, are then empty while the Flow
      // collects nothing, and nothing collects it unless the Flow lists itself. Else they are read.
      if (existing === null) {
        const collects = (flow.flow_collection ?? []).length > 0;
        related.sourceCreated(flow.source_id, collects ? undefined : insertedSource(created));
        if (!listsItself(flow.id, flow.flow_collection))
          related.events.knowSources(new Map([[flow.source_id, []]]));
      } else related.sourceCreated(flow.source_id);
      return { written };
    }
    if (source.format === flow.format) return {};
    const others = await store.flows.countBySource(flow.source_id, existing ? flow.id : undefined);
    if (others > 0) {
      throw new BadRequestError(
        `Source ${flow.source_id} has format ${source.format}; a Flow of format ${flow.format} cannot belong to it`,
      );
    }
    await store.sources.saveRow({
      ...source,
      format: flow.format,
      updated: now,
      updated_by: actor ?? source.updated_by,
    });
    related.sourceChanged(flow.source_id);
    return {};
  }

  /** A Source goes with its last Flow (ADR 0018). */
  private async releaseSource(
    store: StoreSession,
    sourceId: string,
    flowId: string,
    related: RelatedChanges,
    collectedByBefore?: string[],
  ) {
    // A Source with Flows left is unchanged: its document does not list its Flows.
    if ((await store.flows.countBySource(sourceId, flowId)) > 0) return;
    await store.guards.claim([`source:${sourceId}`]); // see attachSource
    const collectedBy =
      collectedByBefore ?? (await store.sources.collectedBy([sourceId])).get(sourceId) ?? [];
    await store.sources.delete(sourceId);
    related.sourceDeleted(sourceId, collectedBy);
  }
}

/** Whether one of these collections of Flow `id` lists `id` itself: its own collected_by changes with it. */
function listsItself(id: string, ...collections: FlowRecord['flow_collection'][]): boolean {
  return collections.some((items) => (items ?? []).some((item) => item.id === id));
}

/**
 * `generation` and the bit rates are JSON integers without a maximum; beyond 2^53 a JavaScript
 * number is no longer exact and beyond 2^63 it does not fit the store's int64 columns.
 */
function checkIntegers(flow: FlowRecord): void {
  for (const key of ['generation', 'avg_bit_rate', 'max_bit_rate'] as const) {
    const value = flow[key];
    if (value !== undefined && !Number.isSafeInteger(value)) {
      throw new BadRequestError(
        `${key} ${value} is larger than this store supports (${Number.MAX_SAFE_INTEGER})`,
      );
    }
  }
}

/**
 * A Flow is stored whole in one value, its flows/created or flows/updated event (the store's
 * record of it, which each API version's document is made from: flows.events.ts), so that must
 * fit in one cell (CELL_MAX_BYTES): on any engine, checked before anything is written, naming
 * what to shorten. Each version's document is checked first, naming fields as a client of that
 * version writes them (8.2's has the list tags 7.0's leaves out, 7.0's a multi Flow's free-form
 * essence parameters); the record, which holds both, last.
 */
function checkFits(flow: FlowRecord): void {
  const where = 'its flows/created and flows/updated events';
  for (const version of ['8.2', '7.0'] as const) {
    checkDocument('a Flow', flowDocument(flow, { version }), where);
  }
  checkDocument('a Flow', flowChangedPayload(flow).flow as object, where);
}

/**
 * A Flow linked to a Profile stays linked only while its technical metadata is the Profile's
 * (AppNote 0020). A write that would change it is refused through 8.2 (400: unlink first, with
 * `profile_id: ""`), and through 7.0, which has no Profiles and no such rule, accepted: the link
 * goes (docs/api-versions.md). A link to a Profile the store does not hold goes too.
 */
async function checkProfileLink(store: StoreSession, flow: FlowRecord, version: ApiVersion): Promise<void> {
  if (flow.profile_id === undefined) return;
  const profile = await store.profiles.get(flow.profile_id);
  const changed = profile ? technicalDifferences(flow, profile.flow_metadata) : [];
  if (profile && changed.length === 0) return;
  if (profile && version !== '7.0') {
    throw new BadRequestError(
      `Flow ${flow.id} is made from Profile ${flow.profile_id}, and its ${changed.join(', ')} cannot change while it is linked: to change them, unlink it with profile_id "" in a PUT of the whole Flow`,
    );
  }
  flow.profile_id = undefined;
}
