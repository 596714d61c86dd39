/**
 * What the field kit's probes share: how an answer or a refusal is told in one line (status,
 * VAST's code and message, as the cluster sent them), the facts gathered for the summary, and a
 * probe's failure.
 */
import { DbError } from '../../src/db/db.errors.ts';
import { VastHttpError, VastUnavailableError } from '../../src/db/engines/vast/transport/transport.errors.ts';
import { errorLine } from './vast.runner.ts';

/** What the probes learn that the summary's header shows. */
export interface Facts {
  /** The `Server` header of the endpoint's answer (any status), e.g. `vast 5.3.0.0`. */
  server?: string;
  version?: string;
  /** The endpoint answered the readiness probe (with or without a Server header). */
  answered?: boolean;
  /** Why no answer came (`connection refused`), when none did. */
  unreachable?: string;
  /** The refusal of the keys (`403 SignatureDoesNotMatch`), when the cluster refused them. */
  keysRefused?: string;
}

/** Options of `vast check` the probes read. */
export interface ProbeOptions {
  /**
   * Longest idle the idle-transaction probe watches, in seconds (0: not run); it always watches
   * at least what the engine needs (twice its keep-alive interval).
   */
  readonly idleSeconds: number;
  /** The engine's keep-alive interval of open transactions (TAMS_VAST_KEEP_ALIVE_MS). */
  readonly keepAliveMs: number;
  /** How many transactions the cap probe opens at once at most (0: not run). */
  readonly txCap: number;
}

/** The cluster's own refusal inside `error` (the transport wraps a 503, the engine may wrap a 409). */
export function httpCause(error: unknown): VastHttpError | undefined {
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 5; depth++) {
    if (e instanceof VastHttpError) return e;
    e = e instanceof Error ? e.cause : undefined;
  }
  return undefined;
}

/** A refusal as the cluster worded it: `409 TabularConflict: ...`, or the error's own line. */
export function refusal(error: unknown): string {
  const e =
    error instanceof VastUnavailableError || !(error instanceof DbError)
      ? (httpCause(error) ?? error)
      : error;
  if (e instanceof VastHttpError)
    return `${e.status} ${e.code || '(no code)'}${e.vastMessage ? `: ${e.vastMessage}` : ''}`;
  if (e instanceof DbError) return `${e.code}: ${e.message}`;
  return errorLine(e);
}

/** The status of a refusal, when the cluster gave one (read from the engine's message otherwise). */
export function statusOf(error: unknown): number | undefined {
  const e = httpCause(error);
  if (e !== undefined) return e.status;
  const m = error instanceof Error ? /: (\d{3}) /.exec(error.message) : null;
  return m?.[1] === undefined ? undefined : Number(m[1]);
}

export type Outcome<T> = { ok: true; value: T; text: string } | { ok: false; error: unknown; text: string };

/** Runs `p` and tells how it ended: `200` (or what `describe` says of the value), or the refusal. */
export async function outcome<T>(
  p: Promise<T>,
  describe: (value: T) => string = () => '200',
): Promise<Outcome<T>> {
  try {
    const value = await p;
    return { ok: true, value, text: describe(value) };
  } catch (error) {
    return { ok: false, error, text: refusal(error) };
  }
}

/** A probe that saw what the engine does not expect. */
export class ProbeFailure extends Error {
  override readonly name = 'ProbeFailure';
}
