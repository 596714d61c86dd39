import { ExrParseError } from './exr.errors.ts';
import type { ExrBudget, ExrLimits } from './exr.limits.ts';
import type { ExrErrorCode } from './exr.types.ts';

/** One attribute's value being decoded: what the decoders need to read it and to say where. */
export interface ValueContext {
  part: number;
  name: string;
  type: string;
  size: number;
  /** Offset of the value's first byte. */
  start: number;
  /** 31, or 255 with the long-names bit: also the bound of chlist's channel names. */
  maxName: number;
  limits: ExrLimits;
  budget: ExrBudget;
}

export function valueError(
  ctx: ValueContext,
  code: ExrErrorCode,
  at: number,
  message: string,
): ExrParseError {
  return new ExrParseError(code, at, `attribute '${ctx.name}' (${ctx.type}): ${message}`, {
    part: ctx.part,
    attribute: ctx.name,
  });
}

/** Counts `n` more items against one of the header-wide limits. */
export function spend(ctx: ValueContext, at: number, what: 'channels' | 'vectorItems', n: number): void {
  ctx.budget[what] += n;
  const limit = what === 'channels' ? ctx.limits.maxChannels : ctx.limits.maxVectorItems;
  if (ctx.budget[what] > limit) {
    const noun = what === 'channels' ? 'channels' : 'vector elements';
    throw valueError(ctx, 'LIMIT_EXCEEDED', at, `more than ${limit} ${noun} in the header`);
  }
}
