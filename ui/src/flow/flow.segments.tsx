import { Fragment } from 'preact';
import './flow.views.css';
import { useState } from 'preact/hooks';
import { isAbort, nextPageKey, tams } from '../api/http.ts';
import type { Segment } from '../api/types.ts';
import { ErrorMessage, Loading, useLoad } from '../components/common.tsx';
import { SizeText } from '../components/size.tsx';
import { href, withQuery } from '../router.ts';
import { durationText, rangeText, type Span, spanOf, utcText } from '../time.ts';
import { SegmentUrls } from './flow.segment.detail.tsx';
import { discontinuities } from './flow.segments.gaps.ts';

const PAGE_SIZE = 20;
/** Columns of a row, for the rows that span them all (a gap, an opened segment). */
const COLUMNS = 8;

interface SegmentPage {
  segments: Segment[];
  next?: string;
}

function loadPage(
  flowId: string,
  range: Span | undefined,
  page: string | undefined,
  signal?: AbortSignal,
): Promise<SegmentPage> {
  return tams<Segment[]>(`/flows/${encodeURIComponent(flowId)}/segments`, {
    // Without URLs (nothing to presign: a row's are asked for when it is opened); with 8.2's
    // object timerange of each segment.
    query: {
      timerange: range ? rangeText(range) : undefined,
      include_object_timerange: true,
      accept_get_urls: '',
      limit: PAGE_SIZE,
      page,
    },
    signal,
  }).then(({ body, headers }) => ({ segments: body, next: nextPageKey(headers) }));
}

/**
 * The Flow's segments in time order, a page at a time (the server's `page` keys): each with its
 * object (a link to the object's page), its size once its row is opened, `ts_offset`, the samples
 * it takes of its object, 8.2's `object_timerange` and `key_frame_count`. A row opens on its URLs
 * (`get_urls`, presigned then). Where no segment covers the time between two, a row says so.
 * While `window` is given (the part of the Flow the timeline shows) and the list follows it, only
 * the segments overlapping it are listed.
 */
export function FlowSegments({ flowId, window }: { flowId: string; window?: Span | undefined }) {
  const [follow, setFollow] = useState(true);
  const range = follow ? window : undefined;
  const key = `${flowId} ${range ? rangeText(range) : '_'}`;
  // Following the timeline, the list waits for its first view rather than list the whole Flow first.
  const waiting = follow && window === undefined;
  return (
    <section class="segments" aria-labelledby="segments-heading">
      <h2 id="segments-heading">Segments</h2>
      <p class="seg-scope">
        <label>
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.currentTarget.checked)} /> Only
          those in the timeline's view
        </label>
        {range && (
          <span class="muted" data-testid="segments-range">
            {' '}
            · {utcText(range.start)} → {utcText(range.end)} UTC
          </span>
        )}
      </p>
      {waiting ? <Loading what="segments" /> : <SegmentPages key={key} flowId={flowId} range={range} />}
    </section>
  );
}

