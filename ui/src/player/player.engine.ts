import type { AudioTrackLoadedData, ErrorData, LevelLoadedData, LevelPTSUpdatedData } from 'hls.js';
import { apiUrl, authHeaders } from '../api/http.ts';
import { storedToken } from '../api/session.ts';
import { storageBackendIds } from '../api/urls.ts';
import { rangeText, type Span } from '../time.ts';
import {
  type Placed,
  type PlaylistInfo,
  placeFragments,
  playlistFragments,
  playlistInfo,
  presentedFragments,
} from './player.map.ts';
import { audioUnplayable, type RenditionTimeline } from './player.renditions.ts';

export type { PlaylistInfo };

export interface EngineError {
  message: string;
  /** Playback stopped. */
  fatal: boolean;
  /** The playlist itself could not be loaded, with this HTTP status. */
  playlistStatus?: number;
}

export interface EngineEvents {
  /**
   * The playlist is loaded (and, live, each time it is reloaded): where its segments sit on both
   * clocks. The answer, if any, is where to start loading media (player seconds), asked once: a
   * page opened at a moment loads that moment first.
   */
  placed: (placed: Placed[], info: PlaylistInfo) => number | undefined;
  /** hls.js reported an error (fatal ones stop playback). */
  error: (error: EngineError) => void;
  /** hls.js reported, as a non-fatal error, something that is part of playing (see below). */
  notice: (detail: string) => void;
}

export interface Engine {
  destroy(): void;
  /**
   * Where live playback sits (player seconds): the live edge less the safety margin players
   * keep (three target durations); undefined before a live playlist is in.
   */
  livePosition(): number | undefined;
}

/** A playlist request of this server: the only requests that carry the session's token. */
function isPlaylistOfServer(url: string): boolean {
  const target = new URL(url, location.href);
  const api = apiUrl('/');
  return target.origin === api.origin && target.pathname.endsWith('.m3u8');
}

/**
 * What the player asks the server for: `auto`, the playlist without a timerange (the server's
 * sliding live window while the Flow is being written, else all of it as VOD); `all`, all of
 * it as VOD (`timerange=_`) whatever its state; or the VOD of one window of it.
 */
export type PlaySource = 'auto' | 'all' | Span;

/**
 * The Flow's media playlist for `source`, with media from the store's own storage backends
 * only (their ids read once: api/urls.ts).
 */
export async function playlistUrl(flowId: string, source: PlaySource): Promise<URL> {
  return playlistUrlOf(flowId, source, await storageBackendIds());
}

function playlistUrlOf(flowId: string, source: PlaySource, storageIds: readonly string[]): URL {
  const path = `/flows/${encodeURIComponent(flowId)}/hls.m3u8`;
  // Media from the store's own backends only: the player never fetches a URL a client
  // registered (api/urls.ts). A multivariant playlist carries the filter to its members'. An
  // empty list would not filter: no backend, no URL at all (`accept_get_urls=`).
  const only = storageIds.length > 0 ? { accept_storage_ids: storageIds.join(',') } : { accept_get_urls: '' };
  if (source === 'auto') return apiUrl(path, only);
  return apiUrl(path, { timerange: source === 'all' ? '_' : rangeText(source), ...only });
}

/** Where players play live: three target durations behind the edge (RFC 8216 §6.3.3). */
export function liveSyncPosition(video: HTMLVideoElement, targetDuration: number): number | undefined {
  const { seekable } = video;
  if (seekable.length === 0) return undefined;
  const end = seekable.end(seekable.length - 1);
  return Math.max(seekable.start(0), end - 3 * targetDuration);
}

function describe(data: ErrorData): string {
  const status = data.response?.code;
  return `${data.details}${status ? ` (HTTP ${status})` : ''}${data.error ? `: ${data.error.message}` : ''}`;
}

/**
 * Plays the playlist `playlist` resolves to in `video`. hls.js is loaded here, on first use, so
 * that it weighs on the Flow page alone; it sends the token as an Authorization header to this server's playlists only
 * (media URLs are presigned, and must not get it). Browsers that play HLS themselves and lack
 * Media Source Extensions (older iOS) get the token in the playlist URL instead, as players that
 * cannot send headers do.
 */
