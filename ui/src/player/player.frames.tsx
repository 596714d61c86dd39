import { type FrameRate, timecodeOf, timecodeText } from './player.timecode.ts';

const TITLE =
  'UTC time of day of the TAMS timestamp shown, as hours:minutes:seconds:frames; frames count from the start of each UTC second at the Flow’s frame rate';

export interface FrameBarProps {
  rate: FrameRate;
  /** The TAMS time shown. */
  now: bigint | undefined;
  /** Steps one frame back (-1) or forward (1). */
  onStep: (by: -1 | 1) => void;
}

/** The playhead as UTC timecode, and one-frame steps (also the `,` and `.` keys on the player). */
export function FrameBar({ rate, now, onStep }: FrameBarProps) {
  const text = now === undefined ? '--:--:--:--' : timecodeText(timecodeOf(now, rate));
  return (
    <div class="frame-bar" data-testid="frame-bar">
      <button type="button" onClick={() => onStep(-1)} title="Back one frame (key ,)">
        ◀ frame
      </button>
      <output class="timecode" data-testid="timecode" title={TITLE} aria-label={`UTC timecode ${text}`}>
        {text}
      </output>
      <button type="button" onClick={() => onStep(1)} title="Forward one frame (key .)">
        frame ▶
      </button>
      <span class="muted">
        UTC timecode at{' '}
        {rate.denominator === 1 ? rate.numerator : (rate.numerator / rate.denominator).toFixed(3)} fps
      </span>
    </div>
  );
}
