import { useCallback, useState } from 'preact/hooks';
import { tams } from '../api/http.ts';
import type { Flow } from '../api/types.ts';
import { ErrorMessage, FORMATS, Loading, PageTitle, useLoad } from '../components/common.tsx';
import { Player, type SeekRequest } from '../player/player.tsx';
import type { Route } from '../router.ts';
import type { Features } from '../session.ts';
import { spanOf, tamsTimestamp, utcText } from '../time.ts';
import { Timeline } from '../timeline/timeline.tsx';
import { ExrFrames } from './flow.exr.tsx';
import { FlowMeta } from './flow.meta.tsx';
import { useFlowRefresh } from './flow.refresh.ts';
import { FlowSearch } from './flow.search.tsx';
import { FlowSegments } from './flow.segments.tsx';

/** Containers the player plays (HLS media segments; WebVTT alone has no picture to show). */
const PLAYABLE = new Set([
  'video/mp2t',
  'audio/mp2t',
  'video/mp4',
  'audio/mp4',
  'application/mp4',
  'video/iso.segment',
  'audio/iso.segment',
]);

function playable(flow: Flow): boolean {
  return PLAYABLE.has((flow.container ?? '').split(';')[0]?.trim().toLowerCase() ?? '');
}

/**
 * A Flow: its metadata and tags, its timeline, and a player that seeks wherever the timeline is
 * clicked. `?timerange=` (a search hit) marks a moment and starts the player there.
 */
export function FlowPage({ id, route, features }: { id: string; route: Route; features: Features }) {
  const result = useLoad(id, async (signal) => {
    const { body } = await tams<Flow>(`/flows/${encodeURIComponent(id)}`, {
      query: { include_timerange: true },
      signal,
    });
    return body;
  });
  if (result.state === 'loading') return <Loading what="the Flow" />;
  if (result.state === 'error') {
    return (
      <section>
        <PageTitle>Flow</PageTitle>
        <ErrorMessage error={result.error} />
      </section>
    );
  }
  return <FlowView key={id} flow={result.value} route={route} features={features} />;
}

function FlowView({ flow: loaded, route, features }: { flow: Flow; route: Route; features: Features }) {
  // A Flow being written is read again while the page shows it (its timerange, its timeline).
  const [live, setLive] = useState(false);
  const { flow, error: refreshError } = useFlowRefresh(loaded, live);
  const extent = spanOf(flow.timerange);
  const highlight = spanOf(route.query.get('timerange') ?? undefined);
  const [playhead, setPlayhead] = useState<bigint | undefined>(highlight?.start ?? extent?.start);
  const [seek, setSeek] = useState<SeekRequest | undefined>(
    highlight ? { t: highlight.start, id: 0 } : undefined,
  );
  const onSeek = useCallback((t: bigint) => {
    setPlayhead(t);
    setSeek((previous) => ({ t, id: (previous?.id ?? 0) + 1 }));
  }, []);
  const onTime = useCallback((t: bigint | undefined) => {
    if (t !== undefined) setPlayhead(t);
  }, []);
  const canPlay = playable(flow);
  const image = flow.format === FORMATS.image;
  return (
    <section class="flow">
      <PageTitle>{flow.label || 'Flow'}</PageTitle>
      {flow.description && <p>{flow.description}</p>}
      {highlight && (
        <p class="hit-note">
          Search hit: {utcText(highlight.start)} UTC (<code>{tamsTimestamp(highlight.start)}</code>)
        </p>
      )}
      <div class="flow-grid">
        <div class="flow-media">
          {extent && canPlay && (
            <Player flowId={flow.id} extent={extent} seek={seek} onTime={onTime} onLive={setLive} />
          )}
          {refreshError && <p class="error">The Flow could not be read again: {refreshError}</p>}
          {extent && !canPlay && !image && (
            <p class="muted">
              The player plays MPEG-TS and fragmented MP4 Flows; this Flow's container is{' '}
              {flow.container ?? 'not given'}.
            </p>
          )}
          {extent ? (
            <Timeline
              flowId={flow.id}
              extent={extent}
              playhead={playhead}
              highlight={highlight}
              onSeek={onSeek}
            />
          ) : (
            <p class="muted">This Flow has no segments yet.</p>
          )}
        </div>
        <FlowMeta flow={flow} extent={extent} />
      </div>
      {extent && <FlowSegments flowId={flow.id} />}
      {features.search && <FlowSearch flowId={flow.id} />}
      {image && features.exr && <ExrFrames flowId={flow.id} onSeek={onSeek} />}
    </section>
  );
}
