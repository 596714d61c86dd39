import { checkDocument } from '../common/cells.ts';
import type { Clock } from '../common/clock.ts';
import { NotFoundError } from '../common/errors.ts';
import { EventLog } from '../events/events.log.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { tagsDocument, visibleTag } from '../http/tags.version.ts';
import { listingOrder, type SortCursor } from '../store/listing.order.ts';
import type { SourceFilters, SourceSort } from '../store/sources.repo.ts';

/** What 8.2 sorts `/sources` by. */
export type SourceSortKey = SourceSort['key'];

import type { StoreSession, TamsStore } from '../store/store.ts';
import type { Page, SourceRecord, Tags, TagValue } from '../store/store.types.ts';
import { recordSourceChanged, sourceChangedPayload } from './sources.events.ts';
import { type SourceDocument, sourceDocument } from './sources.mapper.ts';

type Editable = Pick<SourceRecord, 'label' | 'description' | 'tags'>;

/** Sources are read-only resources apart from label, description and tags (ADR 0018). */
export class SourcesService {
  constructor(private readonly deps: { store: TamsStore; clock: Clock }) {}

  async list(
    filters: SourceFilters,
    after: string | undefined,
    limit: number,
    version: ApiVersion = '7.0',
  ): Promise<Page<SourceDocument>> {
    const page = await this.deps.store.sources.list(filters, after, limit);
    return { items: page.items.map((source) => sourceDocument(source, version)), next: page.next };
  }

  /**
   * A page of Sources in 8.2's order (ADR 0052): by `sortBy`, dates newest first and labels A→Z,
   * Sources without a label after the rest by id; `reverse` reverses it all. As `version` shows them.
   */
  async listSorted(
    filters: SourceFilters,
    sort: { by: SourceSortKey; reverse: boolean },
    after: SortCursor | undefined,
    limit: number,
    version: ApiVersion,
  ): Promise<{ items: SourceDocument[]; next?: SortCursor }> {
    const order = listingOrder(sort.by === 'label' ? 'string' : 'datetime', sort.reverse);
    const page = await this.deps.store.sources.listSorted(filters, { key: sort.by, order }, after, limit);
    const items = page.items.map((source) => sourceDocument(source, version));
    return { items, ...(page.next && { next: page.next }) };
  }

  async get(id: string, version: ApiVersion = '7.0'): Promise<SourceDocument> {
    return sourceDocument(await this.require(this.deps.store, id), version);
  }

  async getRecord(id: string): Promise<SourceRecord> {
    return this.require(this.deps.store, id);
  }

  async getProperty(id: string, name: 'label' | 'description'): Promise<string> {
    const value = (await this.getRecord(id))[name];
    if (value === undefined) throw new NotFoundError(`Source ${id} has no ${name} set`);
    return value;
  }

  /** GET /sources/{id}/tags: the tags `version` sees. */
  async tags(id: string, version: ApiVersion): Promise<Tags> {
    return tagsDocument((await this.getRecord(id)).tags, version);
  }

  /** A tag's value; 404 when there is none, or, through 7.0, when it is a list. */
  async getTag(id: string, name: string, version: ApiVersion): Promise<TagValue> {
    const value = visibleTag((await this.getRecord(id)).tags, name, version);
    if (value === undefined) throw new NotFoundError(`Source ${id} has no tag ${JSON.stringify(name)}`);
    return value;
  }

  /** Sets a tag (a string written through 7.0 replaces a list of that name). */
  async putTag(id: string, name: string, value: TagValue, actor: string | undefined): Promise<void> {
    await this.update(id, actor, (source) => {
      source.tags = { ...source.tags, [name]: value };
    });
  }

  async update(id: string, actor: string | undefined, change: (source: Editable) => void): Promise<void> {
    await this.deps.store.transaction(async (store) => {
      const source = await this.require(store, id);
      const before = JSON.stringify(source.tags);
      change(source);
      source.updated = this.deps.clock.now();
      if (actor !== undefined) source.updated_by = actor;
      // Stored whole in its sources/updated event (the store's record of it, list tags
      // included): it must fit in one cell, as a Flow's.
      checkDocument('a Source', sourceChangedPayload(source).source as object, 'its sources/updated event');
      await store.sources.saveRow(source);
      if (JSON.stringify(source.tags) !== before) await store.sources.tags.replaceAll(id, source.tags);
      const events = new EventLog(store, source.updated);
      await recordSourceChanged(events, store, 'sources/updated', id);
      await events.flush();
    });
  }

  /** Removes a tag; 404 when there is none, or, through 7.0, when it is a list (7.0 cannot see it). */
  async deleteTag(id: string, name: string, actor: string | undefined, version: ApiVersion): Promise<void> {
    await this.update(id, actor, (source) => {
      if (visibleTag(source.tags, name, version) === undefined)
        throw new NotFoundError(`Source ${id} has no tag ${JSON.stringify(name)}`);
      const { [name]: _removed, ...rest } = source.tags;
      source.tags = rest;
    });
  }

  private async require(store: StoreSession, id: string): Promise<SourceRecord> {
    const source = await store.sources.get(id);
    if (!source) throw new NotFoundError(`Source ${id} does not exist`);
    return source;
  }
}
