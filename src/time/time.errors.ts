/** Longest slice of bad input echoed back; the message ends up in 400 bodies and logs. */
const MAX_ECHO = 80;

/**
 * Thrown for any string that is not a valid TAMS 7.0 timestamp or timerange. The HTTP layer maps it
 * to a 400, so the message names the offending input and the expected shape.
 */
export class TimeFormatError extends Error {
  override readonly name = 'TimeFormatError';
  readonly input: string;

  constructor(kind: 'timestamp' | 'timerange', input: string) {
    const shown = input.length > MAX_ECHO ? `${input.slice(0, MAX_ECHO)}...` : input;
    const shape =
      kind === 'timestamp'
        ? '{sign?}{seconds}:{nanoseconds}, e.g. "1:40000000" or "-0:500000000"'
        : '{[|(}{start?}_{end?}{]|)}, e.g. "[0:0_10:0)", "(5:0_", "[10:0]", "_" or "()"';
    super(`invalid ${kind} ${JSON.stringify(shown)}: expected ${shape}`);
    this.input = input;
  }
}
