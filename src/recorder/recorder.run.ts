import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { Clock } from '../common/clock.ts';
import { ForbiddenError, NotFoundError } from '../common/errors.ts';
import type { UrlGuard } from '../common/url.guard.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { TamsServices } from '../feature/feature.types.ts';
import { copyingOf } from '../media/media.copy.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { SegmentPostBody } from '../segments/segments.objects.ts';
import { formatTimestamp, TimeRange, utcMillisToTai } from '../time/index.ts';
import { CaptionRun } from './recorder.captions.ts';
import { containerOf, FMP4, makeFlows, type TrackFlow, trackFlows, tracksOf } from './recorder.flows.ts';
import { HlsFeed } from './recorder.hls.feed.ts';
import { InitObjects } from './recorder.inits.ts';
import type { SegmenterInput } from './recorder.input.ts';
import type { RecorderStats } from './recorder.metrics.ts';
import { probeSource } from './recorder.probe.ts';
import { type FinishedSegment, Segmenter, type Track } from './recorder.segmenter.ts';
import { SubtitleReader } from './recorder.subtitles.ts';
import { type PlacedSegment, RunTimeline, type TimelineClock } from './recorder.timeline.ts';
import type { JobFlows, JobRecord, JobState } from './store/recorder.jobs.repo.ts';

export interface RunDeps {
  tams: TamsServices;
  media: MediaRegistry;
  clock: Clock;
  log: WorkerLog;
  ffmpeg: string;
  ffprobe: string;
  /** This replica's directory for the runs' segment files. */
  workDir: string;
  /** How long a source may take to show its streams. */
  probeMs: number;
  stats: RecorderStats;
}

/** What a run has done since it started, for the worker to write to the job's row. */
export interface RunProgress {
  state: JobState;
  /** The Flows made, once they are (the job's row records them). */
  flows?: JobFlows;
  /** Segments registered by this run. */
  segments: number;
  timelineEnd?: bigint;
  /** The run's PTS-to-timeline mapping, for a run that takes the job over. */
  clock?: TimelineClock;
  lagMs?: number;
  /** The last failure (the source, ffmpeg, a registration), and when. */
  error?: { message: string; at: Date };
  /** Runs of ffmpeg started again after a failure. */
  retries: number;
}

/** What a run reads: a source ffmpeg opens itself, or an HLS playlist the server reads for it. */
export type RunSource =
  | { kind: 'ffmpeg'; input: SegmenterInput }
  | { kind: 'hls'; url: string; guard: UrlGuard };

/** The first pause after a failure; doubled at each failure in a row, up to MAX_BACKOFF_MS. */
const FIRST_BACKOFF_MS = 1000;
const MAX_BACKOFF_MS = 60_000;

/**
 * One job on this replica: probes its source, makes its Flows (once), runs ffmpeg (Segmenter),
 * and registers each finished segment as an object of the track's Flow with the timerange its
 * PTS give (RunTimeline: contiguous while the source is; after `resumeAfter`, the previous run's
 * end, so a takeover leaves a gap, never an overlap). A failure (the source gone, ffmpeg ended)
 * is retried with backoff until stop(); nothing of it reaches the server or another job.
 */
export class JobRun {
  readonly progress: RunProgress = { state: 'starting', segments: 0, retries: 0 };
  private stopping = false;
  /** The source came to its end (a file read to the end): the job is done. */
  private ended = false;
  /** What the job can never do again (its Flow deleted or made read-only): it failed. */
  private fatal = false;
  private segmenter: Segmenter | undefined;
  private wakeBackoff: (() => void) | undefined;
  private readonly done: Promise<void>;
  /** ffmpeg runs begun (the first may trust the tracks the job's row holds). */
  private attempts = 0;
  /** An fMP4 job's init objects, per Flow. */
  private readonly inits = new InitObjects((flowId, bytes, contentType) =>
    this.upload(flowId, Readable.from([bytes]), bytes.length, contentType),
  );

