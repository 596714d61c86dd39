import { fitsInt64 } from '../../time/index.ts';
import {
  TIMED_TEXT_LIMITS,
  type TimedCue,
  type TimedText,
  TimedTextError,
  type TimedTextFormat,
} from './timedtext.types.ts';

/** Refuses text whose UTF-8 form is over the byte cap, before any other work. */
export function checkSize(text: string, format: TimedTextFormat): void {
  const max = TIMED_TEXT_LIMITS.maxBytes;
  // A string never has more UTF-16 units than UTF-8 bytes: the cheap test settles most inputs.
  if (text.length > max || Buffer.byteLength(text, 'utf8') > max) {
    throw new TimedTextError(format, `byte ${max}`, `larger than ${max} bytes`);
  }
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** The contract's text form: each line trimmed, joined with '\n', the whole trimmed. */
export function tidyText(text: string): string {
  if (!text.includes('\n')) return text.trim();
  return text
    .split('\n')
    .map((line) => line.trim())
    .join('\n')
    .trim();
}

export interface CueDraft {
  readonly start: bigint;
  readonly end: bigint;
  readonly text: string;
  readonly speaker?: string | undefined;
  readonly id?: string | undefined;
}

/**
 * Collects a parser's cues: drops (and counts) empty intervals and times outside the store's
 * signed 64-bit range, and refuses the document at the cue cap.
 */
export class CueSink {
  private readonly cues: TimedCue[] = [];
  skipped = 0;

  constructor(private readonly format: TimedTextFormat) {}

  /** `where` locates the cue in the document for the cap error (a function when costly to work out). */
  add(draft: CueDraft, where: string | (() => string)): void {
    if (draft.end <= draft.start || !fitsInt64(draft.start) || !fitsInt64(draft.end)) {
      this.skipped++;
      return;
    }
    if (this.cues.length >= TIMED_TEXT_LIMITS.maxCues) {
      const at = typeof where === 'string' ? where : where();
      throw new TimedTextError(this.format, at, `more than ${TIMED_TEXT_LIMITS.maxCues} cues`);
    }
    this.cues.push({
      start: draft.start,
      end: draft.end,
      text: draft.text,
      ...(draft.speaker !== undefined && { speaker: draft.speaker }),
      ...(draft.id !== undefined && { id: draft.id }),
    });
  }

  result(): TimedText {
    return { format: this.format, cues: this.cues, skipped: this.skipped };
  }
}
