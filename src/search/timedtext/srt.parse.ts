import { NS_PER_SECOND } from '../../time/index.ts';
import { plainSrtText } from './srt.text.ts';
import { Lines } from './timedtext.lines.ts';
import { CueSink, checkSize, stripBom } from './timedtext.sink.ts';
import type { TimedText } from './timedtext.types.ts';

/**
 * Parses SubRip. SRT has no specification, so the reading is lenient: a cue starts at a timing
 * line (`HH:MM:SS,mmm --> HH:MM:SS,mmm`, '.' for ',', 1-3 fraction digits or none, anything after
 * the second time ignored) or at an index line right before one, and its text runs to the next
 * cue start, blank lines dropped: an index line may be missing, blank lines may be extra or
 * missing. A "-->" line that does not parse starts a block that is skipped, as is text before the
 * first cue; both are counted in `skipped`. Only the size and cue caps are fatal.
 */
export function parseSrt(text: string): TimedText {
  checkSize(text, 'srt');
  const lines = new Lines(stripBom(text));
  const sink = new CueSink('srt');
  let i = skipBlank(lines, 0);
  if (i < lines.count && !startsCue(lines, i)) {
    sink.skipped++;
    while (i < lines.count && !startsCue(lines, i)) i++;
  }
  while (i < lines.count) {
    let id: string | undefined;
    if (!isArrowLine(lines.at(i))) {
      id = lines.at(i).trim();
      i++;
    }
    const timingLine = i;
    const times = parseSrtTimings(lines.at(i));
    const body: string[] = [];
    for (i++; i < lines.count && !startsCue(lines, i); i++) {
      const line = lines.at(i);
      if (line.trim() !== '') body.push(line);
    }
    if (times === undefined) {
      sink.skipped++;
      continue;
    }
    const cue = { ...times, text: plainSrtText(body.join('\n')), id };
    sink.add(cue, `line ${timingLine + 1}`);
  }
  return sink.result();
}

function isArrowLine(line: string): boolean {
  return line.includes('-->');
}

/** A timing line, or an index line (digits only) followed by one. */
function startsCue(lines: Lines, i: number): boolean {
  const line = lines.at(i);
  if (isArrowLine(line)) return true;
  return i + 1 < lines.count && isArrowLine(lines.at(i + 1)) && /^\s*\d{1,10}\s*$/.test(line);
}

function skipBlank(lines: Lines, i: number): number {
  while (i < lines.count && lines.at(i).trim() === '') i++;
  return i;
}

interface Cursor {
  i: number;
}

/** `start --> end` at the start of the line (after blanks); what follows the end is ignored. */
export function parseSrtTimings(line: string): { start: bigint; end: bigint } | undefined {
  const at = { i: skipSpace(line, 0) };
  const start = readTime(line, at);
  if (start === undefined) return undefined;
  at.i = skipSpace(line, at.i);
  if (!line.startsWith('-->', at.i)) return undefined;
  at.i = skipSpace(line, at.i + 3);
  const end = readTime(line, at);
  return end === undefined ? undefined : { start, end };
}

/** `H+:M{1,2}:S{1,2}[,.]F{1,3}`, fraction optional; minutes and seconds under 60. */
function readTime(line: string, at: Cursor): bigint | undefined {
  const hours = readDigits(line, at, 10);
  if (hours === undefined || line.charAt(at.i) !== ':') return undefined;
  at.i++;
  const minutes = readDigits(line, at, 2);
  if (minutes === undefined || line.charAt(at.i) !== ':') return undefined;
  at.i++;
  const seconds = readDigits(line, at, 2);
  if (seconds === undefined || Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  let fraction = '0';
  if (line.charAt(at.i) === ',' || line.charAt(at.i) === '.') {
    at.i++;
    const digits = readDigits(line, at, 3);
    if (digits === undefined) return undefined;
    fraction = digits.padEnd(3, '0');
  }
  const whole = BigInt(hours) * 3600n + BigInt(minutes) * 60n + BigInt(seconds);
  return whole * NS_PER_SECOND + BigInt(fraction) * 1_000_000n;
}

/** 1 to `max` digits; more than `max` is no time at all. */
function readDigits(line: string, at: Cursor, max: number): string | undefined {
  const from = at.i;
  while (at.i < line.length && line.charCodeAt(at.i) >= 0x30 && line.charCodeAt(at.i) <= 0x39) at.i++;
  const n = at.i - from;
  return n === 0 || n > max ? undefined : line.slice(from, at.i);
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && (line.charAt(i) === ' ' || line.charAt(i) === '\t')) i++;
  return i;
}
