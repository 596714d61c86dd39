/**
 * The media side of a recording: one ffmpeg process per job run, copying the source's video and
 * each chosen audio track into MPEG-TS segment files of their own, and reporting each FINISHED
 * segment once, in order per track, never a partial one. (Fragmented MP4 instead: the HLS
 * muxer's playlist names each finished `.m4s` file, its times are read from its boxes,
 * recorder.mp4-boxes.ts, and the rest is as for MPEG-TS.)
 *
 * What ffmpeg 5.1's segment list says, measured with `-copyts -muxdelay 0 -reset_timestamps 0`
 * (one CSV line `name,start,end` per segment, written once the segment's trailer is written and
 * flushed, before any packet of the next segment):
 * - `start` is the PTS of the segment's first packet (decoding order; for video its key frame) in
 *   seconds, on the muxer's timeline, which is the file's own PTS here (mod 2^33) - except the
 *   first entry of a run, which says 0.000000 whatever the PTS (the muxer's initial value).
 * - `end` is the largest PTS + duration of the segment's packets: the next entry's start for
 *   25 fps video and 48 kHz AAC (1920 ticks a frame), but not in general: 44.1 kHz AAC steps
 *   2089 or 2090 ticks while each packet says 2089, and the list then shows 1-tick gaps
 *   (`...,6.020756` then `6.020767,...`). For the last segment it is the end of its last sample.
 * - Six decimals of seconds (1 us) are finer than a 90 kHz tick (11.1 us), so `round(s * 90000)`
 *   gives the tick back exactly; but the first entry's 0 and B-frames (whose first presented
 *   frame is not the first packet) make the list's start the wrong value to use.
 * So a segment's `startPts` is read from the file itself: the earliest PES PTS it carries
 * (recorder.ts-packets.ts), exact, 33-bit wrapped as the file has it. Its `endPts` is the next
 * segment's `startPts` on the same track, so one track's segments are contiguous by construction;
 * the last segment of a run (ffmpeg exited) ends at its list entry's `end` in ticks. A segment is
 * therefore reported when the next one is listed (or ffmpeg has exited): one segment later than
 * ffmpeg finishes it.
 * - Cuts: video at the first key frame at or after each multiple of `segmentSeconds` of the
 *   source's PTS; audio at its first packet at or after the same multiples. The segment muxer
 *   knows no other track's cut points, so the audio cuts match the video's only where the key
 *   frames fall on that grid; each track is contiguous on its own either way.
 * - Stop: SIGINT makes ffmpeg end its outputs as at the end of the input: the segment in progress
 *   is closed and listed (exit status 255, "Exiting normally, received signal 2"). `q` on stdin
 *   does the same but stdin carries the media of a `pipe` source, so SIGINT it is (a `pipe`
 *   source's stdin is ended as well). SIGKILL after the deadline: a segment not listed is then
 *   dropped and its file removed.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rmdir, unlink } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { FfmpegMissingError } from './recorder.errors.ts';
import {
  type ListEntry,
  parseListLine,
  parsePlaylistLine,
  type SegmentOutput,
  segmenterArgs,
} from './recorder.ffmpeg.args.ts';
import type { SegmenterInput } from './recorder.input.ts';
import {
  fragmentTimes,
  type Mp4TrackInfo,
  mp4TrackInfo,
  toNanoseconds,
  toTicks,
} from './recorder.mp4-boxes.ts';
import { StderrTail } from './recorder.stderr.ts';
import { wrap } from './recorder.timeline.ts';
import { earliestPts, pesTimestamps } from './recorder.ts-packets.ts';

/** A track to record; an audio track's codec (ffprobe's name) says whether fMP4 needs ADTS undone. */
export type Track = { kind: 'video' } | { kind: 'audio'; index: number; codec?: string };

/** util-linux's setpriv, where it runs (Linux): what ties ffmpeg's life to the server's. */
let setpriv: boolean | undefined;

/**
 * ffmpeg under `setpriv --pdeathsig KILL` where it can be: the kernel kills it when the server
 * dies, however it dies (SIGKILL, OOM). Else a server killed leaves its ffmpeg running, holding a
 * UDP port or an SRT/RTMP connection the replica taking the job over then cannot have (seen: a
 * takeover refused "bind failed: Address already in use" for as long as the orphan lived).
 */