  constructor(
    private readonly deps: RunDeps,
    private readonly job: JobRecord,
    private readonly source: RunSource,
  ) {
    if (job.flows !== undefined) this.progress.flows = job.flows;
    this.done = this.loop();
  }

  get id(): string {
    return this.job.id;
  }

  /**
   * Whether the run is over by itself: its file or ended playlist was recorded to the end, or it
   * failed for good (progress.state `failed`).
   */
  get finished(): boolean {
    return this.ended;
  }

  /** Ends ffmpeg (the segment in progress is registered), then the run. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wakeBackoff?.();
    await this.segmenter?.stop();
    await this.done;
  }

  private async loop(): Promise<void> {
    let backoff = FIRST_BACKOFF_MS;
    while (!this.stopping) {
      const began = this.deps.clock.now().getTime();
      try {
        await this.once();
      } catch (error) {
        this.failed(error instanceof Error ? error.message : String(error));
        // Its Flows gone or read-only: trying again would fail the same way, forever.
        if (error instanceof NotFoundError || error instanceof ForbiddenError) this.fatal = this.ended = true;
      }
      if (this.stopping || this.ended) break;
      // A run that recorded for a while was healthy: the next failure starts the backoff again.
      if (this.deps.clock.now().getTime() - began > MAX_BACKOFF_MS) backoff = FIRST_BACKOFF_MS;
      this.progress.state = 'retrying';
      this.progress.retries++;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, backoff);
        this.wakeBackoff = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wakeBackoff = undefined;
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
    this.progress.state = this.fatal ? 'failed' : 'stopped';
    this.deps.stats.lags.delete(this.job.id);
  }

  private failed(message: string): void {
    this.progress.error = { message, at: this.deps.clock.now() };
    this.deps.stats.failures++;
    this.deps.log.warn({ job: this.job.id, err: message }, 'recording: the source failed; trying again');
  }

  /** One ffmpeg run: until the source ends or fails, or stop(). */
  private async once(): Promise<void> {
    const { deps, job } = this;
    this.progress.state = 'starting';
    const { source } = this;
    const feed = source.kind === 'hls' ? new HlsFeed(source.url, source.guard) : undefined;
    const input: SegmenterInput = source.kind === 'hls' ? { kind: 'pipe' } : source.input;
    // Going on with a job recorded before on a clock this run can continue: an HLS playlist is
    // read from where that run's last segment ended (as far back as it lists), and what was
    // recorded already is dropped (RunTimeline.placeAfter), so the gap is what the playlist no
    // longer holds.
    const resumeAt =
      (this.progress.clock ?? job.clock) ? (this.progress.timelineEnd ?? job.timeline_end) : undefined;
    const behind =
      resumeAt === undefined ? 0 : Number(utcMillisToTai(deps.clock.now().getTime()) - resumeAt) / 1e9;
    const first = feed ? await feed.first(Math.max(0, behind)) : undefined;
    // A job taken over (or started again) goes on with the tracks its Flows were made for,
    // without the seconds a probe of a live source takes; after a failure it probes again.
    const known = this.attempts === 0 ? this.progress.flows?.tracks : undefined;
    this.attempts++;
    let tracks: Track[];
    if (known !== undefined && this.progress.flows !== undefined) {
      tracks = known;
    } else {
      const probe = await probeSource(input, {
        ffprobePath: deps.ffprobe,
        deadlineMs: deps.probeMs,
        ...(first && { bytes: first }),
      });
      tracks = tracksOf(probe);
      if (tracks.length === 0)
        throw new Error('the source carries no video or audio the recorder can record');
      if (this.progress.flows === undefined)
        this.progress.flows = {
          ...(await makeFlows(deps.tams, job, probe, feed?.subtitles() !== undefined)),
          tracks,
        };
    }
    const flows = this.progress.flows as JobFlows;
    const byKey = new Map(trackFlows(tracks, flows).map((t) => [keyOf(t.track), t]));
    if (this.stopping) return;
    const workDir = join(deps.workDir, job.id);
    await mkdir(workDir, { recursive: true });
    // Each ffmpeg run anchors its own timeline where it starts reading, after what was registered.
    const resumeAfter = this.progress.timelineEnd ?? job.timeline_end ?? null;
    const clock = this.progress.clock ?? job.clock ?? null;
    const startTai = utcMillisToTai(deps.clock.now().getTime());
    const timeline = new RunTimeline({ resumeAfter, clock, startTai });
    // The subtitle rendition, read beside the video into the caption Flow (made when the job's
    // Flows were, if the source had one then).
    let over = false;
    const subtitlesUrl = feed?.subtitles();
    const reader =
      source.kind === 'hls' && subtitlesUrl !== undefined && flows.captions !== undefined
        ? new SubtitleReader(
            subtitlesUrl,
            source.guard,
            Math.max(0, behind) + Number(job.segment_ns) / 1e9,
            () => this.stopping || over,
            (message) => this.captionFailed(message),
          )
        : undefined;
    const captionFlow = flows.captions;
    const captions =
      reader && captionFlow !== undefined
        ? new CaptionRun(
            reader.cues,
            () => reader.reading,
            (vtt, placed) => this.registerCaption(captionFlow, vtt, placed),
          )
        : undefined;
    let exit: Awaited<Segmenter['exited']>;
    let feedFailure: unknown;
    try {
      const segmenter = await Segmenter.start(input, {
        ffmpegPath: deps.ffmpeg,
        segmentSeconds: Number(job.segment_ns) / 1e9,
        workDir,
        fmp4: job.container === FMP4,
        tracks: [...byKey.values()].map((t) => t.track),
        onSegment: (segment) => this.register(segment, byKey, timeline, captions),
      });
      this.segmenter = segmenter;
      this.progress.state = 'recording';
      // The server reads an HLS source for ffmpeg; a fetch that fails ends the run (retried).
      const fed = feed
        ?.writeTo(segmenter.stdin, () => this.stopping)
        .catch((error: unknown) => {
          feedFailure = error;
          void segmenter.stop();
        });
      exit = await segmenter.exited;
      await fed;
      this.segmenter = undefined;
    } finally {
      over = true;
      await reader?.done;
      await captions?.flush().catch((error: unknown) => this.captionFailed(messageOf(error)));
    }
    if (exit.reportError !== undefined) throw exit.reportError;
    if (feedFailure !== undefined && !this.stopping) throw feedFailure;
    // A file read to its end, or a playlist that ended (EXT-X-ENDLIST): the job is done.
    if (!exit.stopped && exit.code === 0 && (input.kind === 'file' || input.kind === 'pipe')) {
      this.ended = true;
      return;
    }
    if (!exit.stopped) {
      const tail = exit.stderr.trim().split('\n').slice(-3).join(' | ');
      throw new Error(
        `ffmpeg ended (status ${exit.code ?? exit.signal}) after ${exit.segments} segments${tail ? `: ${tail}` : ''}`,
      );
    }
  }

