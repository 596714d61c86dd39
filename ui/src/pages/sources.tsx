import type { Source } from '../api/types.ts';
import {
  ACTIONS,
  Await,
  formatName,
  ListTable,
  PageTitle,
  ShortId,
  TagList,
  wide,
} from '../components/common.tsx';
import { Filters, FORMAT_FIELD, listingQuery, sortField } from '../components/filters.tsx';
import { useListing } from '../components/listing.ts';
import { Pager } from '../components/pager.tsx';
import type { Route } from '../router.ts';
import { SourceSummaryCells, useSourceSummaries } from '../sources/source.summary.tsx';
import { useEdited } from '../writes/edited.ts';
import { SourceEdit } from '../writes/source.actions.tsx';

const FILTERS = [
  { name: 'label', label: 'Label' },
  FORMAT_FIELD,
  sortField([
    { value: 'label', label: 'label' },
    { value: 'updated', label: 'last updated' },
  ]),
];

/** GET /sources with the TAMS filters (label, format, tag.{name}), 8.2's sort_by, and paging. */
export function SourcesPage({ route }: { route: Route }) {
  const query = listingQuery(route.query, ['label', 'format', 'sort_by']);
  const result = useListing<Source>('/sources', query);
  const [edited, setEdited] = useEdited<Source>();
  const summaries = useSourceSummaries(result.state === 'done' ? result.value.items.map((s) => s.id) : []);
  return (
    <section>
      <PageTitle>Sources</PageTitle>
      <Filters path="/sources" query={route.query} fields={FILTERS} />
      <Await result={result} what="Sources">
        {(value) => (
          <>
            <ListTable
              items={value.items.map(edited)}
              empty="No Source matches."
              testid="sources"
              columns={['Label', 'Flows', 'Format', wide('Description'), wide('Tags'), 'Id', ACTIONS]}
              row={(source) => (
                <tr key={source.id}>
                  <SourceSummaryCells source={source} summaries={summaries} />
                  <td>{formatName(source.format)}</td>
                  <td class="wide">{source.description}</td>
                  <td class="wide">
                    <TagList tags={source.tags} />
                  </td>
                  <td>
                    <ShortId id={source.id} />
                  </td>
                  <td>
                    <SourceEdit source={source} onChanged={setEdited} />
                  </td>
                </tr>
              )}
            />
            <Pager path="/sources" query={route.query} next={value.next} />
          </>
        )}
      </Await>
    </section>
  );
}
