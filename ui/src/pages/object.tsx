import { tams } from '../api/http.ts';
import type { GetUrl, MediaObject } from '../api/types.ts';
import { Await, ListTable, PageTitle, PropRow, TagList, useLoad, wide } from '../components/common.tsx';
import { MediaUrl } from '../components/urls.tsx';
import { href } from '../router.ts';

/**
 * A media object (8.2 GET /objects/{id}): its own timerange and key frames, the Flows using it,
 * and its URLs as 8.2 lists them with their storage backends (`verbose_storage`).
 */
export function ObjectPage({ id }: { id: string }) {
  if (id === '') {
    return (
      <section>
        <PageTitle>Media object</PageTitle>
        <p class="muted">No object id given (objects?id=…).</p>
      </section>
    );
  }
  return <ObjectView key={id} id={id} />;
}

function ObjectView({ id }: { id: string }) {
  const result = useLoad(id, async (signal) => {
    return (
      await tams<MediaObject>(`/objects/${encodeURIComponent(id)}`, {
        query: { verbose_storage: true },
        signal,
      })
    ).body;
  });
  return (
    <section>
      <PageTitle>Media object</PageTitle>
      <Await result={result} what="the object">
        {(object) => (
          <>
            <table class="props" data-testid="object">
              <tbody>
                <PropRow name="Id">
                  <code class="break">{object.id}</code>
                </PropRow>
                <PropRow name="Timerange">
                  {object.timerange ? <code>{object.timerange}</code> : <span class="muted">not known</span>}
                </PropRow>
                {object.key_frame_count !== undefined && (
                  <PropRow name="Key frames">{object.key_frame_count}</PropRow>
                )}
                <PropRow name="Used by">
                  <FlowLinks ids={object.referenced_by_flows} />
                </PropRow>
                {object.first_referenced_by_flow && (
                  <PropRow name="First used by">
                    <FlowLinks ids={[object.first_referenced_by_flow]} />
                  </PropRow>
                )}
              </tbody>
            </table>
            {object.get_urls && <Urls urls={object.get_urls} />}
          </>
        )}
      </Await>
    </section>
  );
}

function FlowLinks({ ids }: { ids: string[] }) {
  if (ids.length === 0) return <span class="muted">no Flow</span>;
  return (
    <ul class="plain">
      {ids.map((flowId) => (
        <li key={flowId}>
          <a href={href(`/flows/${flowId}`)}>
            <code>{flowId}</code>
          </a>
        </li>
      ))}
    </ul>
  );
}

function Urls({ urls }: { urls: GetUrl[] }) {
  return (
    <>
      <h2>URLs</h2>
      <ListTable
        items={urls}
        empty="No URL."
        testid="object-urls"
        columns={['Label', 'Kind', wide('Backend tags'), 'URL']}
        row={(url) => (
          <tr key={`${url.label ?? ''} ${url.url}`}>
            <td>{url.label ?? <span class="muted">(no label)</span>}</td>
            <td>
              {url.controlled === false ? 'registered by a client' : 'in a storage backend'}
              {url.presigned ? ', presigned' : ''}
            </td>
            <td class="wide">{url.tags && <TagList tags={url.tags} />}</td>
            <td class="break">
              <MediaUrl url={url.url} />
            </td>
          </tr>
        )}
      />
    </>
  );
}