function SegmentPages({ flowId, range }: { flowId: string; range: Span | undefined }) {
  const first = useLoad(`${flowId} ${range ? rangeText(range) : '_'}`, (signal) =>
    loadPage(flowId, range, undefined, signal),
  );
  const [more, setMore] = useState<{ pages: SegmentPage[]; loading: boolean; error?: unknown }>({
    pages: [],
    loading: false,
  });
  const [open, setOpen] = useState<ReadonlySet<string>>(new Set());
  const [sizes, setSizes] = useState<ReadonlyMap<string, number | undefined>>(new Map());
  if (first.state === 'loading') return <Loading what="segments" />;
  if (first.state === 'error') return <ErrorMessage error={first.error} />;
  const pages = [first.value, ...more.pages];
  const next = pages.at(-1)?.next;
  const segments = pages.flatMap((p) => p.segments);
  const breaks = discontinuities(segments.map((s) => s.timerange));
  const loadMore = () => {
    setMore((m) => ({ ...m, loading: true, error: undefined }));
    loadPage(flowId, range, next).then(
      (page) => setMore((m) => ({ pages: [...m.pages, page], loading: false })),
      (error) => !isAbort(error) && setMore((m) => ({ ...m, loading: false, error })),
    );
  };
  const toggle = (id: string) =>
    setOpen((set) => {
      const copy = new Set(set);
      if (!copy.delete(id)) copy.add(id);
      return copy;
    });
  const gapCount = breaks.filter(Boolean).length;
  if (segments.length === 0) return <p class="muted">No segment{range ? " in the timeline's view" : ''}.</p>;
  return (
    <>
      <p class="muted" aria-live="polite" data-testid="segments-count">
        {segments.length} segment{segments.length === 1 ? '' : 's'} listed
        {next !== undefined ? ' (more to come)' : ''}
        {gapCount > 0 ? `, ${gapCount} gap${gapCount === 1 ? '' : 's'} between them` : ''}.
      </p>
      <div class="table-wrap">
        <table class="list seg-list" data-testid="segments">
          <thead>
            <tr>
              <th scope="col">
                <span class="visually-hidden">URLs</span>
              </th>
              <th scope="col">Timerange</th>
              <th scope="col">Object</th>
              <th scope="col">Size</th>
              <th scope="col">Offset</th>
              <th scope="col" class="wide">
                Samples
              </th>
              <th scope="col" class="wide">
                Object timerange
              </th>
              <th scope="col" class="wide">
                Key frames
              </th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s, i) => {
              const id = `${s.timerange} ${s.object_id}`;
              const opened = open.has(id);
              const gap = breaks[i]?.gap;
              const span = spanOf(s.timerange);
              const size = sizes.get(id);
              return (
                <Fragment key={id}>
                  {gap && <GapRow gap={gap} />}
                  <tr class={gap ? 'seg-after-gap' : undefined} data-timerange={s.timerange}>
                    <td>
                      <button
                        type="button"
                        class="seg-open"
                        aria-expanded={opened}
                        aria-label={`URLs of the segment ${s.timerange}`}
                        onClick={() => toggle(id)}
                      >
                        {opened ? '▾' : '▸'}
                      </button>
                    </td>
                    <td>
                      <code>{s.timerange}</code>
                      {span && (
                        <div class="muted small">
                          {utcText(span.start)} · {durationText(span.end - span.start)}
                        </div>
                      )}
                    </td>
                    <td class="break seg-object">
                      <a href={href(withQuery('/objects', { id: s.object_id }))}>
                        <code title={s.object_id}>{s.object_id}</code>
                      </a>
                    </td>
                    <td data-testid="segment-size">
                      {size !== undefined ? (
                        <SizeText bytes={size} />
                      ) : (
                        <span class="muted" title="Open the row to read the object's size">
                          {sizes.has(id) ? 'unknown' : '—'}
                        </span>
                      )}
                    </td>
                    <td>{s.ts_offset && <code>{s.ts_offset}</code>}</td>
                    <td class="wide">
                      <Samples segment={s} />
                    </td>
                    <td class="wide">{s.object_timerange && <code>{s.object_timerange}</code>}</td>
                    <td class="wide">{s.key_frame_count}</td>
                  </tr>
                  {opened && (
                    <tr class="seg-detail">
                      <td colSpan={COLUMNS}>
                        <SegmentUrls
                          flowId={flowId}
                          segment={s}
                          onSize={(bytes) => setSizes((m) => new Map(m).set(id, bytes))}
                        />
                      </td>
                    </tr>
                  )}
                </Fragment>
              );
            })}
          </tbody>
        </table>
      </div>
      {more.error !== undefined && <ErrorMessage error={more.error} />}
      {next !== undefined && (
        <button type="button" onClick={loadMore} disabled={more.loading}>
          {more.loading ? 'Loading…' : `Next ${PAGE_SIZE} segments`}
        </button>
      )}
    </>
  );
}

/** The row before a segment that follows a gap: seen as a red band, read as a sentence. */
function GapRow({ gap }: { gap: Span }) {
  return (
    <tr class="seg-gap" data-testid="segment-gap" data-start={rangeText(gap)}>
      <td colSpan={COLUMNS}>
        <div class="seg-gap-text">
          <span aria-hidden="true" class="seg-gap-mark" />
          <strong>Discontinuity:</strong> no segment for {durationText(gap.end - gap.start)}, from{' '}
          {utcText(gap.start)} to {utcText(gap.end)} UTC
        </div>
      </td>
    </tr>
  );
}

/** The samples a segment takes of its object (`sample_offset`, `sample_count`), or all of them. */
function Samples({ segment }: { segment: Segment }) {
  const { sample_offset: offset, sample_count: count } = segment;
  if (offset === undefined && count === undefined) return <span class="muted">all</span>;
  return (
    <span>
      {count !== undefined ? `${count}` : 'all'} from {offset ?? 0}
    </span>
  );
}