function withLifeline(ffmpeg: string, args: readonly string[]): [string, string[]] {
  setpriv ??= spawnSync('setpriv', ['--version'], { stdio: 'ignore' }).status === 0;
  // An ffmpeg that is not there is spawned itself: its ENOENT is the clear error (setpriv would
  // start, then fail to run it, with a status alone).
  if (!setpriv || !runs(ffmpeg)) return [ffmpeg, [...args]];
  return ['setpriv', ['--pdeathsig', 'KILL', '--', ffmpeg, ...args]];
}

/** Whether `ffmpeg -version` runs, remembered per path. */
const running = new Map<string, boolean>();
function runs(ffmpeg: string): boolean {
  let known = running.get(ffmpeg);
  if (known === undefined) {
    known = spawnSync(ffmpeg, ['-version'], { stdio: 'ignore' }).status === 0;
    running.set(ffmpeg, known);
  }
  return known;
}

export interface FinishedSegment {
  track: Track;
  /** The segment file's path: the caller's to delete once it has uploaded it. */
  file: string;
  bytes: number;
  /** 90 kHz, 33-bit wrapped, as in the file: its first sample's PTS and the end of its last. */
  startPts: bigint;
  endPts: bigint;
  /**
   * fMP4: the init segment's file (the Segmenter's own: read it during onSegment), and the first
   * sample's presentation time in nanoseconds, exact and not wrapped (what `ts_offset` is from).
   */
  init?: string;
  mediaStartNs?: bigint;
}

export interface SegmenterOptions {
  ffmpegPath?: string;
  /** The segment length (default 2 s): video is cut at the first key frame after each multiple. */
  segmentSeconds?: number;
  /** Where the run's directory of segment files is made. */
  workDir: string;
  /** Fragmented MP4 segments with an init segment per track, instead of MPEG-TS. */
  fmp4?: boolean;
  /** The tracks to record (from probeSource: the video, audio streams by their index). */
  tracks: readonly Track[];
  /** Called once per finished segment, in order per track; awaited before the next of its track. */
  onSegment: (segment: FinishedSegment) => Promise<void>;
}

export interface SegmenterExit {
  /** ffmpeg's exit status (255 after a stop by SIGINT), null when killed by a signal. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** Whether stop() ended it. */
  stopped: boolean;
  /** Segments reported over the run. */
  segments: number;
  /** The last ~20 lines ffmpeg wrote to stderr (for the job's last_error). */
  stderr: string;
  /** The first error reporting a segment (onSegment's, or reading the file): the run was stopped on it. */
  reportError?: unknown;
}

const STDERR_LINES = 20;

/** A segment file's times: as the file carries them, and where it ends if nothing follows it. */
interface FileTimes {
  startPts: bigint;
  /** The end of its last sample (the last segment's end); else the next segment's start is used. */
  endPts?: bigint;
  mediaStartNs?: bigint;
}

/** How a container's segment files are listed and timed. */
interface Timing {
  /** The init segment's path (fMP4). */
  init?: string;
  /** A line ffmpeg wrote to the list pipe: the segment it names as finished, if any. */
  parse(line: string): ListEntry | null;
  /** Null for a file with nothing timed in it (not a segment to register). */
  read(bytes: Uint8Array, entry: ListEntry): Promise<FileTimes | null>;
}

/** MPEG-TS: the earliest PES PTS; the list entry's end for the last segment. */
const tsTiming: Timing = {
  parse: parseListLine,
  read: async (bytes, entry) => {
    const startPts = earliestPts(pesTimestamps(bytes));
    if (startPts === null) return null;
    return {
      startPts,
      ...(entry.end !== undefined && { endPts: wrap(BigInt(Math.round(entry.end * 90_000))) }),
    };
  },
};

