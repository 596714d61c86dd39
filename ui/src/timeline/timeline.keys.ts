/** What a key does on the timeline; shares are of the span shown. */
export type TimelineAction =
  | { kind: 'step'; share: number }
  | { kind: 'zoom'; factor: number }
  | { kind: 'pan'; share: number }
  | { kind: 'start' }
  | { kind: 'end' }
  | { kind: 'fit' }
  /** The chosen range's start or end at the playhead; or no range. */
  | { kind: 'markStart' }
  | { kind: 'markEnd' }
  | { kind: 'clearRange' };

export function timelineKey(key: string, shift: boolean): TimelineAction | undefined {
  switch (key) {
    // Slider keys: left and down go back, right and up forward.
    case 'ArrowLeft':
    case 'ArrowDown':
      return { kind: 'step', share: shift ? -0.1 : -0.01 };
    case 'ArrowRight':
    case 'ArrowUp':
      return { kind: 'step', share: shift ? 0.1 : 0.01 };
    case '+':
    case '=':
      return { kind: 'zoom', factor: 0.5 };
    case '-':
    case '_':
      return { kind: 'zoom', factor: 2 };
    case 'PageUp':
      return { kind: 'pan', share: -0.8 };
    case 'PageDown':
      return { kind: 'pan', share: 0.8 };
    case 'Home':
      return { kind: 'start' };
    case 'End':
      return { kind: 'end' };
    case '0':
      return { kind: 'fit' };
    // The brackets of a range, as editors mark in and out points.
    case '[':
      return { kind: 'markStart' };
    case ']':
      return { kind: 'markEnd' };
    case 'Escape':
      return { kind: 'clearRange' };
    default:
      return undefined;
  }
}