export async function startEngine(
  video: HTMLVideoElement,
  playlist: Promise<URL>,
  multivariant: boolean,
  events: EngineEvents,
): Promise<Engine> {
  const url = await playlist;
  // The light build plays one media playlist; a multivariant one with alternate audio and
  // subtitles needs the full build, a chunk of its own that other Flow pages never load.
  const { default: Hls } = multivariant ? await import('hls.js') : await import('hls.js/light');
  if (Hls.isSupported()) {
    const headers = authHeaders();
    const hls = new Hls({
      xhrSetup: (xhr, target) => {
        if (!isPlaylistOfServer(target)) return;
        for (const [name, value] of Object.entries(headers)) xhr.setRequestHeader(name, value);
      },
      // A Flow page plays what the user asks for: no buffering far ahead of it.
      maxBufferLength: 20,
      backBufferLength: 30,
      // Media loading starts once the playlist says where the moment asked for is.
      autoStartLoad: false,
      // A multi Flow's captions (its WebVTT member, the default subtitles rendition) are shown
      // over the picture as the video element's own text track.
      renderTextTracksNatively: true,
    });
    let started = false;
    let live = false;
    // A multivariant playlist's video and alternate audio timelines, as loaded (see below).
    let videoTimeline: RenditionTimeline | undefined;
    let audioTimeline: RenditionTimeline | undefined;
    let failed = false;
    let info: PlaylistInfo | undefined;
    /** Audio hls.js would wait for without end: an error, and nothing more loaded. */
    const checkRenditions = () => {
      const why =
        videoTimeline && audioTimeline && !failed ? audioUnplayable(videoTimeline, audioTimeline) : undefined;
      if (why === undefined) return;
      failed = true;
      // Let go of the video too: attached, it shows a spinner as if media were coming.
      hls.stopLoad();
      hls.detachMedia();
      events.error({ message: why, fatal: true });
    };
    hls.on(Hls.Events.LEVEL_LOADED, (_event, data: LevelLoadedData) => {
      const { details } = data;
      live = details.live;
      videoTimeline = { endCC: details.endCC, live: details.live };
      checkRenditions();
      if (failed) return;
      info = {
        live: details.live,
        targetDuration: details.targetduration,
        // Media sequence numbers count the Flow's segments from 0 (docs/ui-hls.md).
        segmentCount: details.fragments.length === 0 ? details.startSN : details.endSN + 1,
      };
      const start = events.placed(placeFragments(presentedFragments(details.fragments)), info);
      if (started) return;
      started = true;
      hls.startLoad(start ?? -1);
    });
    // A fragment of the video parsed: where its pictures are is known (presentedFragments).
    hls.on(Hls.Events.LEVEL_PTS_UPDATED, (_event, data: LevelPTSUpdatedData) => {
      if (data.frag.type !== 'main' || info === undefined || failed) return;
      events.placed(placeFragments(presentedFragments(data.details.fragments)), info);
    });
    // Not errors, though hls.js sends them as non-fatal ones: a fragment load cancelled by a seek
    // elsewhere while it was under way, and playback moved over a hole at the start of the
    // buffered media (a stream whose video starts a few frames after its audio).
    const notices = new Set<string>([
      Hls.ErrorDetails.INTERNAL_ABORTED,
      Hls.ErrorDetails.BUFFER_SEEK_OVER_HOLE,
    ]);
    // With alternate audio, hls.js can report a fragment appended without growing the buffered
    // range (seen with audio starting a few ms before its video); it retries and plays on.
    // Multivariant playlists only: a Flow's own playlist keeps reporting it as an error.
    if (multivariant) notices.add(Hls.ErrorDetails.BUFFER_APPEND_NO_PROGRESS);
    // Playing live can also catch up with the Flow's newest segment, and wait there for the next.
    const caughtUp = (data: ErrorData) => live && data.details === Hls.ErrorDetails.BUFFER_STALLED_ERROR;
    hls.on(Hls.Events.ERROR, (_event, data: ErrorData) => {
      if (!data.fatal && (notices.has(data.details) || caughtUp(data))) {
        events.notice(data.details);
        return;
      }
      const playlistStatus =
        data.details === Hls.ErrorDetails.MANIFEST_LOAD_ERROR ? data.response?.code : undefined;
      events.error({ message: describe(data), fatal: data.fatal, ...(playlistStatus && { playlistStatus }) });
      // A media error (a decoder hiccup) is recovered once by rebuilding the media pipeline.
      if (data.fatal && data.type === Hls.ErrorTypes.MEDIA_ERROR) hls.recoverMediaError();
    });
    // A multivariant playlist's media playlists load only once loading starts: it starts from
    // the beginning, and the player seeks where asked once the video's playlist is in.
    if (multivariant) {
      hls.on(Hls.Events.AUDIO_TRACK_LOADED, (_event, data: AudioTrackLoadedData) => {
        audioTimeline = { endCC: data.details.endCC, live: data.details.live };
        checkRenditions();
      });
      hls.on(Hls.Events.MANIFEST_PARSED, () => {
        if (started) return;
        started = true;
        hls.startLoad(-1);
      });
    }
    hls.loadSource(url.href);
    hls.attachMedia(video);
    return {
      destroy: () => hls.destroy(),
      livePosition: () => hls.liveSyncPosition ?? undefined,
    };
  }
  // The browser's own player reloads a live playlist itself; the page reads it once, so here
  // the table of where segments sit covers the first playlist only.
  if (video.canPlayType('application/vnd.apple.mpegurl') !== '') {
    const tokened = new URL(url);
    const token = storedToken();
    if (token) tokened.searchParams.set('access_token', token);
    const controller = new AbortController();
    fetch(tokened, { signal: controller.signal })
      .then((res) => (res.ok ? res.text() : Promise.reject(new Error(`HTTP ${res.status}`))))
      .then((text) => {
        const fragments = playlistFragments(text);
        events.placed(placeFragments(fragments), playlistInfo(text, fragments.length));
      })
      .catch(
        (failure) => !controller.signal.aborted && events.error({ message: String(failure), fatal: true }),
      );
    video.src = tokened.href;
    return {
      destroy: () => {
        controller.abort();
        video.removeAttribute('src');
        video.load();
      },
      livePosition: () => undefined,
    };
  }
  events.error({ message: 'This browser cannot play HLS (no Media Source Extensions).', fatal: true });
  return { destroy: () => undefined, livePosition: () => undefined };
}
