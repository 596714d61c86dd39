import type { FrameSource } from './store/exr.records.ts';

/**
 * The frame number of an EXR file, decided in this order:
 *
 * 1. Its name: the digits before the extension, after a `.`, `_` or `-` (`beauty.1001.exr`,
 *    `shot_0042.exr`, `plate-7`), as render and compositing tools name image sequences and as
 *    exr-inspector reads them. The names looked at are the object id (clients may choose object
 *    ids when they allocate storage) and the last segment of the object's storage path, or the
 *    path given with posted bytes. At most 9 digits (an int32), so a UUID's last group, 12 hex
 *    digits, never reads as one.
 * 2. Its place on the Flow's timeline, for objects of a Flow: the segment's start divided by the
 *    Flow's `segment_duration` (an image sequence is a segment per image, so that duration is a
 *    frame's), to the nearest whole frame; the first frame is the one at 0:0, and a sequence registered from
 *    `[100:0_` at 1/24 s starts at 2400.
 *
 * Neither: no frame number. The number is per Flow (a file used by two Flows may sit at two
 * places); the file's own row keeps the number of the first Flow that registered it.
 */
const FRAME_IN_NAME = /(?:^|[._-])(\d{1,9})(?:\.exr)?$/i;

export function frameFromName(...names: (string | undefined)[]): number | undefined {
  for (const name of names) {
    if (name === undefined) continue;
    const base = name.slice(name.lastIndexOf('/') + 1);
    const match = FRAME_IN_NAME.exec(base);
    if (match?.[1] !== undefined) return Number(match[1]);
  }
  return undefined;
}

const NS = 1_000_000_000n;
const INT32_MAX = 2n ** 31n - 1n;

/** The frame at `start` ns for segments of `duration` (a rational number of seconds). */
export function frameFromTimeline(start: bigint, duration: unknown): number | undefined {
  if (typeof duration !== 'object' || duration === null) return undefined;
  const { numerator, denominator = 1 } = duration as { numerator?: unknown; denominator?: unknown };
  if (!Number.isSafeInteger(numerator) || !Number.isSafeInteger(denominator)) return undefined;
  const num = BigInt(numerator as number);
  const den = BigInt(denominator as number);
  if (num <= 0n || den <= 0n) return undefined;
  // start / (num / den s), to the nearest frame: starts of frames whose duration is no whole
  // number of nanoseconds (1/24 s) are rounded to one by whoever registered them.
  const per = num * NS;
  const doubled = 2n * start * den + per;
  const twice = 2n * per;
  let frame = doubled / twice;
  if (doubled % twice !== 0n && doubled < 0n) frame -= 1n;
  return frame > INT32_MAX || frame < -INT32_MAX ? undefined : Number(frame);
}

export function frameNumber(
  names: (string | undefined)[],
  timeline?: { start: bigint; duration: unknown },
): { number: number; source: FrameSource } | undefined {
  const named = frameFromName(...names);
  if (named !== undefined) return { number: named, source: 'name' };
  const placed = timeline && frameFromTimeline(timeline.start, timeline.duration);
  return placed === undefined ? undefined : { number: placed, source: 'timeline' };
}
