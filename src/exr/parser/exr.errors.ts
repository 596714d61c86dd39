import type { ExrErrorCode } from './exr.types.ts';

/** Where inside the header a failure is, when it is inside a part or an attribute. */
export interface ExrErrorContext {
  part?: number;
  attribute?: string;
  cause?: unknown;
}

/**
 * Every way a parse can fail, whatever the input: the byte offset where the parser gave up and
 * a code to branch on.
 */
export class ExrParseError extends Error {
  override readonly name = 'ExrParseError';
  readonly part: number | undefined;
  readonly attribute: string | undefined;

  constructor(
    readonly code: ExrErrorCode,
    readonly offset: number,
    message: string,
    context: ExrErrorContext = {},
  ) {
    super(`${message} (at byte ${offset})`, context.cause === undefined ? {} : { cause: context.cause });
    this.part = context.part;
    this.attribute = context.attribute;
  }
}
