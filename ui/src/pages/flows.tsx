import { api, nextPageKey } from '../api/http.ts';
import type { Flow } from '../api/types.ts';
import { Await, formatName, ListTable, PageTitle, ShortId, TagList, useLoad } from '../components/common.tsx';
import { Filters, FORMAT_FIELD, listingQuery } from '../components/filters.tsx';
import { Pager } from '../components/pager.tsx';
import { href, type Route, withQuery } from '../router.ts';

const FILTERS = [
  { name: 'label', label: 'Label' },
  FORMAT_FIELD,
  { name: 'codec', label: 'Codec', placeholder: 'video/h264' },
];
const PAGE_SIZE = 50;

/** GET /flows with the TAMS filters (source_id, label, format, codec, tag.{name}) and paging. */
export function FlowsPage({ route }: { route: Route }) {
  const query = listingQuery(route.query, ['label', 'format', 'codec', 'source_id']);
  const sourceId = route.query.get('source_id') ?? undefined;
  const result = useLoad(JSON.stringify(query), async (signal) => {
    const { body, headers } = await api<Flow[]>('/flows', { query: { ...query, limit: PAGE_SIZE }, signal });
    return { flows: body, next: nextPageKey(headers) };
  });
  return (
    <section>
      <PageTitle>Flows</PageTitle>
      {sourceId && (
        <p>
          Of Source <code>{sourceId}</code> · <a href={href('/flows')}>all Flows</a>
        </p>
      )}
      <Filters path="/flows" query={route.query} fields={FILTERS} keep={['source_id']} />
      <Await result={result} what="Flows">
        {(value) => (
          <>
            <ListTable
              items={value.flows}
              empty="No Flow matches."
              testid="flows"
              head={
                <>
                  <th scope="col">Label</th>
                  <th scope="col">Format</th>
                  <th scope="col">Codec</th>
                  <th scope="col" class="wide">
                    Container
                  </th>
                  <th scope="col" class="wide">
                    Tags
                  </th>
                  <th scope="col">Source</th>
                </>
              }
              row={(flow) => (
                <tr key={flow.id}>
                  <td>
                    <a href={href(`/flows/${flow.id}`)}>
                      {flow.label || <span class="muted">(no label)</span>}
                    </a>
                  </td>
                  <td>{formatName(flow.format)}</td>
                  <td>{flow.codec}</td>
                  <td class="wide">{flow.container}</td>
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
