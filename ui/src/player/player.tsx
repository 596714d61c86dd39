import { useEffect, useRef, useState } from 'preact/hooks';
import type { Span } from '../time.ts';
import {
  type Engine,
  type EngineError,
  liveSyncPosition,
  type PlaylistInfo,
  type PlaySource,
  playlistUrl,
  startEngine,
} from './player.engine.ts';
import { FrameBar } from './player.frames.tsx';
import { type LiveChoice, LiveControls } from './player.live.tsx';
import { type Placed, playerTimeOf, tamsTimeOf } from './player.map.ts';
import { type FrameRate, frameSeconds } from './player.timecode.ts';

/** A request to show TAMS time `t` (a new `id` asks again for the same time). */
export interface SeekRequest {
  t: bigint;
  id: number;
}

const S = 1_000_000_000n;
/** Media either side of the time asked for, when the whole Flow is too long for one playlist. */
const HALF_WINDOW = 30n * 60n * S;

function windowAround(t: bigint): Span {
  return { start: t - HALF_WINDOW, end: t + HALF_WINDOW };
}

function sourceKey(source: PlaySource): string {
  return typeof source === 'string' ? source : `${source.start} ${source.end}`;
}

export interface PlayerProps {
  flowId: string;
  /** The Flow's timerange (refreshed while it grows): where playback starts. */
  extent: Span;
  seek: SeekRequest | undefined;
  /** The TAMS time shown, as it changes. */
  onTime: (t: bigint | undefined) => void;
  /** Whether the Flow is live: the server played it live on this page, and has not ended it. */
  onLive?: (live: boolean) => void;
  /**
   * The playlist is a multivariant one (a multi Flow's members: video, alternate audio,
   * subtitles): hls.js's full build plays it, loaded for such Flows alone.
   */
  multivariant?: boolean;
  /** The video's frame rate, where known: a timecode readout and frame steps. */
  frameRate?: FrameRate;
}

/**
 * The Flow played through its HLS playlist (GET /flows/{id}/hls.m3u8) with hls.js. Seeks are
 * TAMS times, translated through the playlist's segment titles. The playlist is asked for
 * without a timerange, so the server decides: a Flow still being written plays live (its
 * sliding window, reloaded as it grows), any other as VOD; a live Flow can be played as VOD
 * instead (all of it, or its last minutes), and a seek before the live window does so. A Flow
 * longer than the server puts in one playlist (TAMS_HLS_MAX_SEGMENTS) is played an hour at a
 * time around the time asked for.
 */
