import type { Writable } from 'node:stream';
import type { UrlGuard } from '../common/url.guard.ts';
import { type FetchLimits, fetchGuarded, HlsFetchError } from './recorder.hls.fetch.ts';
import { type MediaSegment, type Playlist, PlaylistError, parsePlaylist } from './recorder.hls.playlist.ts';

/** A playlist is small; a segment of a few seconds of broadcast video is a few MB. */
const PLAYLIST_LIMITS: FetchLimits = { timeoutMs: 10_000, maxBytes: 1 << 20 };
const SEGMENT_LIMITS: FetchLimits = { timeoutMs: 30_000, maxBytes: 256 << 20 };

/**
 * An HLS live source read by the server itself (never by ffmpeg, which would follow any URL a
 * playlist names): the playlist polled as RFC 8216 asks (again after the target duration when it
 * changed, half of it when it did not), each new segment fetched in order through the guard
 * (fetchGuarded) and written to ffmpeg's stdin, its init section (fMP4) first whenever it
 * changes. A multivariant playlist: its variant of the highest bandwidth. Recording starts at the
 * live edge (the newest segment), or some way back from it for a run that takes a job over; a
 * playlist that ends (EXT-X-ENDLIST) ends the feed. The variant's subtitle rendition (its
 * SUBTITLES group's default, else its first), a WebVTT media playlist, is read by a feed of its own.
 */
export class HlsFeed {
  private mediaUrl: string | undefined;
  private next: number | undefined;
  private lastMap: string | undefined;
  private pending: Buffer[] = [];
  private targetMs = 2000;
  private subtitlesUrl: string | undefined;

  constructor(
    private readonly url: string,
    private readonly guard: UrlGuard,
  ) {}

  /**
   * The first bytes to feed, for the probe: the live edge's init section and segment, or, given
   * `backSeconds`, the segments from the newest back over that many seconds (as far as the
   * playlist reaches): a run taking a job over reads again what its predecessor may have missed.
   */
  async first(backSeconds = 0): Promise<Buffer> {
    const playlist = await this.media();
    const newest = playlist.segments.at(-1);
    if (newest === undefined) throw new HlsFetchError(`${this.url}: the playlist lists no segment yet`);
    let from = playlist.segments.length - 1;
    let covered = newest.duration;
    // A target duration more: the newest segment ends some way behind the wall clock.
    const reach = backSeconds > 0 ? backSeconds + playlist.targetDuration : 0;
    while (from > 0 && covered < reach) {
      from--;
      covered += (playlist.segments[from] as MediaSegment).duration;
    }
    this.pending = [];
    for (const segment of playlist.segments.slice(from)) {
      this.pending.push(...(await this.fetchSegment(segment)));
      this.next = segment.sequence + 1;
    }
    return Buffer.concat(this.pending);
  }

  /** The subtitle rendition's media playlist of the variant read, once first() has read it. */
  subtitles(): string | undefined {
    return this.subtitlesUrl;
  }

  /** Feeds ffmpeg's stdin (run), ending it when the playlist ends. */
  async writeTo(stdin: Writable, stopped: () => boolean): Promise<void> {
    const ended = await this.run((bytes) => write(stdin, bytes), stopped);
    if (ended) stdin.end();
  }

  /**
   * Gives `sink` what first() fetched, then every new segment (its init section first, when it
   * changed; then its bytes), until the playlist ends (resolves true), `stopped` says so (false)
   * or a fetch fails (rejects; called again, it goes on after the last segment given).
   */
  async run(sink: (bytes: Buffer) => Promise<void>, stopped: () => boolean): Promise<boolean> {
    while (this.pending.length > 0) await sink(this.pending.shift() as Buffer);
    for (;;) {
      if (stopped()) return false;
      const playlist = await this.media();
      const fresh = playlist.segments.filter((s) => s.sequence >= (this.next ?? 0));
      // Fallen behind the window (a stall longer than the playlist holds): on from its oldest.
      for (const segment of fresh) {
        if (stopped()) return false;
        for (const part of await this.fetchSegment(segment)) await sink(part);
        this.next = segment.sequence + 1;
      }
      if (playlist.ended) return true;
      await sleep(fresh.length > 0 ? this.targetMs : this.targetMs / 2, stopped);
    }
  }

  /** The media playlist (the chosen variant's, once a multivariant playlist was read). */
  private async media(): Promise<Extract<Playlist, { kind: 'media' }>> {
    let playlist = await this.playlist(this.mediaUrl ?? this.url);
    if (playlist.kind === 'multivariant') {
      const best = [...playlist.variants].sort((a, b) => b.bandwidth - a.bandwidth)[0];
      if (best === undefined)
        throw new PlaylistError(`${this.url}: a multivariant playlist without variants`);
      this.mediaUrl = best.uri;
      const group = playlist.renditions.filter(
        (r) => r.type === 'SUBTITLES' && r.groupId === best.subtitles && r.uri !== undefined,
      );
      this.subtitlesUrl = (group.find((r) => r.isDefault) ?? group[0])?.uri;
      playlist = await this.playlist(best.uri);
      if (playlist.kind !== 'media') throw new PlaylistError(`${best.uri}: not a media playlist`);
    } else {
      this.mediaUrl ??= this.url;
    }
    this.targetMs = Math.max(500, playlist.targetDuration * 1000);
    return playlist;
  }

  private async playlist(url: string): Promise<Playlist> {
    const { body, url: from } = await fetchGuarded(url, this.guard, PLAYLIST_LIMITS);
    return parsePlaylist(body.toString('utf8'), from);
  }

  private async fetchSegment(segment: MediaSegment): Promise<Buffer[]> {
    const parts: Buffer[] = [];
    if (segment.map !== undefined && segment.map !== this.lastMap) {
      parts.push((await fetchGuarded(segment.map, this.guard, SEGMENT_LIMITS)).body);
      this.lastMap = segment.map;
    }
    parts.push((await fetchGuarded(segment.uri, this.guard, SEGMENT_LIMITS)).body);
    return parts;
  }
}

function write(stdin: Writable, bytes: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (stdin.destroyed || stdin.writableEnded) return reject(new Error('ffmpeg no longer reads the source'));
    stdin.write(bytes, (error) => (error ? reject(error) : resolve()));
  });
}

/** Waits `ms`, or less once `stopped` says so (looked at every 100 ms). */
async function sleep(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !stopped())
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}