  /** Uploads a finished segment as a new object of its Flow and registers it; then drops the file. */
  private async register(
    segment: FinishedSegment,
    byKey: ReadonlyMap<string, TrackFlow>,
    timeline: RunTimeline,
    captions: CaptionRun | undefined,
  ): Promise<void> {
    const { deps, job } = this;
    const target = byKey.get(keyOf(segment.track));
    if (target === undefined) return;
    const nowTai = utcMillisToTai(deps.clock.now().getTime());
    const placed = timeline.placeAfter(target.key, segment, nowTai);
    if (placed === null) {
      // Recorded already by the run before this one (the source read again from further back).
      await rm(segment.file, { force: true });
      return;
    }
    const contentType = containerOf(job, segment.track.kind);
    const init =
      segment.init === undefined
        ? undefined
        : await this.inits.objectFor(target.flowId, segment.init, contentType);
    const body = createReadStream(segment.file);
    await this.store(target.flowId, body, segment.bytes, contentType, placed, {
      ...(init !== undefined && { init }),
      ...(segment.mediaStartNs !== undefined && { startNs: segment.mediaStartNs }),
    });
    await rm(segment.file, { force: true });
    const p = this.progress;
    p.segments++;
    p.timelineEnd = p.timelineEnd === undefined || placed.end > p.timelineEnd ? placed.end : p.timelineEnd;
    p.clock = timeline.clock();
    p.lagMs = Number((nowTai - placed.end) / 1_000_000n);
    deps.stats.segments++;
    deps.stats.lags.set(job.id, p.lagMs);
    if (job.retention_ns !== undefined) await this.trim(target.flowId, placed.end);
    if (segment.track.kind === 'video' && captions !== undefined)
      await captions
        .videoPlaced(placed, segment)
        .catch((error: unknown) => this.captionFailed(messageOf(error)));
  }

