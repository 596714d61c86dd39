import type { ExrParseOptions } from './exr.types.ts';

export type ExrLimits = Required<ExrParseOptions>;

/**
 * Large enough for real files (hundreds of parts, thousands of channels, 8K images with
 * thousands of chunks), small enough that a hostile header costs tens of megabytes at most.
 */
export const DEFAULT_LIMITS: Readonly<ExrLimits> = {
  maxHeaderBytes: 16 * 1024 * 1024,
  maxParts: 4096,
  maxAttributes: 65_536,
  maxChannels: 65_536,
  maxVectorItems: 262_144,
  maxOffsetEntries: 65_536,
  firstReadBytes: 256 * 1024,
};

export function resolveLimits(options: ExrParseOptions = {}): ExrLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(limits) as (keyof ExrLimits)[]) {
    const value = options[key];
    if (value === undefined) continue;
    // No offset entries at all is a reasonable ask (a header without its tables); no header is not.
    const least = key === 'maxOffsetEntries' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least)
      throw new RangeError(`${key} must be an integer >= ${least}`);
    limits[key] = value;
  }
  return limits;
}

/** Running totals checked against the limits while one header is parsed. */
export interface ExrBudget {
  attributes: number;
  channels: number;
  vectorItems: number;
}
