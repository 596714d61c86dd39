import { VastHttpError } from './transport/transport.errors.ts';
import type { VastHeaders } from './transport/transport.types.ts';
import { NO_TXID, type VastApi } from './vast.api.ts';

/**
 * The oldest VAST release the engine works with: the one the SDK it follows (vastdb 2.0.14, whose
 * requests the engine sends) requires, "5.0.0-sp10 or later" (its README). The engine uses no
 * feature the SDK gates on a later release (insert row ids, time zones: features.py).
 */
export const MIN_VAST_VERSION: readonly number[] = [5, 0];

/** What the SDK requires of the `Server` header: `vast` and four numbers (`VAST_VERSION_REGEX`). */
const VERSION = /^vast (\d+)\.(\d+)\.(\d+)\.(\d+)$/;

/** The answer did not come from a VAST release this engine can use. */
export class VastServerError extends Error {
  override readonly name = 'VastServerError';
}

/**
 * The VAST release that answered, from its `Server` header (`vast 5.3.0.0`), as the SDK reads it;
 * throws VastServerError when the answer is not VAST's, names no version, or an older one than
 * MIN_VAST_VERSION.
 */
export function vastVersionOf(headers: VastHeaders, where: string): number[] {
  const server = headers.server;
  if (server === undefined || !server.startsWith('vast')) {
    const said = server === undefined ? 'no Server header' : `Server ${JSON.stringify(server)}`;
    throw new VastServerError(
      `${where} is not a VAST DataBase endpoint: its answer has ${said} (VAST answers "vast a.b.c.d")`,
    );
  }
  const m = VERSION.exec(server);
  if (m === null) {
    throw new VastServerError(
      `${where} answered Server ${JSON.stringify(server)}: no VAST version this server can read (VAST's clients expect "vast a.b.c.d")`,
    );
  }
  const version = m.slice(1).map(Number);
  if (compare(version, MIN_VAST_VERSION) < 0) {
    throw new VastServerError(
      `${where} runs VAST ${version.join('.')}; this server needs VAST ${MIN_VAST_VERSION.join('.')} or later`,
    );
  }
  return version;
}

function compare(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/**
 * VAST answered the probe 401 or 403: it refuses the keys this server signs with (a wrong or
 * revoked secret, an unknown access key, a user without access). `version` is the release that
 * answered (`5.3.0.0`).
 */
export class VastKeysRefusedError extends Error {
  override readonly name = 'VastKeysRefusedError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly version: string,
  ) {
    super(
      `VAST refused this server's keys (${status} ${code || 'error'}): check TAMS_VAST_ACCESS_KEY and TAMS_VAST_SECRET_KEY (wrong, revoked, or not allowed on the bucket)`,
    );
  }
}

/**
 * Readiness: is a VAST release this engine supports answering, and does it take our keys?
 * `GET /?transaction` with `tabular-get-vast-version: true` and no other tabular header, as
 * vastdb 2.1 asks. The version comes from the `Server` header, whatever the status (vastdb 2.0
 * ignores the status of this call, the Java client logs and goes on); a 401 or 403 of VAST then
 * throws VastKeysRefusedError, since every call of this server would be refused alike; other
 * refusals count as ready (the store's own query checks the data path). A connection that fails,
 * or a cluster that keeps answering 503, throws as any call does (VastUnavailableError). Answers
 * the version (`5.3.0.0`).
 */
export async function probeVast(api: VastApi, signal: AbortSignal): Promise<string> {
  let headers: VastHeaders;
  let where = 'the VAST endpoint';
  let refused: VastHttpError | undefined;
  try {
    const res = await api.request({
      method: 'GET',
      query: [['transaction']],
      txid: NO_TXID,
      plain: true,
      headers: { 'tabular-get-vast-version': 'true' },
      idempotent: true,
      signal,
    });
    headers = res.headers;
    where = res.endpoint;
  } catch (e) {
    if (!(e instanceof VastHttpError) || e.status === 503) throw e;
    headers = e.headers;
    refused = e;
  }
  const version = vastVersionOf(headers, where).join('.');
  if (refused !== undefined && (refused.status === 401 || refused.status === 403))
    throw new VastKeysRefusedError(refused.status, refused.code, version);
  return version;
}
