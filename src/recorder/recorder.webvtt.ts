/**
 * The WebVTT of HLS subtitle renditions as the recorder reads and writes it (RFC 8216 §3.5: each
 * segment a WebVTT file whose `X-TIMESTAMP-MAP` header ties its cue times to the MPEG-TS clock of
 * the media segments). A cue is kept whole — identifier, settings, payload — and only its times
 * are read: the recorder cuts cues to its own segments and writes them again, never interprets
 * their text (the search wing does that, from what the recorder registers).
 */
import { formatWebVttTimestamp, readTimestamp, readTimestampMap } from '../time/webvtt.time.ts';
import { signedDistance, wrap } from './recorder.timeline.ts';

/** A cue on the MPEG-TS clock: 90 kHz ticks, `start` wrapped, `end` = start + its length. */
export interface VttCue {
  start: bigint;
  end: bigint;
  /** Its identifier line, when it has one. */
  id?: string;
  /** What follows the end time on the timing line (position, line, align …), trimmed. */
  settings: string;
  /** The cue's text lines. */
  payload: string;
}

/** A subtitle segment larger than this is refused (a few seconds of captions are a few KB). */
export const MAX_VTT_BYTES = 1 << 20;
/** Cues read from one segment at most. */
const MAX_CUES = 10_000;

export class VttError extends Error {}

/**
 * The cues of one WebVTT segment on the MPEG-TS clock. Without `X-TIMESTAMP-MAP`, cue time 0 is
 * MPEG-TS time 0 (RFC 8216 §3.5). Blocks that are not cues (NOTE, STYLE, REGION) and cues whose
 * timing line does not parse, or that end before they start, are skipped.
 */
export function readVtt(text: string): VttCue[] {
  if (text.length > MAX_VTT_BYTES) throw new VttError(`a WebVTT segment over ${MAX_VTT_BYTES} bytes`);
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (!/^WEBVTT(?:$|[ \t])/.test(lines[0] ?? '')) throw new VttError('not WebVTT (no WEBVTT signature)');
  let i = 1;
  let mpegts = 0n;
  let local = 0n;
  for (; i < lines.length && lines[i] !== ''; i++) {
    const line = lines[i] as string;
    if (!line.startsWith('X-TIMESTAMP-MAP=')) continue;
    const map = readTimestampMap(line.slice('X-TIMESTAMP-MAP='.length));
    if (map === undefined) throw new VttError(`a malformed header ${JSON.stringify(line.slice(0, 80))}`);
    ({ mpegts, local } = map);
  }
  const cues: VttCue[] = [];
  while (i < lines.length) {
    while (i < lines.length && lines[i] === '') i++;
    const block: string[] = [];
    while (i < lines.length && lines[i] !== '') block.push(lines[i++] as string);
    if (block.length === 0) break;
    const at = block[0]?.includes('-->') ? 0 : block[1]?.includes('-->') ? 1 : -1;
    if (at < 0) continue;
    const timing = readTiming(block[at] as string);
    if (timing === undefined || timing.end < timing.start) continue;
    if (cues.length >= MAX_CUES) throw new VttError(`more than ${MAX_CUES} cues in one segment`);
    const start = wrap(mpegts + nsToTicks(timing.start - local));
    cues.push({
      start,
      end: start + nsToTicks(timing.end - timing.start),
      ...(at === 1 && { id: block[0] as string }),
      settings: timing.settings,
      payload: block.slice(at + 1).join('\n'),
    });
  }
  return cues;
}

function readTiming(line: string): { start: bigint; end: bigint; settings: string } | undefined {
  const at = { i: skipSpace(line, 0) };
  const start = readTimestamp(line, at);
  if (start === undefined) return undefined;
  at.i = skipSpace(line, at.i);
  if (!line.startsWith('-->', at.i)) return undefined;
  at.i = skipSpace(line, at.i + 3);
  const end = readTimestamp(line, at);
  if (end === undefined) return undefined;
  return { start, end, settings: line.slice(at.i).trim() };
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && (line[i] === ' ' || line[i] === '\t')) i++;
  return i;
}

/** Nanoseconds to 90 kHz ticks, to the nearest. */
function nsToTicks(ns: bigint): bigint {
  const scaled = ns * 9n;
  const q = scaled / 100_000n;
  const r = scaled % 100_000n;
  if (r * 2n >= 100_000n) return q + 1n;
  if (r * 2n <= -100_000n) return q - 1n;
  return q;
}

/** 90 kHz ticks to nanoseconds, rounded down (a cue never starts before the media it belongs to). */
function ticksToNs(ticks: bigint): bigint {
  return (ticks * 100_000n) / 9n;
}

/**
 * One of the recorder's caption segments: the cues that overlap [start, start + length) on the
 * MPEG-TS clock, cut to it, in a WebVTT file whose `X-TIMESTAMP-MAP` puts its local 0 at `start`
 * — the PTS its video segment starts at, so the segment's `ts_offset` is the video's.
 */
export function writeVtt(start: bigint, length: bigint, cues: readonly VttCue[]): string {
  let out = `WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:${wrap(start)},LOCAL:00:00:00.000\n`;
  for (const cue of cues) {
    const from = clamp(signedDistance(cue.start, start), length);
    const to = clamp(signedDistance(cue.start, start) + (cue.end - cue.start), length);
    if (to <= from) continue;
    const timing = `${formatWebVttTimestamp(ticksToNs(from))} --> ${formatWebVttTimestamp(ticksToNs(to))}`;
    // A blank line would end the cue early; "-->" in a payload line would start another.
    const payload = cue.payload.replaceAll('-->', '->');
    const id = cue.id !== undefined && !cue.id.includes('-->') ? `${cue.id}\n` : '';
    out += `\n${id}${timing}${cue.settings === '' ? '' : ` ${cue.settings}`}\n${payload}\n`;
  }
  return out;
}

function clamp(ticks: bigint, length: bigint): bigint {
  return ticks < 0n ? 0n : ticks > length ? length : ticks;
}