export function Player({ flowId, extent, seek, onTime, onLive, multivariant, frameRate }: PlayerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [source, setSource] = useState<PlaySource>('auto');
  const [info, setInfo] = useState<PlaylistInfo | undefined>();
  /** The Flow has played live on this page: the live controls stay offered. */
  const [liveSeen, setLiveSeen] = useState(false);
  /** The VOD choice behind a window source (a window of the user's, not a long Flow's hour). */
  const [choice, setChoice] = useState<LiveChoice | undefined>();
  const [error, setError] = useState<string | undefined>();
  /** The TAMS time shown (for the timecode). */
  const [now, setNow] = useState<bigint | undefined>();
  /** The source whose playlist is in (cleared in the render that changes the source). */
  const [readyFor, setReadyFor] = useState<string | undefined>();
  const placed = useRef<Placed[]>([]);
  const pending = useRef<bigint | undefined>(undefined);
  const resume = useRef(false);
  const engineRef = useRef<Engine | undefined>(undefined);
  const errors = useRef(0);
  const notices = useRef<string[]>([]);
  const sourceRef = useRef(source);
  sourceRef.current = source;
  const infoRef = useRef(info);
  infoRef.current = info;

  /** Plays `next` from TAMS time `at`, playing on if the video was playing. */
  const switchTo = (next: PlaySource, at: bigint | undefined) => {
    pending.current = at;
    resume.current = videoRef.current?.paused === false;
    setReadyFor(undefined);
    setSource(next);
  };

  const show = (t: bigint) => {
    const video = videoRef.current;
    if (!video) return;
    const current = sourceRef.current;
    if (typeof current === 'object' && (t < current.start || t >= current.end)) {
      setChoice(undefined);
      switchTo(windowAround(t), t);
      return;
    }
    // Before the live window: the recording holds it.
    const first = placed.current[0];
    if (infoRef.current?.live && first && t < first.tams.start) {
      setChoice('all');
      switchTo('all', t);
      return;
    }
    const seconds = playerTimeOf(t, placed.current);
    // Until the playlist is in and the media's metadata known, the seek waits (see below).
    if (seconds === undefined || video.readyState === HTMLMediaElement.HAVE_NOTHING) {
      pending.current = t;
      return;
    }
    pending.current = undefined;
    video.currentTime = seconds;
  };

  const key = sourceKey(source);
  const ready = readyFor === key;
  // Started again for another Flow or source only (key names the source).
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let active = true;
    placed.current = [];
    setError(undefined);
    /** Failed for good: the video stays paused. */
    let stopped = false;
    const onError = (failure: EngineError) => {
      errors.current += 1;
      video.dataset.hlsErrors = String(errors.current);
      video.dataset.hlsLastError = failure.message;
      if (!failure.fatal || !active) return;
      if (failure.playlistStatus === 400 && typeof sourceRef.current === 'string') {
        switchTo(windowAround(pending.current ?? extent.start), pending.current);
        return;
      }
      // Stopped for good: the video's own spinner must not suggest it is still coming, and a
      // play pressed afterwards (or already on its way) must not show it playing nothing.
      stopped = true;
      video.pause();
      setError(`Playback failed: ${failure.message}`);
    };
    const onPlay = () => {
      if (stopped) video.pause();
    };
    video.addEventListener('play', onPlay);
    const onMetadata = () => {
      if (pending.current !== undefined) show(pending.current);
    };
    video.addEventListener('loadedmetadata', onMetadata);
    startEngine(video, playlistUrl(flowId, source), multivariant === true, {
      placed: (next, playlist) => {
        if (!active) return undefined;
        const first = placed.current.length === 0;
        const wasLive = infoRef.current?.live === true;
        // The Flow finished while played live: the server now plays it as VOD, from the start;
        // the recording goes on from where the player was.
        if (wasLive && !playlist.live && sourceRef.current === 'auto') {
          setLiveSeen(false);
          switchTo('all', tamsTimeOf(video.currentTime, placed.current));
          return undefined;
        }
        placed.current = next;
        // Where the playlist sits on the video's clock (read by the browser tests).
        video.dataset.windowStart = String(next[0]?.start ?? '');
        infoRef.current = playlist;
        setInfo(playlist);
        if (playlist.live) setLiveSeen(true);
        setReadyFor(key);
        if (first && resume.current) {
          resume.current = false;
          video.play().catch(() => undefined);
        }
        const wanted = pending.current;
        if (wanted === undefined) {
          // The time shown, by the table as it now is: the first, or one a parsed fragment
          // corrected (where its pictures are presented), which a paused video reports no
          // other way.
          const t = tamsTimeOf(video.currentTime, next);
          setNow(t);
          onTime(t);
          return undefined;
        }
        show(wanted);
        return playerTimeOf(wanted, next);
      },
      error: onError,
      notice: (detail) => {
        notices.current.push(detail);
        video.dataset.hlsNotices = notices.current.join(' ');
      },
    }).then(
      (started) => {
        if (active) engineRef.current = started;
        else started.destroy();
      },
      (failure) => active && setError(`The player could not be loaded: ${String(failure)}`),
    );
    return () => {
      active = false;
      video.removeEventListener('loadedmetadata', onMetadata);
      video.removeEventListener('play', onPlay);
      engineRef.current?.destroy();
      engineRef.current = undefined;
      infoRef.current = undefined;
      setInfo(undefined);
    };
  }, [flowId, key]);

  const live = ready && info?.live === true && source === 'auto';
  useEffect(() => onLive?.(liveSeen), [liveSeen]);

  // A seek request acts once, by its id.
  useEffect(() => {
    if (seek) show(seek.t);
  }, [seek?.id]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const report = () => {
      const t = tamsTimeOf(video.currentTime, placed.current);
      setNow(t);
      onTime(t);
    };
    video.addEventListener('timeupdate', report);
    video.addEventListener('seeked', report);
    return () => {
      video.removeEventListener('timeupdate', report);
      video.removeEventListener('seeked', report);
    };
  }, [onTime]);

  /**
   * `currentTime` moved by `by` seconds, kept within the playlist (a live window starts after
   * the media element's clock does): VOD, off its very end, where no frame is left to show;
   * live, not past the live point (the newest media is still coming in).
   */
  const jump = (by: number) => {
    const video = videoRef.current;
    const first = placed.current[0];
    const last = placed.current.at(-1);
    if (!video || !first || !last) return;
    let end = last.start + last.duration - 0.1;
    if (infoRef.current?.live) {
      end =
        engineRef.current?.livePosition() ?? liveSyncPosition(video, infoRef.current.targetDuration) ?? end;
    }
    video.currentTime = Math.max(first.start, Math.min(end, video.currentTime + by));
  };

  /** Paused, one frame on the player's clock (the TAMS time follows through the playlist). */
  const step = (by: -1 | 1) => {
    const video = videoRef.current;
    const first = placed.current[0];
    const last = placed.current.at(-1);
    if (!video || !first || !last || !frameRate) return;
    video.pause();
    const next = video.currentTime + by * frameSeconds(frameRate);
    video.currentTime = Math.max(first.start, Math.min(last.start + last.duration - 0.001, next));
  };

  const onKeyDown = (event: KeyboardEvent) => {
    if (!frameRate || event.altKey || event.ctrlKey || event.metaKey) return;
    const target = event.target as HTMLElement | null;
    if (target?.closest('input, select, textarea')) return;
    if (event.key === ',' || event.key === '.') {
      event.preventDefault();
      step(event.key === ',' ? -1 : 1);
    }
  };

  const goLive = () => {
    const video = videoRef.current;
    if (!video) return;
    if (!live) {
      setChoice(undefined);
      resume.current = true;
      pending.current = undefined;
      setReadyFor(undefined);
      setSource('auto');
      return;
    }
    const at = engineRef.current?.livePosition() ?? liveSyncPosition(video, info?.targetDuration ?? 0);
    if (at !== undefined) video.currentTime = at;
    video.play().catch(() => undefined);
  };

  const choose = (next: LiveChoice) => {
    if (next === 'live') {
      goLive();
      return;
    }
    const now = tamsTimeOf(videoRef.current?.currentTime ?? 0, placed.current);
    setChoice(next);
    if (next === 'all') {
      switchTo('all', now);
      return;
    }
    const window = { start: extent.end - BigInt(next) * 60n * S, end: extent.end };
    switchTo(window, now !== undefined && now >= window.start && now < window.end ? now : window.start);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: the keys act while focus is on the video or its controls, which take it.
    <div class="player" onKeyDown={onKeyDown}>
      {/* biome-ignore lint/a11y/useMediaCaption: captions are caption Flows of their own, which a multi Flow's playlist brings in as hls.js subtitle tracks. */}
      <video
        ref={videoRef}
        controls
        // Focusable, so that the frame keys reach the player from the keyboard too.
        tabIndex={0}
        playsInline
        preload="auto"
        data-ready={ready ? 'true' : 'false'}
        data-live={live ? 'true' : 'false'}
      />
      {frameRate && <FrameBar rate={frameRate} now={now} onStep={step} />}
      {/* Kept while a new source loads, so that focus stays on the control used. */}
      {(ready || liveSeen) && (
        <LiveControls
          video={videoRef}
          live={live}
          liveSeen={liveSeen}
          choice={live ? 'live' : choice}
          segmentCount={info?.segmentCount}
          onJump={jump}
          onGoLive={goLive}
          onChoose={choose}
        />
      )}
      {typeof source === 'object' && choice === undefined && (
        <p class="muted">The Flow is too long for one playlist: playing the hour around the time chosen.</p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}
