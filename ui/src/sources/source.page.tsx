import { nextPageKey, tams } from '../api/http.ts';
import type { CollectionItem, Flow, Source } from '../api/types.ts';
import {
  ErrorMessage,
  formatName,
  ListTable,
  Loading,
  PageTitle,
  PropRow as Row,
  TagList,
  useLoad,
} from '../components/common.tsx';
import { TECHNICAL_COLUMNS, TechnicalCells } from '../components/technical.tsx';
import { href, withQuery } from '../router.ts';
import { durationText, earlier, later, rangeText, type Span, spanOf, utcText } from '../time.ts';

/** Flows shown on the page (each read again for its timerange); beyond, the Flows list has them all. */
const FLOW_LIMIT = 50;

interface SourceView {
  source: Source;
  /** Its Flows, each with its timerange. */
  flows: Flow[];
  /** More Flows than shown. */
  more: boolean;
}

async function loadSource(id: string, signal: AbortSignal): Promise<SourceView> {
  const path = `/sources/${encodeURIComponent(id)}`;
  const [source, listed] = await Promise.all([
    tams<Source>(path, { signal }),
    tams<Flow[]>('/flows', { query: { source_id: id, limit: FLOW_LIMIT }, signal }),
  ]);
  // A listing has no timeranges: each Flow's own GET gives its own.
  const flows = await Promise.all(
    listed.body.map(
      async (flow) =>
        (
          await tams<Flow>(`/flows/${encodeURIComponent(flow.id)}`, {
            query: { include_timerange: true },
            signal,
          })
        ).body,
    ),
  );
  return { source: source.body, flows, more: nextPageKey(listed.headers) !== undefined };
}

/** The span from the earliest start of the Flows' timeranges to the latest end (holes and all). */
function envelope(flows: readonly Flow[]): Span | undefined {
  let out: Span | undefined;
  for (const flow of flows) {
    const span = spanOf(flow.timerange);
    if (span) out = out ? { start: earlier(span.start, out.start), end: later(span.end, out.end) } : span;
  }
  return out;
}

function SourceLinks({ items }: { items: readonly CollectionItem[] }) {
  return (
    <ul class="plain">
      {items.map((item) => (
        <li key={item.id}>
          <a href={href(`/sources/${item.id}`)}>
            <code>{item.id}</code>
          </a>
          {item.role ? ` (${item.role})` : ''}
        </li>
      ))}
    </ul>
  );
}

/**
 * A Source: its label, description, format and tags, the collections it makes or is in, its
 * Flows (each with its timerange, linking to its page) and the timerange they span together.
 */
export function SourcePage({ id }: { id: string }) {
  const result = useLoad(id, (signal) => loadSource(id, signal));
  if (result.state === 'loading') return <Loading what="the Source" />;
  if (result.state === 'error') {
    return (
      <section>
        <PageTitle>Source</PageTitle>
        <ErrorMessage error={result.error} />
      </section>
    );
  }
  return <SourceView {...result.value} />;
}

function SourceView({ source, flows, more }: SourceView) {
  const flowLabel = flows.find((flow) => flow.label)?.label;
  const span = envelope(flows);
  return (
    <section class="source">
      <PageTitle>{source.label || flowLabel || 'Source'}</PageTitle>
      {!source.label && (
        <p class="muted">
          This Source has no label of its own{flowLabel ? ': the title is its Flow\u2019s label' : ''}.
        </p>
      )}
      {source.description && <p>{source.description}</p>}
      <table class="props" data-testid="source-meta">
        <tbody>
          <Row name="Id">
            <code>{source.id}</code>
          </Row>
          <Row name="Format">{formatName(source.format)}</Row>
          <Row name="Timerange">
            {span ? (
              <>
                <code>{rangeText(span)}</code>
                <div>
                  {utcText(span.start)} → {utcText(span.end)} UTC ({durationText(span.end - span.start)})
                  {more ? `, from its first ${flows.length} Flows` : ''}
                </div>
              </>
            ) : (
              <span class="muted">no segments</span>
            )}
          </Row>
          {source.created && <Row name="Created">{source.created}</Row>}
          {source.updated && <Row name="Updated">{source.updated}</Row>}
          {source.source_collection && source.source_collection.length > 0 && (
            <Row name="Collection">
              <SourceLinks items={source.source_collection} />
            </Row>
          )}
          {source.collected_by && source.collected_by.length > 0 && (
            <Row name="In collections">
              <SourceLinks items={source.collected_by.map((collector) => ({ id: collector }))} />
            </Row>
          )}
        </tbody>
      </table>
      <h2>Tags</h2>
      <TagList tags={source.tags} />
      <h2>Flows</h2>
      <ListTable
        items={flows}
        empty="This Source has no Flow."
        testid="source-flows"
        columns={[...TECHNICAL_COLUMNS, 'Timerange']}
        row={(flow) => {
          const flowSpan = spanOf(flow.timerange);
          return (
            <tr key={flow.id}>
              <TechnicalCells link={href(`/flows/${flow.id}`)} label={flow.label} metadata={flow} />
              <td>
                {flowSpan ? (
                  <span title={flow.timerange}>
                    {utcText(flowSpan.start)} · {durationText(flowSpan.end - flowSpan.start)}
                  </span>
                ) : (
                  <span class="muted">no segments</span>
                )}
              </td>
            </tr>
          );
        }}
      />
      <p>
        <a href={href(withQuery('/flows', { source_id: source.id }))}>
          {more ? `All its Flows (first ${flows.length} shown)` : 'Its Flows in the Flows list'}
        </a>
      </p>
    </section>
  );
}
