import { utcOffset } from '../time.ts';

/** A frame rate as TAMS gives it (essence_parameters.frame_rate): frames per second, a fraction. */
export interface FrameRate {
  numerator: number;
  denominator: number;
}

const NS = 1_000_000_000n;
const DAY = 86_400n * NS;

/** The Flow's frame rate, when its essence parameters give a usable one. */
export function frameRateOf(essence: Record<string, unknown> | undefined): FrameRate | undefined {
  const rate = essence?.frame_rate;
  if (typeof rate !== 'object' || rate === null) return undefined;
  const { numerator, denominator = 1 } = rate as Record<string, unknown>;
  if (!Number.isInteger(numerator) || !Number.isInteger(denominator)) return undefined;
  if ((numerator as number) <= 0 || (denominator as number) <= 0) return undefined;
  return { numerator: numerator as number, denominator: denominator as number };
}

/** One frame's duration in seconds, on the player's clock. */
export function frameSeconds(rate: FrameRate): number {
  return rate.denominator / rate.numerator;
}

export interface Timecode {
  hours: number;
  minutes: number;
  seconds: number;
  /** Frames since the start of the second: floor(fraction of the second × rate). */
  frames: number;
}

/**
 * The UTC time of day of TAMS time `ns` (TAI nanoseconds) as a timecode. Frames count from each
 * UTC second, so a rate that is not a whole number (30000/1001) has seconds of 30 frames whose
 * last is short: no drop-frame counting, as the time is the wall clock's, not a tape's.
 */
export function timecodeOf(ns: bigint, rate: FrameRate): Timecode {
  const utc = ns - utcOffset(ns);
  const ofDay = ((utc % DAY) + DAY) % DAY;
  const second = ofDay / NS;
  const fraction = ofDay % NS;
  const frames = (fraction * BigInt(rate.numerator)) / (BigInt(rate.denominator) * NS);
  return {
    hours: Number(second / 3600n),
    minutes: Number((second / 60n) % 60n),
    seconds: Number(second % 60n),
    frames: Number(frames),
  };
}

const pad = (n: number) => String(n).padStart(2, '0');

/** `HH:MM:SS:FF`. */
export function timecodeText(tc: Timecode): string {
  return `${pad(tc.hours)}:${pad(tc.minutes)}:${pad(tc.seconds)}:${pad(tc.frames)}`;
}
