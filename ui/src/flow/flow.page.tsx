import { useCallback, useState } from 'preact/hooks';
import { tams } from '../api/http.ts';
import type { Flow } from '../api/types.ts';
import { ErrorMessage, FORMATS, Loading, PageTitle, useLoad } from '../components/common.tsx';
import { frameRateOf } from '../player/player.timecode.ts';
import { Player, type SeekRequest } from '../player/player.tsx';
import { href, type Route } from '../router.ts';
import type { Features } from '../session.ts';
import { type Span, spanOf, tamsTimestamp, utcText } from '../time.ts';
import { type Marks, markedSpan } from '../timeline/timeline.range.ts';
import { Timeline } from '../timeline/timeline.tsx';
import { FlowActions } from '../writes/flow.actions.tsx';
import { DeleteSegmentsAction } from '../writes/segments.delete.tsx';
import { useVideoMember } from './flow.collection.ts';
import { FlowExport } from './flow.export.tsx';
import { ExrFrames } from './flow.exr.tsx';
import { HlsUrl } from './flow.hls.tsx';
import { MemberRefresh } from './flow.member.tsx';
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
  const { flow: read, error: refreshError } = useFlowRefresh(loaded, live);
  // The Flow as last edited on this page (read back from the API after the edit), shown until a
  // later read of the Flow brings another document.
  const [edited, setEdited] = useState<{ flow: Flow; over: Flow }>();
  const flow = edited !== undefined && edited.over === read ? edited.flow : read;
  const onEdited = useCallback((changed: Flow) => setEdited({ flow: changed, over: read }), [read]);
  // A multi Flow playing its members: its video member's segments are the ones shown.
  const members = useVideoMember(flow);
  const video = members?.state === 'done' ? members.video : undefined;
  // The video member as last read again, while it is the member the page found.
  const [memberRead, setMemberRead] = useState<{ flow: Flow; over: Flow }>();
  const [memberError, setMemberError] = useState<string | undefined>();
  const media = (memberRead !== undefined && memberRead.over === video ? memberRead.flow : video) ?? flow;
  const extent = spanOf(media.timerange);
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
  // The part of the Flow the timeline shows, for the segment list below it.
  const [shown, setShown] = useState<Span | undefined>();
  // The one range of the page, marked on the timeline (Shift-drag, [ and ]) or at the player
  // (the download's Start and End): segment deletion takes it once both ends are marked, the
  // download with the Flow's own ends where they are not. Once its segments are deleted it is
  // done with: the Flow is read again and its timeline, segment list and player loaded again.
  const [marks, setMarks] = useState<Marks>({});
  const range = markedSpan(marks);
  const [reloads, setReloads] = useState(0);
  const onSegmentsDeleted = useCallback(
    (changed: Flow | undefined) => {
      if (changed) onEdited(changed);
      setMarks({});
      setReloads((n) => n + 1);
    },
    [onEdited],
  );
  const canPlay = playable(media);
  const image = flow.format === FORMATS.image;
  return (
    <section class="flow">
      {video && (
        <MemberRefresh
          key={video.id}
          member={video}
          live={live}
          onRead={setMemberRead}
          onError={setMemberError}
        />
      )}
      <PageTitle>{flow.label || 'Flow'}</PageTitle>
      <FlowActions flow={flow} onChanged={onEdited} />
      {flow.description && <p>{flow.description}</p>}
      {highlight && (
        <p class="hit-note">
          Search hit: {utcText(highlight.start)} UTC (<code>{tamsTimestamp(highlight.start)}</code>)
        </p>
      )}
      <div class="flow-grid">
        <div class="flow-media">
          {extent && canPlay && (
            // Started again after segments are deleted: its playlist lost them.
            <Player
              key={reloads}
              flowId={flow.id}
              multivariant={members !== undefined}
              extent={extent}
              seek={seek}
              onTime={onTime}
              onLive={setLive}
              frameRate={frameRateOf(media.essence_parameters)}
            />
          )}
          {refreshError && <p class="error">The Flow could not be read again: {refreshError}</p>}
          {memberError && <p class="error">Its video member could not be read again: {memberError}</p>}
          {extent && !canPlay && !image && (
            <p class="muted">
              The player plays MPEG-TS and fragmented MP4 Flows; this Flow's container is{' '}
              {flow.container ?? 'not given'}.
            </p>
          )}
          {extent ? (
            <Timeline
              flowId={media.id}
              extent={extent}
              playhead={playhead}
              highlight={highlight}
              onSeek={onSeek}
              onView={setShown}
              marks={marks}
              onMarks={setMarks}
              reload={reloads}
              rangeTools={
                range &&
                (media === flow ? (
                  <DeleteSegmentsAction
                    flowId={flow.id}
                    range={range}
                    readOnly={flow.read_only}
                    onDeleted={onSegmentsDeleted}
                  />
                ) : (
                  // Deleting the video member's segments alone would leave its sound and
                  // captions: each member's segments are deleted on its own page.
                  <span class="muted" data-testid="range-members">
                    The segments are its members':{' '}
                    <a href={href(`/flows/${media.id}`)}>delete them on a member's page</a>.
                  </span>
                ))
              }
            />
          ) : members?.state === 'loading' ? (
            <Loading what="the multi Flow's members" />
          ) : (
            <p class="muted">This Flow has no segments yet.</p>
          )}
          {canPlay && <HlsUrl flowId={flow.id} />}
          {extent && canPlay && (
            <FlowExport
              flowId={media.id}
              extent={extent}
              playhead={playhead}
              marks={marks}
              onMarks={setMarks}
            />
          )}
        </div>
        <FlowMeta flow={flow} extent={extent} member={media === flow ? undefined : media} />
      </div>
      {extent && <FlowSegments key={reloads} flowId={media.id} window={shown} />}
      {features.search && <FlowSearch flowId={flow.id} />}
      {image && features.exr && <ExrFrames flowId={flow.id} onSeek={onSeek} />}
    </section>
  );
}
