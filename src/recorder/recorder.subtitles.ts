import type { UrlGuard } from '../common/url.guard.ts';
import { CaptionCues } from './recorder.captions.ts';
import { HlsFeed } from './recorder.hls.feed.ts';
import { readVtt, VttError } from './recorder.webvtt.ts';

const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/**
 * An HLS source's subtitle rendition read beside its video, into CaptionCues. Its failures are
 * its own: retried with backoff here, reported through `onError`, and never end the run (the
 * video goes on; CaptionRun writes nothing while `reading` is false). A WebVTT segment that does
 * not parse is skipped and reported.
 */
export class SubtitleReader {
  readonly cues = new CaptionCues();
  /** Whether its last fetch succeeded. */
  reading = false;
  readonly done: Promise<void>;

  constructor(
    url: string,
    guard: UrlGuard,
    /** How far behind the live edge to start (a run going on after another). */
    backSeconds: number,
    private readonly stopped: () => boolean,
    private readonly onError: (message: string) => void,
  ) {
    this.done = this.loop(new HlsFeed(url, guard), backSeconds);
  }

  private async loop(feed: HlsFeed, backSeconds: number): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    let started = false;
    while (!this.stopped()) {
      try {
        if (!started) {
          await feed.first(backSeconds);
          started = true;
        }
        this.reading = true;
        if (await feed.run((bytes) => this.read(bytes), this.stopped)) return;
      } catch (error) {
        this.reading = false;
        this.onError(error instanceof Error ? error.message : String(error));
        await pause(backoff, this.stopped);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async read(bytes: Buffer): Promise<void> {
    try {
      this.cues.add(readVtt(bytes.toString('utf8')));
    } catch (error) {
      if (!(error instanceof VttError)) throw error;
      this.onError(`a subtitle segment skipped: ${error.message}`);
    }
  }
}

async function pause(ms: number, stopped: () => boolean): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until && !stopped())
    await new Promise((r) => setTimeout(r, Math.min(100, until - Date.now())));
}
