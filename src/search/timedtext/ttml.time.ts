import { rationalToNs } from '../../time/index.ts';
import type { XmlElement } from './ttml.xml.ts';

/** The `ttp:` parameters time expressions depend on, with TTML2's defaults filled in. */
export interface TimingParams {
  readonly frameRate: bigint;
  /** ttp:frameRateMultiplier: the effective frame rate is frameRate * num / den. */
  readonly multiplier: { readonly num: bigint; readonly den: bigint };
  readonly subFrameRate: bigint;
  /** Ticks per second, as a fraction (the default with a frame rate may not be whole). */
  readonly tickRate: { readonly num: bigint; readonly den: bigint };
}

/**
 * Reads the timing parameters from the `tt` element. Defaults: frameRate 30, multiplier 1:1,
 * subFrameRate 1, tickRate 1 without a frame rate and otherwise the effective frame rate times
 * the sub-frame rate (ticks are then sub-frames, as TTML says). `ttp:timeBase` must be media:
 * smpte and clock time bases do not describe positions on the media timeline, so they are refused.
 * Returns the reason as a string when a parameter is invalid.
 */
export function timingParams(tt: XmlElement): TimingParams | string {
  const timeBase = (tt.attrs.get('ttp:timeBase') ?? 'media').trim();
  if (timeBase !== 'media') return `ttp:timeBase "${timeBase}" is not supported (only media)`;
  const frameRate = positive(tt, 'frameRate');
  const subFrames = positive(tt, 'subFrameRate');
  const tickRate = positive(tt, 'tickRate');
  if (frameRate === null || subFrames === null || tickRate === null) {
    const name = frameRate === null ? 'frameRate' : subFrames === null ? 'subFrameRate' : 'tickRate';
    return `ttp:${name} "${tt.attrs.get(`ttp:${name}`)}" is not a positive integer`;
  }
  const rawMultiplier = tt.attrs.get('ttp:frameRateMultiplier') ?? '1 1';
  const pair = /^\s*(\d{1,9})\s+(\d{1,9})\s*$/.exec(rawMultiplier);
  const multiplier =
    pair === null ? undefined : { num: BigInt(pair[1] as string), den: BigInt(pair[2] as string) };
  if (multiplier === undefined || multiplier.num === 0n || multiplier.den === 0n) {
    return `ttp:frameRateMultiplier "${rawMultiplier}" is not two positive integers`;
  }
  const rate = frameRate ?? 30n;
  const subFrameRate = subFrames ?? 1n;
  let ticks = { num: 1n, den: 1n };
  if (tickRate !== undefined) ticks = { num: tickRate, den: 1n };
  else if (frameRate !== undefined)
    ticks = { num: rate * multiplier.num * subFrameRate, den: multiplier.den };
  return { frameRate: rate, multiplier, subFrameRate, tickRate: ticks };
}

/** Undefined when absent, null when not a positive integer. */
function positive(tt: XmlElement, name: string): bigint | undefined | null {
  const raw = tt.attrs.get(`ttp:${name}`);
  if (raw === undefined) return undefined;
  const match = /^\s*(\d{1,9})\s*$/.exec(raw);
  const value = match === null ? 0n : BigInt(match[1] as string);
  return value === 0n ? null : value;
}

// Anchored, bounded in length by the caller, and with no nested quantifiers: linear.
const CLOCK = /^(\d+):(\d\d):(\d\d)(?:\.(\d+)|:(\d+)(?:\.(\d+))?)?$/;
const OFFSET = /^(\d+)(?:\.(\d+))?(h|ms|m|s|f|t)$/;
/** Longer than any sensible time expression; refusing longer ones keeps BigInt parsing small. */
const MAX_EXPRESSION = 64;

/**
 * A TTML time expression in nanoseconds (rounded to the nearest): clock time `hh:mm:ss`,
 * `hh:mm:ss.fraction`, `hh:mm:ss:frames[.subframes]` (frames counted at the effective frame rate)
 * or offset time `<count>[.fraction](h|m|s|ms|f|t)`. Minutes and seconds must be under 60, frames
 * under ttp:frameRate and sub-frames under ttp:subFrameRate. Undefined when invalid.
 */
export function parseTimeExpression(value: string, params: TimingParams): bigint | undefined {
  const text = value.trim();
  if (text.length > MAX_EXPRESSION) return undefined;
  const clock = CLOCK.exec(text);
  if (clock !== null) return clockTime(clock, params);
  const offset = OFFSET.exec(text);
  if (offset === null) return undefined;
  const [, count, fraction = '', metric] = offset as unknown as [string, string, string | undefined, string];
  const scale = 10n ** BigInt(fraction.length);
  const amount = BigInt(count) * scale + BigInt(fraction || '0');
  const [num, den] = secondsPer(metric, params);
  return rationalToNs({ numerator: amount * num, denominator: scale * den });
}

function clockTime(match: RegExpExecArray, params: TimingParams): bigint | undefined {
  const [, hours, minutes, seconds, fraction, frames, subFrames] = match;
  if (Number(minutes) > 59 || Number(seconds) > 59) return undefined;
  const whole = BigInt(hours as string) * 3600n + BigInt(minutes as string) * 60n + BigInt(seconds as string);
  if (frames === undefined) {
    const scale = 10n ** BigInt(fraction?.length ?? 0);
    return rationalToNs({ numerator: whole * scale + BigInt(fraction ?? '0'), denominator: scale });
  }
  const frame = BigInt(frames);
  const sub = BigInt(subFrames ?? '0');
  if (frame >= params.frameRate || sub >= params.subFrameRate) return undefined;
  // (frames + sub / subFrameRate) / effective frame rate, all over one denominator.
  const { frameRate, subFrameRate, multiplier } = params;
  const den = frameRate * multiplier.num * subFrameRate;
  return rationalToNs({
    numerator: whole * den + (frame * subFrameRate + sub) * multiplier.den,
    denominator: den,
  });
}

/** The length of one unit of `metric` in seconds, as [numerator, denominator]. */
function secondsPer(metric: string, params: TimingParams): [bigint, bigint] {
  switch (metric) {
    case 'h':
      return [3600n, 1n];
    case 'm':
      return [60n, 1n];
    case 's':
      return [1n, 1n];
    case 'ms':
      return [1n, 1000n];
    case 'f':
      return [params.multiplier.den, params.frameRate * params.multiplier.num];
    default:
      return [params.tickRate.den, params.tickRate.num];
  }
}
