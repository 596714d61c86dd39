/**
 * The checks of the settings themselves, run before any other: does VAST answer at the endpoints
 * (and would the server's readiness probe say ready), do the keys begin a transaction, does the
 * bucket exist. When one fails every later check would fail the same way, hundreds of lines of
 * one cause: the run stops there (StopRun) and says which setting to change.
 */

import {
  VastConnectionError,
  type VastHttpError,
  VastUnavailableError,
} from '../../src/db/engines/vast/transport/transport.errors.ts';
import { VastServerError } from '../../src/db/engines/vast/vast.probe.ts';
import { decodeListSchemasResponse } from '../../src/db/engines/vast/wire/wire.catalog.ts';
import { serverVersion } from './vast.decode.ts';
import { type Facts, httpCause, type Outcome, outcome, refusal } from './vast.probe.ts';
import { type CheckContext, type KitRunner, StopRun } from './vast.runner.ts';
import type { Scratch } from './vast.scratch.ts';

/** What the admin set, shown as set (the keys never are). */
export interface Shown {
  /** The endpoints' origins, `http://host:port`. */
  readonly endpoints: readonly string[];
  readonly bucket: string;
}

/** What to do when nothing answers at the endpoints. */
const unreachableFix = (shown: Shown) =>
  `check TAMS_VAST_ENDPOINTS (now ${shown.endpoints.join(',')}): the VAST cluster's VIPs as http(s)://host[:port], reachable from this machine (host name, firewall, port)`;

/** What to do when another server than VAST answers there. */
const notVastFix = (shown: Shown) =>
  `TAMS_VAST_ENDPOINTS (now ${shown.endpoints.join(',')}) names another server than VAST DataBase: set it to the VAST cluster's VIPs, as http(s)://host[:port]`;

/** What to do about a refusal of the keys, by VAST's (S3's) code. */
function keysFix(code: string): string {
  switch (code) {
    case 'SignatureDoesNotMatch':
      return 'set TAMS_VAST_SECRET_KEY to the secret key of the access key in TAMS_VAST_ACCESS_KEY, as VAST issued the pair (and TAMS_VAST_REGION if the cluster signs with a region)';
    case 'InvalidAccessKeyId':
      return 'set TAMS_VAST_ACCESS_KEY (and TAMS_VAST_SECRET_KEY) to an S3 key pair of a VAST user of this cluster';
    case 'RequestTimeTooSkewed':
      return "set this machine's clock right (NTP): signatures are valid for minutes only";
    default:
      return 'give the VAST user of TAMS_VAST_ACCESS_KEY the right to use the DataBase API on the bucket (its identity policy), or set TAMS_VAST_ACCESS_KEY and TAMS_VAST_SECRET_KEY to a key pair that has it';
  }
}

/** The cluster refused the keys (401/403): the error, else undefined. */
function keysRefused(error: unknown): VastHttpError | undefined {
  const e = httpCause(error);
  return e !== undefined && (e.status === 401 || e.status === 403) ? e : undefined;
}

/** Headers of an answer, whatever its status (a refusal carries VAST's `Server` header too). */
function headersOf(o: Outcome<{ headers: Readonly<Record<string, string>> }>) {
  return o.ok ? o.value.headers : httpCause(o.error)?.headers;
}

/** Why no answer came, when the call never reached a server. */
function unreachable(error: unknown): string | undefined {
  if (error instanceof VastUnavailableError)
    return error.failures.map((f) => `${f.endpoint}: ${f.reason}`).join('; ') || error.message;
  if (error instanceof VastConnectionError) return `${error.endpoint}: ${error.reason}`;
  return undefined;
}

