/**
 * The recorder's media side with Debian's ffmpeg (issue 64): a small file made here (320x180,
 * 25 fps H.264 with a key frame every 2 s, two AAC tracks of different tones) recorded from the
 * file as fast as it reads, from bytes written to ffmpeg's stdin, and from MPEG-TS over UDP sent
 * by a second ffmpeg in real time and stopped half-way. Every segment is reported once, in order
 * per track, contiguous in PTS, and the video segments together hold every frame of the source.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FfmpegMissingError,
  SourceProbeError,
  SourceTimeoutError,
} from '../../src/recorder/recorder.errors.ts';
import type { SegmenterInput } from '../../src/recorder/recorder.input.ts';
import { probeSource } from '../../src/recorder/recorder.probe.ts';
import {
  type FinishedSegment,
  Segmenter,
  type SegmenterExit,
  type Track,
} from '../../src/recorder/recorder.segmenter.ts';
import { killChild, spawnChild } from '../helpers/children.ts';
import { closedPort } from '../helpers/ports.ts';
import { FFMPEG, FFPROBE, ffmpegAvailable } from '../hls/hls.media.ts';
import { frameCount, makeSource } from './recorder.media.ts';

const run = promisify(execFile);
const available = ffmpegAvailable();
const SECONDS = 6;
const TRACKS: Track[] = [{ kind: 'video' }, { kind: 'audio', index: 1 }, { kind: 'audio', index: 2 }];

async function packets(
  file: string,
  stream: string,
): Promise<{ pts: bigint; duration: bigint; key: boolean }[]> {
  const { stdout } = await run(FFPROBE, [
    ...['-v', 'error', '-select_streams', stream, '-show_entries', 'packet=pts,duration,flags'],
    ...['-of', 'json', file],
  ]);
  const parsed = JSON.parse(stdout) as { packets: { pts: number; duration?: number; flags: string }[] };
  return parsed.packets.map((p) => ({
    pts: BigInt(p.pts),
    duration: BigInt(p.duration ?? 0),
    key: p.flags.includes('K'),
  }));
}

const key = (track: Track) => (track.kind === 'video' ? 'video' : `audio:${track.index}`);

/** Records `input`; `whileRunning` gets the segmenter and the promise of the first video segment. */
async function record(
  input: SegmenterInput,
  workDir: string,
  whileRunning?: (segmenter: Segmenter, firstVideo: Promise<void>) => Promise<void>,
  tracks: Track[] = TRACKS,
  fmp4 = false,
): Promise<{
  exit: SegmenterExit;
  byTrack: Map<string, FinishedSegment[]>;
  directory: string;
  /** fMP4: each track's init segment bytes, as they were when its segments were reported. */
  inits: Map<string, Buffer>;
}> {
  const byTrack = new Map<string, FinishedSegment[]>();
  const inits = new Map<string, Buffer>();
  let videoSeen: () => void = () => {};
  const firstVideo = new Promise<void>((resolve) => {
    videoSeen = resolve;
  });
  const segmenter = await Segmenter.start(input, {
    ffmpegPath: FFMPEG,
    workDir,
    tracks,
    fmp4,
    onSegment: async (segment) => {
      // The file is whole when reported: its bytes are all there.
      expect((await readFile(segment.file)).length).toBe(segment.bytes);
      // The init segment is the Segmenter's: read while the segment is reported.
      if (segment.init !== undefined) {
        const init = await readFile(segment.init);
        expect(inits.get(key(segment.track)) ?? init).toEqual(init);
        inits.set(key(segment.track), init);
      }
      const list = byTrack.get(key(segment.track)) ?? [];
      list.push(segment);
      byTrack.set(key(segment.track), list);
      if (segment.track.kind === 'video') videoSeen();
    },
  });
  try {
    await whileRunning?.(segmenter, firstVideo);
    return { exit: await segmenter.exited, byTrack, directory: segmenter.directory, inits };
  } finally {
    await segmenter.stop(5000);
  }
}

/** Each track's segments: distinct files, in order, each starting where the previous ended. */
function expectContiguous(
  byTrack: Map<string, FinishedSegment[]>,
  keys = ['audio:1', 'audio:2', 'video'],
): void {
  expect([...byTrack.keys()].sort()).toEqual(keys);
  for (const list of byTrack.values()) {
    expect(new Set(list.map((s) => s.file)).size).toBe(list.length);
    expect(list.map((s) => s.file)).toEqual(list.map((s) => s.file).sort());
    for (let i = 1; i < list.length; i++) expect(list[i]?.startPts).toBe(list[i - 1]?.endPts);
    for (const s of list) expect(s.endPts).toBeGreaterThan(s.startPts);
  }
}

