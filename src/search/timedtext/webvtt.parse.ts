import { readTimestamp, timestampMap } from '../../time/webvtt.time.ts';
import { Lines } from './timedtext.lines.ts';
import { CueSink, checkSize, stripBom } from './timedtext.sink.ts';
import { type TimedText, TimedTextError } from './timedtext.types.ts';
import { plainCueText } from './webvtt.text.ts';

/**
 * Parses a WebVTT file with the W3C WebVTT parser's block algorithm.
 *
 * Fatal (TimedTextError): input over the size cap, a missing or malformed `WEBVTT` signature,
 * a malformed or repeated `X-TIMESTAMP-MAP` header (every time would be wrong), more cues than the
 * cap. Skipped, as the W3C parser does, and counted in `skipped`: a block whose timing line does
 * not parse, a block with no timing line that is not a NOTE, STYLE or REGION block, a cue whose
 * end is not after its start. Cue settings are ignored. Times are shifted onto the MPEG-TS
 * timeline when the header has an HLS X-TIMESTAMP-MAP.
 */
export function parseWebVtt(text: string): TimedText {
  checkSize(text, 'webvtt');
  const lines = new Lines(stripBom(text).replaceAll('\0', '\ufffd'));
  if (!/^WEBVTT(?:$|[ \t])/.test(lines.at(0))) {
    throw new TimedTextError('webvtt', 'line 1', 'missing the WEBVTT signature');
  }
  const header = collectBlock(lines, 1, true);
  const offset = headerOffset(header);
  const sink = new CueSink('webvtt');
  let i = skipBlank(lines, header.next);
  while (i < lines.count) {
    const block = collectBlock(lines, i, false);
    i = skipBlank(lines, block.next);
    const timing = block.timing;
    if (timing === undefined) {
      if (!isCommentOrDefinition(lines.at(block.first))) sink.skipped++;
      continue;
    }
    if (timing.times === undefined) {
      sink.skipped++;
      continue;
    }
    const { text: plain, speaker } = plainCueText(block.text.join('\n'));
    sink.add(
      {
        start: timing.times.start + offset,
        end: timing.times.end + offset,
        text: plain,
        speaker,
        id: timing.id === '' ? undefined : timing.id,
      },
      `line ${timing.line + 1}`,
    );
  }
  return sink.result();
}

interface Block {
  /** Index of the block's first line and of the first line after it. */
  readonly first: number;
  readonly next: number;
  /** The lines after the timing line; all the block's lines when it has none. */
  readonly text: readonly string[];
  readonly timing?: { readonly line: number; readonly id: string; readonly times: Times | undefined };
}

interface Times {
  readonly start: bigint;
  readonly end: bigint;
}

/**
 * The W3C "collect a WebVTT block" steps over lines: a line with "-->" is the timing line when it
 * is the block's first, or its second after an identifier; any later one (and any in the header)
 * ends the block without being consumed, starting the next block.
 */
function collectBlock(lines: Lines, first: number, inHeader: boolean): Block {
  let i = first;
  let count = 0;
  let previous = first;
  let buffer: string[] = [];
  let timing: Block['timing'];
  while (i < lines.count) {
    const line = lines.at(i);
    i++;
    count++;
    if (line.includes('-->')) {
      if (!inHeader && (count === 1 || (count === 2 && timing === undefined))) {
        previous = i;
        timing = { line: i - 1, id: buffer.join('\n'), times: parseTimings(line) };
        buffer = [];
        continue;
      }
      i = previous;
      break;
    }
    if (line === '') break;
    buffer.push(line);
    previous = i;
  }
  return { first, next: i, text: buffer, ...(timing !== undefined && { timing }) };
}

/** `start --> end [settings]`, whitespace allowed around the arrow; the settings are not read. */
function parseTimings(line: string): Times | undefined {
  const at = { i: skipSpace(line, 0) };
  const start = readTimestamp(line, at);
  if (start === undefined) return undefined;
  at.i = skipSpace(line, at.i);
  if (!line.startsWith('-->', at.i)) return undefined;
  at.i = skipSpace(line, at.i + 3);
  const end = readTimestamp(line, at);
  return end === undefined ? undefined : { start, end };
}

/** The shift X-TIMESTAMP-MAP gives, 0 without one. */
function headerOffset(header: Block): bigint {
  let offset: bigint | undefined;
  header.text.forEach((line, n) => {
    if (!line.startsWith('X-TIMESTAMP-MAP=')) return;
    const where = `line ${header.first + n + 1}`;
    if (offset !== undefined) throw new TimedTextError('webvtt', where, 'repeated X-TIMESTAMP-MAP');
    offset = timestampMap(line.slice('X-TIMESTAMP-MAP='.length));
    if (offset === undefined) {
      throw new TimedTextError('webvtt', where, `malformed header ${JSON.stringify(line)}`);
    }
  });
  return offset ?? 0n;
}

/** NOTE, STYLE and REGION blocks are meant to carry no cue. */
function isCommentOrDefinition(line: string): boolean {
  return /^NOTE(?:$|[ \t])/.test(line) || /^(?:STYLE|REGION)[ \t]*$/.test(line);
}

function skipBlank(lines: Lines, i: number): number {
  while (i < lines.count && lines.at(i) === '') i++;
  return i;
}

function skipSpace(line: string, i: number): number {
  while (i < line.length && ' \t\n\f\r'.includes(line.charAt(i))) i++;
  return i;
}