  /** A caption segment: the same timerange and `ts_offset` as the video segment it goes with. */
  private async registerCaption(flowId: string, vtt: string, placed: PlacedSegment): Promise<void> {
    const bytes = Buffer.from(vtt, 'utf8');
    await this.store(flowId, Readable.from([bytes]), bytes.length, 'text/vtt', placed);
    if (this.job.retention_ns !== undefined) await this.trim(flowId, placed.end);
  }

  /**
   * Writes `body` to a new object of the Flow and registers it at `placed`. An fMP4 segment names
   * its init object (so it is registered as TAMS 8.2), and its `ts_offset` is from its exact
   * presentation time (`startNs`: fMP4 times are not wrapped at 33 bits as PTS ticks are).
   */
  private async store(
    flowId: string,
    body: Readable,
    size: number,
    contentType: string,
    placed: PlacedSegment,
    media: { init?: string; startNs?: bigint } = {},
  ): Promise<void> {
    const objectId = await this.upload(flowId, body, size, contentType);
    const tsOffsetNs = media.startNs === undefined ? placed.tsOffsetNs : placed.start - media.startNs;
    const segmentBody: SegmentPostBody = {
      object_id: objectId,
      timerange: placed.timerange,
      ...(tsOffsetNs !== 0n && { ts_offset: formatTimestamp(tsOffsetNs) }),
      ...(media.init !== undefined && { init_object_id: media.init }),
    };
    await this.deps.tams.segments.register(flowId, segmentBody, media.init === undefined ? '7.0' : '8.2');
  }

  /** Writes `body` to a new object of the Flow; answers the object's id. */
  private async upload(flowId: string, body: Readable, size: number, contentType: string): Promise<string> {
    const { deps, job } = this;
    const [object] = await deps.tams.storage.allocatePaths(flowId, 1, job.storage_id);
    if (object === undefined) throw new Error('no object was allocated');
    const writer = copyingOf(deps.media.resolve(object.storageId));
    if (writer === undefined)
      throw new Error(`storage backend ${object.storageId} takes no writes from the server`);
    await writer.writeStream(object.path, { body, size, contentType });
    return object.objectId;
  }

  /** The captions failed (their rendition, a segment of it, a registration): the video goes on. */
  private captionFailed(message: string): void {
    this.progress.error = { message: `captions: ${message}`, at: this.deps.clock.now() };
    this.deps.log.warn({ job: this.job.id, err: message }, 'recording: captions not read or written');
  }

  /**
   * The loop recorder: each segment registered on a Flow deletes from that Flow what lies wholly
   * before the window behind it, through a deletion request (its objects then collected), so a
   * Flow keeps the window and at most the one segment straddling its start. One small deletion
   * per segment: a coarser step let a Flow keep up to two segments more (measured: 63.3 s of a
   * 60 s window).
   */
  private async trim(flowId: string, end: bigint): Promise<void> {
    const { job } = this;
    const cut = end - (job.retention_ns as bigint);
    const range = TimeRange.from(null, cut, { endInclusive: false });
    await this.deps.tams.segments.delete(flowId, range, undefined, job.created_by);
  }
}

function keyOf(track: Track): string {
  return track.kind === 'video' ? 'video' : `audio:${track.index}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