/** fMP4: the fragments' presentation times, on the init segment's timescale, read once. */
function fmp4Timing(init: string): Timing {
  let info: Promise<Mp4TrackInfo> | undefined;
  return {
    init,
    parse: parsePlaylistLine,
    read: async (bytes) => {
      info ??= readFile(init).then((b) => {
        const parsed = mp4TrackInfo(b);
        if (parsed === null) throw new Error(`${basename(init)}: not an MP4 init segment`);
        return parsed;
      });
      const track = await info;
      const times = fragmentTimes(bytes, track);
      if (times === null) return null;
      return {
        startPts: wrap(toTicks(times.start, track.timescale)),
        endPts: wrap(toTicks(times.end, track.timescale)),
        mediaStartNs: toNanoseconds(times.start, track.timescale),
      };
    },
  };
}

/** One output: its list entries turned into reports, one at a time. */
class TrackOutput {
  private pending: { file: string; bytes: number; times: FileTimes } | null = null;
  private chain: Promise<void> = Promise.resolve();
  /** The name listed last: the HLS muxer's playlist names its last segment again at the end. */
  private lastName: string | undefined;

  constructor(
    readonly track: Track,
    private readonly dir: string,
    private readonly timing: Timing,
    private readonly report: (segment: FinishedSegment) => Promise<void>,
    private readonly fail: (error: unknown) => void,
  ) {}

  /** Takes a line of the output's list: a segment it names as finished is reported in turn. */
  addLine(line: string): void {
    const entry = this.timing.parse(line);
    if (entry === null || entry.name === this.lastName) return;
    this.lastName = entry.name;
    this.chain = this.chain.then(() => this.finished(entry)).catch(this.fail);
  }

  /** Waits for the entries listed so far; then reports the last one, which nothing follows. */
  async end(): Promise<void> {
    await this.chain;
    const last = this.pending;
    this.pending = null;
    if (last?.times.endPts !== undefined) await this.send(last, last.times.endPts);
  }

  private async finished(entry: ListEntry): Promise<void> {
    const file = join(this.dir, basename(entry.name));
    const bytes = await readFile(file);
    const times = await this.timing.read(bytes, entry);
    if (times === null) {
      // Nothing with a timestamp in it: not a segment to register.
      await unlink(file).catch(() => {});
      return;
    }
    const previous = this.pending;
    this.pending = { file, bytes: bytes.length, times };
    if (previous) await this.send(previous, times.startPts);
  }

  private send(segment: { file: string; bytes: number; times: FileTimes }, endPts: bigint): Promise<void> {
    const { times } = segment;
    return this.report({
      track: this.track,
      file: segment.file,
      bytes: segment.bytes,
      startPts: times.startPts,
      endPts,
      ...(this.timing.init !== undefined && { init: this.timing.init }),
      ...(times.mediaStartNs !== undefined && { mediaStartNs: times.mediaStartNs }),
    });
  }
}

export class Segmenter {
  /** The run's segment files' directory (made under workDir; empty once the caller deleted them). */
  readonly directory: string;
  /** ffmpeg resolves this once it has exited and every listed segment has been reported. */
  readonly exited: Promise<SegmenterExit>;
  private readonly child: ChildProcess;
  private stopping = false;
  private segments = 0;
  private reportError: unknown;
  /** The files given to onSegment: the caller's from then on. */
  private readonly handed = new Set<string>();

  private constructor(child: ChildProcess, directory: string, outputs: TrackOutput[], tail: StderrTail) {
    this.child = child;
    this.directory = directory;
    this.exited = this.run(outputs, tail);
  }