async function readiness(scratch: Scratch, shown: Shown, facts: Facts, ctx: CheckContext): Promise<void> {
  const server = (h: Readonly<Record<string, string>>) => `200, Server: ${h.server ?? '(none)'}`;
  const probe = await outcome(
    scratch.call({ method: 'GET', names: [], query: [['transaction']], idempotent: true }),
    (r) => server(r.headers),
  );
  ctx.note(
    `GET /?transaction without a transaction (the engine's probe, the SDK's version read): ${probe.text}`,
  );
  const asked = await outcome(
    scratch.call({
      method: 'GET',
      names: [],
      query: [['transaction']],
      idempotent: true,
      headers: { 'tabular-get-vast-version': 'true' },
    }),
    (r) => server(r.headers),
  );
  ctx.note(`the same with tabular-get-vast-version: true (vastdb 2.1): ${asked.text}`);
  const root = await outcome(scratch.call({ method: 'GET', names: [], query: [], idempotent: true }), (r) =>
    server(r.headers),
  );
  ctx.note(`GET / (the Java client's probe): ${root.text}`);
  for (const o of [asked, probe, root]) {
    const headers = headersOf(o);
    if (headers === undefined) continue;
    facts.answered = true;
    if (headers.server !== undefined && facts.server === undefined) {
      facts.server = headers.server;
      facts.version = serverVersion(headers) ?? undefined;
    }
  }
  const refused = keysRefused(asked.ok ? undefined : asked.error);
  if (refused !== undefined) facts.keysRefused = `${refused.status} ${refused.code || '(no code)'}`;
  // The engine's probe refuses a 401/403 itself (VastKeysRefusedError): one rule for both.
  const ready = await outcome(scratch.prober().server.probe(AbortSignal.timeout(30_000)));
  const line = ready.ok ? 'ready' : `not ready: ${ready.text}`;
  ctx.note(`readiness (/ready): ${line}`);
  if (ready.ok && refused === undefined) return;
  const at = shown.endpoints.join(', ');
  if (!facts.answered) {
    const why =
      unreachable(ready.ok ? undefined : ready.error) ??
      unreachable(asked.ok ? undefined : asked.error) ??
      `${at} (${ready.ok ? asked.text : ready.text})`;
    facts.unreachable = why;
    throw new StopRun(`no answer from ${why}`, unreachableFix(shown));
  }
  // Whatever refused what, an answer that is not VAST's says the endpoint is wrong.
  if (!/^vast\b/.test(facts.server ?? ''))
    throw new StopRun(
      `${at} is not a VAST DataBase endpoint: its answer has ${facts.server === undefined ? 'no Server header' : `Server ${JSON.stringify(facts.server)}`} (VAST answers "vast a.b.c.d")`,
      notVastFix(shown),
    );
  if (!ready.ok && ready.error instanceof VastServerError)
    throw new StopRun(
      `${at}: ${ready.error.message}`,
      'this server needs VAST DataBase 5.0 or later, naming its release as "vast a.b.c.d": upgrade the cluster',
    );
  const keys = refused ?? keysRefused(ready.ok ? undefined : ready.error);
  if (keys !== undefined) throw new StopRun(`VAST refused the keys: ${refusal(keys)}`, keysFix(keys.code));
  throw new StopRun(
    `the readiness probe failed: ${ready.ok ? line : ready.text}`,
    'see the refusal; run the kit again once the cluster answers the probe',
  );
}

async function keys(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const begun = await outcome(scratch.begin(), (txid) => `200, transaction ${txid}`);
  ctx.note(`begin a transaction: ${begun.text}`);
  if (!begun.ok) {
    const refused = keysRefused(begun.error);
    if (refused !== undefined)
      throw new StopRun(`VAST refused the keys: ${refusal(refused)}`, keysFix(refused.code));
    throw new StopRun(
      `VAST refused to begin a transaction: ${begun.text}`,
      'see the refusal; every check needs a transaction',
    );
  }
  const rolled = await outcome(scratch.rollback(begun.value));
  ctx.note(`roll it back: ${rolled.text}`);
}

async function bucket(scratch: Scratch, ctx: CheckContext): Promise<void> {
  const name = scratch.bucket;
  const listed = await outcome(
    scratch.inTx((txid) =>
      scratch.call({
        method: 'GET',
        names: [name],
        query: [['schema']],
        txid,
        idempotent: true,
        headers: { 'tabular-max-keys': '1000', 'tabular-next-key': '0', 'tabular-list-count-only': 'False' },
      }),
    ),
    (r) => `200, ${decodeListSchemasResponse(r.body).schemas.length} schema(s)`,
  );
  ctx.note(`list the schemas of bucket "${name}": ${listed.text}`);
  if (listed.ok) return;
  const e = httpCause(listed.error);
  if (e?.status === 404)
    throw new StopRun(
      `bucket "${name}" does not exist on the cluster: ${refusal(e)}`,
      `set TAMS_VAST_BUCKET to the name of a bucket with the DataBase capability, as VAST lists it (or create that bucket)`,
    );
  const refused = keysRefused(listed.error);
  if (refused !== undefined)
    throw new StopRun(
      `VAST refused the keys on bucket "${name}": ${refusal(refused)}`,
      `check TAMS_VAST_BUCKET, and that the VAST user of TAMS_VAST_ACCESS_KEY may use that bucket's database (its identity or bucket policy)`,
    );
  throw new StopRun(
    `VAST refused to list bucket "${name}": ${listed.text}`,
    'see the refusal; every check needs the bucket',
  );
}

/** Registers the checks of the settings: first, each stopping the run when it fails. */
export function settingsProbes(runner: KitRunner, scratch: Scratch, shown: Shown, facts: Facts): void {
  runner.describe('settings', () => {
    runner.test(
      `VAST 5.0 or later answers at ${shown.endpoints.join(', ')} and the readiness probe says ready`,
      (ctx) => readiness(scratch, shown, facts, ctx),
    );
    runner.test('the keys begin a transaction', (ctx) => keys(scratch, ctx));
    runner.test(`the bucket "${shown.bucket}" exists`, (ctx) => bucket(scratch, ctx));
  });
}
