import type { UrlContext } from '../media/media.types.ts';
import type { InstanceRecord } from '../store/objects/instances.types.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { StoreSession } from '../store/store.ts';
import { instanceUrls } from './segments.instances.ts';
import type { GetUrlBuilder, GetUrlFilter, PageSegment, SegmentStorage } from './segments.urls.ts';
import type { FlowSegmentV8, GetUrlV8 } from './segments.v8.schemas.ts';

/**
 * What an initialisation segment object's get_urls are made from: where it is, and its
 * instances (copies, clients' URLs: ADR 0038), as a media object's are.
 */
export function initObjectPlaces(
  storage: SegmentStorage | undefined,
  instances: readonly InstanceRecord[],
): PageSegment {
  const places: PageSegment = instanceUrls(instances);
  if (storage !== undefined) places.storage = storage;
  return places;
}

/** The get_urls of init objects, by id, from where each is, with a request's filters. */
export function initUrls(
  builder: GetUrlBuilder,
  places: ReadonlyMap<string, PageSegment>,
  filter: GetUrlFilter,
  ctx: UrlContext,
): Map<string, GetUrlV8[]> {
  const ids = [...places.keys()];
  const urls = builder.buildMany([...places.values()], filter, ctx);
  return new Map(ids.map((id, i) => [id, urls[i] ?? []]));
}

/**
 * The get_urls of initialisation segment objects (8.2 `init_object.get_urls`, ADR 0045), by id:
 * made from where each is and from its instances, read at once, with a request's filters. An id
 * with no object left (none should be: an init object stays while a segment names it) has none.
 */
export async function initObjectUrls(
  store: Pick<StoreSession, 'objects' | 'instances'>,
  builder: GetUrlBuilder,
  ids: readonly string[],
  filter: GetUrlFilter,
  ctx: UrlContext,
): Promise<Map<string, GetUrlV8[]>> {
  const [locations, instances] = await Promise.all([
    store.objects.locations(ids),
    store.instances.among(ids),
  ]);
  const places = new Map<string, PageSegment>();
  for (const id of ids) {
    const at = locations.get(id);
    if (at?.storage_id === undefined || at.storage_path === undefined) continue;
    places.set(id, initObjectPlaces({ id: at.storage_id, path: at.storage_path }, instances.get(id) ?? []));
  }
  return initUrls(builder, places, filter, ctx);
}

/**
 * Each segment's `init_object` as 8.2 answers it (GET segments, flows/segments_added): its id,
 * with the get_urls `urls` has for it (none where it has no object), or without get_urls where
 * `urls` cannot say (an event recorded before events kept where init objects are).
 */
export function setInitObjects(
  records: readonly Pick<SegmentRecord, 'init_object_id'>[],
  items: FlowSegmentV8[],
  urls: (id: string, at: number) => GetUrlV8[] | undefined,
): void {
  records.forEach((s, i) => {
    const item = items[i];
    if (s.init_object_id === undefined || item === undefined) return;
    const getUrls = urls(s.init_object_id, i);
    item.init_object =
      getUrls === undefined
        ? { object_id: s.init_object_id }
        : { object_id: s.init_object_id, get_urls: getUrls };
  });
}
