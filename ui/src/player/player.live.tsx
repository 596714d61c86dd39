import type { RefObject } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './player.live.css';

/** What a live Flow can be played as: live, all of it as VOD, or its last N minutes as VOD. */
export type LiveChoice = 'live' | 'all' | 1 | 10 | 60;

const CHOICES: { value: LiveChoice; label: string }[] = [
  { value: 'live', label: 'Live (sliding window)' },
  { value: 'all', label: 'Whole recording (VOD)' },
  { value: 1, label: 'Last minute (VOD)' },
  { value: 10, label: 'Last 10 minutes (VOD)' },
  { value: 60, label: 'Last hour (VOD)' },
];

/** Seconds the jump buttons move. */
export const JUMP_SECONDS = 10;
/** How often the delay behind the live edge is read off the video. */
const READ_MS = 500;

/** The end of what the player can seek to (the live edge, live), if anything is loaded. */
function seekableEnd(video: HTMLVideoElement): number | undefined {
  const { seekable } = video;
  return seekable.length === 0 ? undefined : seekable.end(seekable.length - 1);
}

export interface LiveControlsProps {
  video: RefObject<HTMLVideoElement | null>;
  /** Playing the server's live window. */
  live: boolean;
  /** The Flow played live on this page: live and its VOD choices are offered. */
  liveSeen: boolean;
  /** What is played, when it is one of the choices. */
  choice: LiveChoice | undefined;
  /** Segments of the Flow up to the newest in the playlist. */
  segmentCount: number | undefined;
  /** Moves the player by `by` seconds. */
  onJump: (by: number) => void;
  onGoLive: () => void;
  onChoose: (choice: LiveChoice) => void;
}

/**
 * Under the video: jumps back and forward, and for a Flow being written a live badge, the delay
 * behind the live edge, "Go to live", and the choice of playing it live or as VOD.
 */
export function LiveControls({
  video,
  live,
  liveSeen,
  choice,
  segmentCount,
  onJump,
  onGoLive,
  onChoose,
}: LiveControlsProps) {
  const [delay, setDelay] = useState<number | undefined>();
  useEffect(() => {
    if (!live) {
      setDelay(undefined);
      return;
    }
    const read = () => {
      const element = video.current;
      const end = element ? seekableEnd(element) : undefined;
      setDelay(element && end !== undefined ? Math.max(0, end - element.currentTime) : undefined);
    };
    read();
    const timer = setInterval(read, READ_MS);
    return () => clearInterval(timer);
  }, [live]);

  return (
    <div class="live-bar" data-testid="live-controls">
      {liveSeen && (
        <span
          role="status"
          class={`badge live-badge ${live ? 'is-live' : 'is-vod'}`}
          data-live={String(live)}
        >
          {live ? 'Live' : 'VOD'}
        </span>
      )}
      {live && delay !== undefined && (
        <span class="live-delay" data-delay={delay.toFixed(3)}>
          {delay.toFixed(1)} s behind the live edge
        </span>
      )}
      <span class="live-buttons">
        <button type="button" onClick={() => onJump(-JUMP_SECONDS)} title={`Back ${JUMP_SECONDS} seconds`}>
          −{JUMP_SECONDS} s
        </button>
        <button type="button" onClick={() => onJump(JUMP_SECONDS)} title={`Forward ${JUMP_SECONDS} seconds`}>
          +{JUMP_SECONDS} s
        </button>
        {liveSeen && (
          <button type="button" class="primary" onClick={onGoLive}>
            Go to live
          </button>
        )}
      </span>
      {liveSeen && (
        <span class="live-choice">
          <label for="live-choice">Play</label>{' '}
          <select
            id="live-choice"
            value={choice === undefined ? '' : String(choice)}
            onChange={(event) => {
              const value = (event.currentTarget as HTMLSelectElement).value;
              const picked = CHOICES.find((c) => String(c.value) === value);
              if (picked) onChoose(picked.value);
            }}
          >
            {choice === undefined && <option value="">The hour around the time chosen (VOD)</option>}
            {CHOICES.map((c) => (
              <option key={String(c.value)} value={String(c.value)}>
                {c.label}
              </option>
            ))}
          </select>
        </span>
      )}
      {liveSeen && segmentCount !== undefined && <span class="muted">{segmentCount} segments</span>}
    </div>
  );
}
