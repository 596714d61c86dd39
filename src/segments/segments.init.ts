import type { UrlContext } from '../media/media.types.ts';
import type { StoreSession } from '../store/store.ts';
import { instanceUrls } from './segments.instances.ts';
import type { GetUrlBuilder, GetUrlFilter } from './segments.urls.ts';
import type { GetUrlV8 } from './segments.v8.schemas.ts';

/**
 * The get_urls of initialisation segment objects (8.2 `init_object.get_urls`, ADR 0045), by id:
 * made from where each is and from its instances (copies, clients' URLs: ADR 0038), read at
 * once, with a request's filters. An id with no object left (none should be: an init object
 * stays while a segment names it) has none.
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
  const found = ids.flatMap((id) => {
    const at = locations.get(id);
    return at?.storage_id === undefined || at.storage_path === undefined
      ? []
      : [
          {
            id,
            storage: { id: at.storage_id, path: at.storage_path },
            ...instanceUrls(instances.get(id) ?? []),
          },
        ];
  });
  const urls = builder.buildMany(found, filter, ctx);
  return new Map(found.map((f, i) => [f.id, urls[i] ?? []]));
}
