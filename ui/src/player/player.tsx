import { useEffect, useRef, useState } from 'preact/hooks';
import type { Span } from '../time.ts';
import { type Engine, type EngineError, playlistUrl, startEngine } from './player.engine.ts';
import { type Placed, playerTimeOf, tamsTimeOf } from './player.map.ts';

/** A request to show TAMS time `t` (a new `id` asks again for the same time). */
export interface SeekRequest {
  t: bigint;
  id: number;
}

/** Media either side of the time asked for, when the whole Flow is too long for one playlist. */
const HALF_WINDOW = 30n * 60n * 1_000_000_000n;

function windowAround(t: bigint): Span {
  return { start: t - HALF_WINDOW, end: t + HALF_WINDOW };
}

export interface PlayerProps {
  flowId: string;
  /** The Flow's timerange: where playback starts. */
  extent: Span;
  seek: SeekRequest | undefined;
  /** The TAMS time shown, as it changes. */
  onTime: (t: bigint | undefined) => void;
}

/**
 * The Flow played through its HLS playlist (GET /flows/{id}/hls.m3u8) with hls.js. Seeks are
 * TAMS times, translated through the playlist's segment titles; a Flow longer than the server
 * puts in one playlist (TAMS_HLS_MAX_SEGMENTS: 400) is played an hour at a time around the time
 * asked for.
 */
export function Player({ flowId, extent, seek, onTime }: PlayerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const [playWindow, setPlayWindow] = useState<Span | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [ready, setReady] = useState(false);
  const placed = useRef<Placed[]>([]);
  const pending = useRef<bigint | undefined>(undefined);
  const errors = useRef(0);
  const notices = useRef<string[]>([]);
  const windowRef = useRef(playWindow);
  windowRef.current = playWindow;

  const show = (t: bigint) => {
    const video = videoRef.current;
    if (!video) return;
    const current = windowRef.current;
    if (current && (t < current.start || t >= current.end)) {
      pending.current = t;
      setPlayWindow(windowAround(t));
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

  const windowKey = playWindow ? `${playWindow.start}` : 'all';
  // Started again for another Flow or play window only (windowKey names the window).
  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    let engine: Engine | undefined;
    let live = true;
    placed.current = [];
    setReady(false);
    setError(undefined);
    const onError = (failure: EngineError) => {
      errors.current += 1;
      video.dataset.hlsErrors = String(errors.current);
      video.dataset.hlsLastError = failure.message;
      if (!failure.fatal || !live) return;
      if (failure.playlistStatus === 400 && windowRef.current === undefined) {
        setPlayWindow(windowAround(pending.current ?? extent.start));
        return;
      }
      setError(`Playback failed: ${failure.message}`);
    };
    const onMetadata = () => {
      if (pending.current !== undefined) show(pending.current);
    };
    video.addEventListener('loadedmetadata', onMetadata);
    startEngine(video, playlistUrl(flowId, playWindow), {
      placed: (next) => {
        if (!live) return undefined;
        const first = placed.current.length === 0;
        placed.current = next;
        setReady(true);
        const wanted = pending.current;
        if (wanted === undefined) {
          if (first) onTime(tamsTimeOf(video.currentTime, next));
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
        if (live) engine = started;
        else started.destroy();
      },
      (failure) => live && setError(`The player could not be loaded: ${String(failure)}`),
    );
    return () => {
      live = false;
      video.removeEventListener('loadedmetadata', onMetadata);
      engine?.destroy();
    };
  }, [flowId, windowKey]);

  // A seek request acts once, by its id.
  useEffect(() => {
    if (seek) show(seek.t);
  }, [seek?.id]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    const report = () => onTime(tamsTimeOf(video.currentTime, placed.current));
    video.addEventListener('timeupdate', report);
    video.addEventListener('seeked', report);
    return () => {
      video.removeEventListener('timeupdate', report);
      video.removeEventListener('seeked', report);
    };
  }, [onTime]);

  return (
    <div class="player">
      {/* biome-ignore lint/a11y/useMediaCaption: Flows carry no captions of their own here; caption Flows are Flows of their own. */}
      <video ref={videoRef} controls playsInline preload="auto" data-ready={ready ? 'true' : 'false'} />
      {playWindow && (
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
