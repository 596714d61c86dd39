/**
 * The one ffmpeg command of a job run: the source's video and each audio track copied (never
 * transcoded) into outputs of their own, each cut by the segment muxer into MPEG-TS files, or by
 * the HLS muxer into fragmented MP4 (one init segment per output, a `.m4s` file per segment).
 *
 * - `-copyts` and `-muxdelay 0`: the files keep the source's PTS. Without `-copyts` ffmpeg starts
 *   the output at 0; without `-muxdelay 0` the MPEG-TS muxer adds its 1.4 s mux delay to every
 *   PTS (measured on ffmpeg 5.1: the source's 1.421333 s came out at 2.821333 s).
 * - `-reset_timestamps 0`: each file goes on from the previous one's timestamps.
 * - The segment list goes to a pipe of our own (`pipe:3`, `pipe:4`, ...), one CSV line per
 *   finished segment, so the recorder learns of each without polling the disk.
 * - fMP4: ffmpeg 5.1's segment muxer starts each MP4 file's decode times at 0 whatever the
 *   source's, so the HLS muxer cuts instead. Its playlist, one segment long (`-hls_list_size 1`),
 *   goes to the pipe: it is written again after each segment is closed, naming that segment.
 *   `frag_discont` keeps the source's timestamps in each fragment's `tfdt`; video is written on
 *   a 90 kHz timescale (MPEG-TS's own), audio on its sample rate. AAC from MPEG-TS is ADTS,
 *   which MP4 does not carry: `aac_adtstoasc` (it passes AAC that is not ADTS through).
 */
import { inputArgs, type SegmenterInput } from './recorder.input.ts';

export interface SegmentOutput {
  /** ffmpeg's stream specifier: `0:v:0`, or an audio stream's index `0:2`. */
  map: string;
  /** The file descriptor (3 and up) the segment list is written to. */
  listFd: number;
  /** The segment files' path, with `%06d` for the segment's number. */
  pattern: string;
  /** Fragmented MP4 instead of MPEG-TS: where the init segment goes, and whether the track is AAC. */
  fmp4?: { init: string; aac: boolean };
}

export function segmenterArgs(
  input: SegmenterInput,
  outputs: readonly SegmentOutput[],
  segmentSeconds: number,
): string[] {
  const global = ['-hide_banner', '-nostats', '-loglevel', 'warning', '-y'];
  // Without a stdin of the caller's, ffmpeg must not read the terminal's (`q` would stop it).
  if (input.kind !== 'pipe') global.push('-nostdin');
  const args = [...global, '-copyts', ...inputArgs(input)];
  for (const output of outputs) {
    if (output.fmp4) {
      const video = output.map.startsWith('0:v');
      args.push(
        ...['-map', output.map, '-c', 'copy', ...(output.fmp4.aac ? ['-bsf:a', 'aac_adtstoasc'] : [])],
        ...['-f', 'hls', '-hls_segment_type', 'fmp4', '-hls_time', String(segmentSeconds)],
        ...['-hls_list_size', '1', '-hls_fmp4_init_filename', output.fmp4.init],
        '-hls_segment_options',
        `movflags=+frag_discont${video ? ':video_track_timescale=90000' : ''}`,
        ...['-hls_segment_filename', output.pattern, `pipe:${output.listFd}`],
      );
      continue;
    }
    args.push(
      ...['-map', output.map, '-c', 'copy', '-muxdelay', '0'],
      ...['-f', 'segment', '-segment_format', 'mpegts', '-segment_time', String(segmentSeconds)],
      ...['-reset_timestamps', '0', '-segment_list_type', 'csv', '-segment_list', `pipe:${output.listFd}`],
      output.pattern,
    );
  }
  return args;
}

export interface ListEntry {
  /** The segment file's name as ffmpeg wrote it in the list (the pattern's basename). */
  name: string;
  /** The entry's end in seconds (the segment list's; see recorder.segmenter.ts for what it means). */
  end?: number;
}

/** One CSV line of the segment list: `name,start,end`; a name with a comma comes quoted. */
export function parseListLine(line: string): ListEntry | null {
  const match = /^(?:"((?:[^"]|"")*)"|([^,]*)),(-?[0-9.]+),(-?[0-9.]+)$/.exec(line.trim());
  if (!match) return null;
  const name = match[1] !== undefined ? match[1].replaceAll('""', '"') : (match[2] as string);
  return { name, end: Number(match[4]) };
}

/**
 * One line of the HLS muxer's playlists (fMP4): a segment's URI names a finished segment; the
 * tags say nothing the recorder needs.
 */
export function parsePlaylistLine(line: string): ListEntry | null {
  const text = line.trim();
  if (text === '' || text.startsWith('#')) return null;
  return { name: text };
}
