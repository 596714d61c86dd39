/** One cue on the media file's own timeline (nanoseconds), with its text as plain text. */
export interface TimedCue {
  /** Inclusive, ns on the media timeline. */
  readonly start: bigint;
  /** Exclusive, ns; always after `start` (cues with end <= start are dropped and counted as skipped). */
  readonly end: bigint;
  /** Plain text: markup removed, entities decoded, lines trimmed and joined with '\n', trimmed. */
  readonly text: string;
  /** From WebVTT `<v Name>`, TTML `ttm:agent` (its `ttm:name`), when present. */
  readonly speaker?: string;
  /** The cue identifier when the format has one (WebVTT identifier, SRT index, TTML `xml:id` of the p). */
  readonly id?: string;
}

export type TimedTextFormat = 'webvtt' | 'srt' | 'ttml';

export interface TimedText {
  readonly format: TimedTextFormat;
  /** In document order. */
  readonly cues: readonly TimedCue[];
  /**
   * Cues or blocks in the document that gave no cue: a malformed block (WebVTT, SRT), a cue whose
   * interval is empty (end <= start) or unresolved (TTML: no end anywhere) or outside the signed
   * 64-bit nanosecond range. The parsers always set it.
   */
  readonly skipped?: number;
}

/** Longest slice of the reason echoed back; reasons may quote the document. */
const MAX_REASON = 160;

/**
 * The one error the parsers throw for bad input. `where` is "line N" (WebVTT, SRT: 1-based) or
 * "byte N" (TTML and the dispatcher: 0-based offset in the document's UTF-8 form).
 */
export class TimedTextError extends Error {
  override readonly name = 'TimedTextError';
  readonly reason: string;

  constructor(
    /** Undefined while the format is not known yet (size, encoding, sniffing). */
    readonly format: TimedTextFormat | undefined,
    readonly where: string,
    reason: string,
  ) {
    const shown = reason.length > MAX_REASON ? `${reason.slice(0, MAX_REASON)}...` : reason;
    super(`${format ?? 'timed text'} ${where}: ${shown}`);
    this.reason = shown;
  }
}

/** Enforced by every parser: input larger than maxBytes (UTF-8) or with more than maxCues cues is refused. */
export const TIMED_TEXT_LIMITS: Readonly<{ maxBytes: number; maxCues: number }> = Object.freeze({
  maxBytes: 16 * 1024 * 1024,
  maxCues: 200_000,
});
