import type { StorageBackend } from '../api/types.ts';
import { Await, ListTable, PageTitle, ShortId, TagList, wide } from '../components/common.tsx';
import { Filters, listingQuery } from '../components/filters.tsx';
import { useListing } from '../components/listing.ts';
import { Pager } from '../components/pager.tsx';
import type { Route } from '../router.ts';

/** GET /service/storage-backends (8.2): where media is kept, with the tags each is configured with. */
export function StoragePage({ route }: { route: Route }) {
  const query = listingQuery(route.query, []);
  const result = useListing<StorageBackend>('/service/storage-backends', query);
  return (
    <section>
      <PageTitle>Storage backends</PageTitle>
      <Filters path="/storage" query={route.query} fields={[]} />
      <Await result={result} what="storage backends">
        {(value) => (
          <>
            <ListTable
              items={value.items}
              empty="No storage backend matches."
              testid="storage"
              columns={['Label', 'Provider', wide('Product'), wide('Region'), 'Default', wide('Tags'), 'Id']}
              row={(backend) => (
                <tr key={backend.id}>
                  <td>{backend.label || <span class="muted">(no label)</span>}</td>
                  <td>{backend.provider}</td>
                  <td class="wide">{backend.store_product}</td>
                  <td class="wide">
                    {[backend.region, backend.availability_zone].filter(Boolean).join(' / ')}
                  </td>
                  <td>{backend.default_storage ? 'yes' : ''}</td>
                  <td class="wide">
                    <TagList tags={backend.tags} />
                  </td>
                  <td>
                    <ShortId id={backend.id} />
                  </td>
                </tr>
              )}
            />
            <Pager path="/storage" query={route.query} next={value.next} />
          </>
        )}
      </Await>
    </section>
  );
}
