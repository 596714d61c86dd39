import { FLOW_STATUSES, type Flow } from '../api/types.ts';
import { Await, ListTable, PageTitle, ShortId, TagList, wide } from '../components/common.tsx';
import { type FilterField, Filters, FORMAT_FIELD, listingQuery, sortField } from '../components/filters.tsx';
import { FlowStatusCell } from '../components/flow.status.tsx';
import { useListing } from '../components/listing.ts';
import { Pager } from '../components/pager.tsx';
import { TECHNICAL_COLUMNS, TechnicalCells } from '../components/technical.tsx';
import { href, type Route, withQuery } from '../router.ts';

/** 8.2's `status` filter: Flows a client marked so (Flows written through 7.0 have none). */
const STATUS_FIELD: FilterField = {
  name: 'status',
  label: 'Status',
  options: [
    { value: '', label: 'any' },
    ...FLOW_STATUSES.map((status) => ({ value: status, label: status.replaceAll('_', ' ') })),
  ],
};

const FILTERS = [
  { name: 'label', label: 'Label' },
  FORMAT_FIELD,
  { name: 'codec', label: 'Codec', placeholder: 'video/h264' },
  STATUS_FIELD,
  sortField([
    { value: 'label', label: 'label' },
    { value: 'metadata_updated', label: 'last updated' },
  ]),
];
/** Filters given by the page that links here (a Source's row, a Profile's), kept by the form. */
const KEPT = ['source_id', 'profile_id'];

/**
 * GET /flows with the TAMS filters (source_id, label, format, codec, tag.{name}; 8.2's status,
 * profile_id and sort_by) and paging.
 */
export function FlowsPage({ route }: { route: Route }) {
  const query = listingQuery(route.query, ['label', 'format', 'codec', 'status', 'sort_by', ...KEPT]);
  const sourceId = route.query.get('source_id') ?? undefined;
  const profileId = route.query.get('profile_id') ?? undefined;
  const result = useListing<Flow>('/flows', query);
  return (
    <section>
      <PageTitle>Flows</PageTitle>
      {sourceId && (
        <p>
          Of Source <code>{sourceId}</code> · <a href={href('/flows')}>all Flows</a>
        </p>
      )}
      {profileId && (
        <p>
          Made from Profile <a href={href(withQuery('/profiles', { id: profileId }))}>{profileId}</a> ·{' '}
          <a href={href('/flows')}>all Flows</a>
        </p>
      )}
      <Filters path="/flows" query={route.query} fields={FILTERS} keep={KEPT} />
      <Await result={result} what="Flows">
        {(value) => (
          <>
            <ListTable
              items={value.items}
              empty="No Flow matches."
              testid="flows"
              columns={[...TECHNICAL_COLUMNS, 'Status', wide('Tags'), 'Source']}
              row={(flow) => (
                <tr key={flow.id}>
                  <TechnicalCells link={href(`/flows/${flow.id}`)} label={flow.label} metadata={flow} />
                  <td>
                    <FlowStatusCell flow={flow} />
                  </td>
                  <td class="wide">
                    <TagList tags={flow.tags} />
                  </td>
                  <td>
                    <a
                      href={href(withQuery('/flows', { source_id: flow.source_id }))}
                      title="Flows of this Source"
                    >
                      <ShortId id={flow.source_id} />
                    </a>
                  </td>
                </tr>
              )}
            />
            <Pager path="/flows" query={route.query} next={value.next} />
          </>
        )}
      </Await>
    </section>
  );
}