  /**
   * Starts ffmpeg on `input`. Rejects with FfmpegMissingError when the ffmpeg binary is not
   * there; the source's own failures come as `exited` (its status and stderr).
   */
  static async start(input: SegmenterInput, options: SegmenterOptions): Promise<Segmenter> {
    if (options.tracks.length === 0) throw new RangeError('a recording needs at least one track');
    const directory = await mkdtemp(join(options.workDir, 'run-'));
    const plan: SegmentOutput[] = options.tracks.map((track, i) => {
      const name = track.kind === 'video' ? 'v' : `a${track.index}`;
      return {
        map: track.kind === 'video' ? '0:v:0' : `0:${track.index}`,
        listFd: 3 + i,
        pattern: join(directory, `${name}-%06d.${options.fmp4 ? 'm4s' : 'ts'}`),
        ...(options.fmp4 && {
          fmp4: {
            init: join(directory, `${name}-init.mp4`),
            aac: track.kind === 'audio' && (track.codec ?? 'aac') === 'aac',
          },
        }),
      };
    });
    const args = segmenterArgs(input, plan, options.segmentSeconds ?? 2);
    const path = options.ffmpegPath ?? 'ffmpeg';
    const [command, commandArgs] = withLifeline(path, args);
    const child = spawn(command, commandArgs, {
      stdio: [
        input.kind === 'pipe' ? 'pipe' : 'ignore',
        'ignore',
        'pipe',
        ...plan.map(() => 'pipe' as const),
      ],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (error) {
      await rmdir(directory).catch(() => {});
      throw (error as NodeJS.ErrnoException).code === 'ENOENT' ? new FfmpegMissingError(path) : error;
    }
    // An error writing to a stdin ffmpeg has closed reaches the caller's writes, never the process.
    child.stdin?.on('error', () => {});
    const tail = new StderrTail(STDERR_LINES);
    child.stderr?.on('data', (chunk: Buffer) => tail.push(chunk));
    let segmenter: Segmenter | null = null;
    const fail = (error: unknown) => {
      const self = segmenter as Segmenter;
      if (self.reportError !== undefined) return;
      self.reportError = error;
      void self.stop();
    };
    const report = async (segment: FinishedSegment) => {
      const self = segmenter as Segmenter;
      if (self.reportError !== undefined) return;
      self.handed.add(basename(segment.file));
      try {
        await options.onSegment(segment);
        self.segments++;
      } catch (error) {
        fail(error);
      }
    };
    const outputs = options.tracks.map((track, i) => {
      const init = plan[i]?.fmp4?.init;
      return new TrackOutput(track, directory, init ? fmp4Timing(init) : tsTiming, report, fail);
    });
    segmenter = new Segmenter(child, directory, outputs, tail);
    return segmenter;
  }

  /** A `pipe` source's input: MPEG-TS or fragmented MP4 bytes, written as they arrive. */
  get stdin(): Writable {
    if (!this.child.stdin) throw new TypeError('only a pipe source takes bytes');
    return this.child.stdin;
  }

  /**
   * Asks ffmpeg to finish (SIGINT: the segment in progress is closed and listed), and kills it
   * after `deadlineMs` if it has not exited (at once when it is 0); resolves as `exited` does.
   */
  async stop(deadlineMs = 10_000): Promise<SegmenterExit> {
    if (!this.stopping) {
      this.stopping = true;
      if (deadlineMs <= 0) {
        // At once: what ffmpeg has not listed is dropped.
        this.child.stdin?.destroy();
        this.child.kill('SIGKILL');
      } else {
        this.signal();
        const timer = setTimeout(() => this.child.kill('SIGKILL'), deadlineMs);
        void this.exited.finally(() => clearTimeout(timer));
      }
    }
    return this.exited;
  }

  private signal(): void {
    this.child.stdin?.end();
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGINT');
  }

  private async run(outputs: TrackOutput[], tail: StderrTail): Promise<SegmenterExit> {
    const lists = outputs.map((output, i) => this.follow(this.child.stdio[3 + i] as Readable, output));
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) =>
      this.child.once('close', (c, s) => resolve([c, s])),
    );
    await Promise.all(lists);
    await Promise.all(outputs.map((output) => output.end()));
    await this.removeUnreported();
    return {
      code,
      signal,
      stopped: this.stopping,
      segments: this.segments,
      stderr: tail.lines(),
      ...(this.reportError !== undefined && { reportError: this.reportError }),
    };
  }

  /** Reads one output's segment list until ffmpeg closes it. */
  private async follow(list: Readable, output: TrackOutput): Promise<void> {
    for await (const line of createInterface({ input: list, crlfDelay: Number.POSITIVE_INFINITY })) {
      output.addLine(line);
    }
  }

  /**
   * Removes every file not given to the caller: those ffmpeg did not list (killed while writing
   * them), and those listed after onSegment failed.
   */
  private async removeUnreported(): Promise<void> {
    for (const name of await readdir(this.directory).catch(() => [] as string[])) {
      if (!this.handed.has(name)) await unlink(join(this.directory, name)).catch(() => {});
    }
  }
}