/** The video segments joined hold `frames` frames, each starting with a key frame. */
async function expectVideo(list: FinishedSegment[], dir: string): Promise<number> {
  for (const segment of list) {
    const [first] = await packets(segment.file, 'v:0');
    expect(first?.key).toBe(true);
  }
  const joined = join(dir, `joined-${basename(list[0]?.file ?? 'x')}`);
  await writeFile(joined, Buffer.concat(await Promise.all(list.map((s) => readFile(s.file)))));
  return frameCount(joined);
}

describe.skipIf(!available)('Segmenter (ffmpeg)', () => {
  let dir: string;
  let source: string;
  /** A longer one for the UDP sender, so that a stop comes while it still sends. */
  let live: string;
  let sourceVideo: { pts: bigint; duration: bigint }[];
  let sourceFrames: number;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tams-segmenter-'));
    source = join(dir, 'source.ts');
    await makeSource(source, SECONDS);
    live = join(dir, 'live.ts');
    await makeSource(live, 2 * SECONDS);
    sourceVideo = (await packets(source, 'v:0')).sort((a, b) => (a.pts < b.pts ? -1 : 1));
    sourceFrames = await frameCount(source);
    expect(sourceFrames).toBe(SECONDS * 25);
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('probes what the source carries', async () => {
    const probed = await probeSource(
      { kind: 'file', path: source, realtime: false },
      { ffprobePath: FFPROBE },
    );
    expect(probed.format).toBe('mpegts');
    expect(probed.video).toMatchObject({
      index: 0,
      codec: 'h264',
      width: 320,
      height: 180,
      h264OrHevc: true,
    });
    expect(probed.video?.frameRate).toEqual({ numerator: 25, denominator: 1 });
    expect(probed.audio).toEqual([
      { index: 1, codec: 'aac', sampleRate: 48000, channels: 1 },
      { index: 2, codec: 'aac', sampleRate: 48000, channels: 1 },
    ]);
    expect(probed.subtitles).toEqual([]);
  });

  it('records a file as fast as it reads: every frame, once, in order, contiguous', async () => {
    const work = mkdtempSync(join(dir, 'file-'));
    const { exit, byTrack, directory } = await record({ kind: 'file', path: source, realtime: false }, work);
    expect(exit).toMatchObject({ code: 0, stopped: false });
    expectContiguous(byTrack);
    const video = byTrack.get('video') ?? [];
    expect(video.length).toBe(3);
    // The source's own PTS, first sample to the end of the last.
    expect(video[0]?.startPts).toBe(sourceVideo[0]?.pts);
    const last = sourceVideo.at(-1) as { pts: bigint; duration: bigint };
    expect(video.at(-1)?.endPts).toBe(last.pts + last.duration);
    expect(await expectVideo(video, dir)).toBe(sourceFrames);
    // Nothing in the run's directory but the files reported.
    const reported = [...byTrack.values()].flat().map((s) => basename(s.file));
    expect((await readdir(directory)).sort()).toEqual(reported.sort());
    expect(exit.segments).toBe(reported.length);
  });

  it('stops on a failed callback and removes what it had not handed over', async () => {
    const work = mkdtempSync(join(dir, 'failing-'));
    const handed: string[] = [];
    const segmenter = await Segmenter.start(
      { kind: 'file', path: source, realtime: false },
      {
        ffmpegPath: FFMPEG,
        workDir: work,
        tracks: TRACKS,
        onSegment: async (segment) => {
          handed.push(basename(segment.file));
          if (segment.track.kind === 'video') throw new Error('upload failed');
        },
      },
    );
    const exit = await segmenter.exited;
    expect(exit.reportError).toEqual(new Error('upload failed'));
    expect(exit.stopped).toBe(true);
    expect((await readdir(segmenter.directory)).sort()).toEqual(handed.sort());
    expect(handed.filter((name) => name.startsWith('v-'))).toHaveLength(1);
  });

  it('records MPEG-TS bytes written to its stdin', async () => {
    const bytes = await readFile(source);
    const probed = await probeSource(
      { kind: 'pipe' },
      { ffprobePath: FFPROBE, bytes: bytes.subarray(0, 200_000) },
    );
    expect(probed.audio.map((a) => a.index)).toEqual([1, 2]);
    const work = mkdtempSync(join(dir, 'pipe-'));
    const { exit, byTrack } = await record({ kind: 'pipe' }, work, async (segmenter) => {
      for (let at = 0; at < bytes.length; at += 65_536) {
        if (!segmenter.stdin.write(bytes.subarray(at, at + 65_536))) {
          await new Promise((resolve) => segmenter.stdin.once('drain', resolve));
        }
      }
      segmenter.stdin.end();
    });
    expect(exit).toMatchObject({ code: 0, stopped: false });
    expectContiguous(byTrack);
    const video = byTrack.get('video') ?? [];
    expect(video[0]?.startPts).toBe(sourceVideo[0]?.pts);
    expect(await expectVideo(video, dir)).toBe(sourceFrames);
  });

  it('records fragmented MP4 bytes written to its stdin', async () => {
    const fragmented = join(dir, 'fragmented.mp4');
    await run(FFMPEG, [
      ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
      ...['-f', 'lavfi', '-i', 'testsrc2=size=320x180:rate=25:duration=4'],
      ...['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=4'],
      ...['-c:v', 'libx264', '-preset', 'ultrafast', '-g', '50', '-c:a', 'aac', '-b:a', '48k'],
      ...['-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-f', 'mp4', fragmented],
    ]);
    const bytes = await readFile(fragmented);
    const work = mkdtempSync(join(dir, 'fmp4-'));
    const tracks: Track[] = [{ kind: 'video' }, { kind: 'audio', index: 1 }];
    const { exit, byTrack } = await record(
      { kind: 'pipe' },
      work,
      async (segmenter) => {
        segmenter.stdin.end(bytes);
      },
      tracks,
    );
    expect(exit).toMatchObject({ code: 0, stopped: false });
    expectContiguous(byTrack, ['audio:1', 'video']);
    expect(await expectVideo(byTrack.get('video') ?? [], dir)).toBe(100);
  });

  it('cuts fragmented MP4 with an init segment per track: the source’s PTS, every frame', async () => {
    const work = mkdtempSync(join(dir, 'to-fmp4-'));
    const { exit, byTrack, directory, inits } = await record(
      { kind: 'file', path: source, realtime: false },
      work,
      undefined,
      TRACKS,
      true,
    );
    expect(exit).toMatchObject({ code: 0, stopped: false });
    expectContiguous(byTrack);
    expect([...inits.keys()].sort()).toEqual(['audio:1', 'audio:2', 'video']);
    const video = byTrack.get('video') ?? [];
    expect(video.length).toBe(3);
    expect(video.every((s) => s.file.endsWith('.m4s'))).toBe(true);
    // The source's own PTS (B-frames: the edit list's shift taken off), first sample to the end.
    expect(video[0]?.startPts).toBe(sourceVideo[0]?.pts);
    const last = sourceVideo.at(-1) as { pts: bigint; duration: bigint };
    expect(video.at(-1)?.endPts).toBe(last.pts + last.duration);
    // The exact presentation time beside the ticks: 90 kHz video, 48 kHz audio.
    for (const s of video) expect(s.mediaStartNs).toBe((s.startPts * 1_000_000_000n) / 90_000n);
    // Each fragment behind the init segment plays from a key frame at the PTS reported.
    const init = inits.get('video') as Buffer;
    for (const segment of video) {
      const alone = join(dir, `alone-${basename(segment.file)}.mp4`);
      await writeFile(alone, Buffer.concat([init, await readFile(segment.file)]));
      const [first] = await packets(alone, 'v:0');
      expect(first?.key).toBe(true);
      expect(first?.pts).toBe(segment.startPts);
    }
    const joined = join(dir, 'joined-fmp4.mp4');
    await writeFile(
      joined,
      Buffer.concat([init, ...(await Promise.all(video.map((s) => readFile(s.file))))]),
    );
    expect(await frameCount(joined)).toBe(sourceFrames);
    // Each audio track's fragments too: its first packet's PTS (48 kHz) is the segment's start.
    for (const track of ['audio:1', 'audio:2']) {
      const list = byTrack.get(track) ?? [];
      const audioInit = inits.get(track) as Buffer;
      const alone = join(dir, `alone-${track.replace(':', '')}.mp4`);
      await writeFile(alone, Buffer.concat([audioInit, await readFile(list[1]?.file as string)]));
      const [first] = await packets(alone, 'a:0');
      expect(((first?.pts as bigint) * 90_000n) / 48_000n).toBe(list[1]?.startPts);
    }
    // The init segments went with the run's directory; the fragments are the caller's.
    const reported = [...byTrack.values()].flat().map((s) => basename(s.file));
    expect((await readdir(directory)).sort()).toEqual(reported.sort());
  });

  /** Records the live source sent over UDP by a second ffmpeg, stopped after the first video segment. */
  async function recordUdp(deadlineMs: number) {
    const port = await closedPort();
    const work = mkdtempSync(join(dir, 'udp-'));
    let sender: ReturnType<typeof spawnChild> | undefined;
    try {
      return await record(
        { kind: 'udp', url: `udp://127.0.0.1:${port}` },
        work,
        async (segmenter, firstVideo) => {
          sender = spawnChild(
            FFMPEG,
            [
              ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', live],
              ...['-map', '0', '-c', 'copy', '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`],
            ],
            { stdio: 'ignore' },
          );
          // The first video segment is reported once the second is listed: stop in the third.
          await firstVideo;
          await segmenter.stop(deadlineMs);
        },
      );
    } finally {
      if (sender) await killChild(sender);
    }
  }

  it('records MPEG-TS over UDP and, stopped half-way, lists the segment in progress', async () => {
    const { exit, byTrack, directory } = await recordUdp(10_000);
    expect(exit.stopped).toBe(true);
    expect(exit.code).toBe(255);
    expectContiguous(byTrack);
    const video = byTrack.get('video') ?? [];
    expect(video.length).toBeGreaterThanOrEqual(2);
    // The segment in progress at the stop was closed, listed and reported whole: every frame of
    // the PTS span the video segments cover is there.
    const span = (video.at(-1)?.endPts as bigint) - (video[0]?.startPts as bigint);
    expect(await expectVideo(video, dir)).toBe(Number(span / 3600n));
    const reported = [...byTrack.values()].flat().map((s) => basename(s.file));
    expect((await readdir(directory)).sort()).toEqual(reported.sort());
  });

  it('killed mid-way, drops the segment ffmpeg did not list and removes its file', async () => {
    const { exit, byTrack, directory } = await recordUdp(0);
    expect(exit).toMatchObject({ stopped: true, code: null, signal: 'SIGKILL' });
    expectContiguous(byTrack);
    const video = byTrack.get('video') ?? [];
    const span = (video.at(-1)?.endPts as bigint) - (video[0]?.startPts as bigint);
    expect(await expectVideo(video, dir)).toBe(Number(span / 3600n));
    const reported = [...byTrack.values()].flat().map((s) => basename(s.file));
    expect((await readdir(directory)).sort()).toEqual(reported.sort());
  });

  it.each([
    ['rtmp', (port: number) => ['-f', 'flv', '-listen', '1', `rtmp://127.0.0.1:${port}/live/x`]],
    ['srt', (port: number) => ['-f', 'mpegts', `srt://127.0.0.1:${port}?mode=listener`]],
  ] as const)('reads an %s source within its protocol whitelist', async (kind, output) => {
    const port = await closedPort();
    const sender = spawnChild(
      FFMPEG,
      [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', live],
        ...['-map', '0:v', '-map', '0:a:0', '-c', 'copy', ...output(port)],
      ],
      { stdio: 'ignore' },
    );
    try {
      const url = kind === 'rtmp' ? `rtmp://127.0.0.1:${port}/live/x` : `srt://127.0.0.1:${port}`;
      // The sender listens once it has started: the first attempts may find no one there.
      await expect
        .poll(() => probeSource({ kind, url }, { ffprobePath: FFPROBE }).catch(() => null))
        .toMatchObject({ video: { codec: 'h264' }, audio: [{ codec: 'aac' }] });
    } finally {
      await killChild(sender);
    }
  });

  it('says ffmpeg is missing instead of crashing', async () => {
    const missing = join(dir, 'no-such-ffmpeg');
    const input: SegmenterInput = { kind: 'file', path: source, realtime: false };
    const start = Segmenter.start(input, {
      ffmpegPath: missing,
      workDir: dir,
      tracks: TRACKS,
      onSegment: async () => {},
    });
    await expect(start).rejects.toThrow(FfmpegMissingError);
    await expect(start).rejects.toThrow(/ffmpeg not found: install Debian's ffmpeg/);
    await expect(probeSource(input, { ffprobePath: missing })).rejects.toThrow(FfmpegMissingError);
  });

  it('gives up on a silent source at the deadline, and reads nothing but its kind allows', async () => {
    const port = await closedPort();
    await expect(
      probeSource(
        { kind: 'udp', url: `udp://127.0.0.1:${port}` },
        { ffprobePath: FFPROBE, deadlineMs: 1500 },
      ),
    ).rejects.toThrow(SourceTimeoutError);
    // A playlist on stdin naming a local file: the HLS demuxer is not on a pipe source's list.
    const playlist = Buffer.from(
      `#EXTM3U\n#EXT-X-TARGETDURATION:6\n#EXTINF:6,\nfile:${source}\n#EXT-X-ENDLIST\n`,
    );
    await expect(probeSource({ kind: 'pipe' }, { ffprobePath: FFPROBE, bytes: playlist })).rejects.toThrow(
      SourceProbeError,
    );
    await expect(
      probeSource({ kind: 'udp', url: `file:${source}` }, { ffprobePath: FFPROBE }),
    ).rejects.toThrow(/needs a udp:\/\/ URL/);
  });
});
