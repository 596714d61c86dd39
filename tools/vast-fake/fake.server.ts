/**
 * A fake VAST DataBase server for tests: VAST's tabular HTTP API over an in-memory store, on
 * loopback, in-process (node:http, keep-alive).
 *
 * THIS IS THE TEAM'S READING OF VAST'S PROTOCOL (PROTOCOL.md §1.4-1.9), checked against VAST's
 * official Python SDK (`npm run vast:sdk:fake` drives it with `vastdb` 2.0.14, and
 * `vast:sdk:fake:newest` with the newest release, and checks every answer), NOT against a VAST
 * cluster. Beyond what the engine sends it answers what VAST's newer clients ask: every Arrow type
 * the SDK can create and read (fake.types.ts), `?sorted-columns` (fake.sorted.ts), calls outside a
 * transaction (fake.router.ts), projections (fake.projections.ts). Where VAST's behaviour is unknown the choice made is
 * written where it is made (fake.store.ts, fake.rows.ts, fake.query.ts, fake.catalog.ts).
 *
 * Public API (stable; the engine's tests use it):
 *
 *   const vast = await startFakeVast({ bucket?, accessKey?, secretKey?, port?, txTimeoutMs?, now?,
 *                                      cellMaxBytes?, maxOpenTransactions?, queryMaxBytes?,
 *                                      projections?, conflictsAt?, callConflictCode? });
 *   vast.url                 'http://127.0.0.1:<port>'
 *   vast.port, vast.bucket, vast.keys.{access,secret}
 *   vast.stats.calls[kind]   round trips per CallKind (probe begin commit rollback keepalive
 *                            query insert update delete ddl list stats other); stats.total,
 *                            stats.faultsFired, stats.conflicts (409s refused as conflicts, at commit
 *                            or at the call), stats.callConflicts (at the call only), stats.rowsSent,
 *                            stats.rowsExamined,
 *                            stats.projectionReads,
 *                            stats.reset(),
 *                            stats.spans = [] to record each request's arrival and end
 *   vast.faults.slowDown(rule)              503 SlowDown
 *   vast.faults.dropConnection(at, rule)    socket destroyed: 'before-body' | 'after-body' | 'after-apply'
 *                                           | 'mid-response' (QueryData: after the first sub-split's frames)
 *   vast.faults.queryFailure(rule)          QueryData ends with the failure frame (fake.failure.ts: the
 *                                           0xFFFFFFFD marker, a u64 error code, a u32 length 0)
 *   vast.faults.queryFailureCode = n        that frame's error code (default 5)
 *   vast.faults.queryFailureAt = 'end' | 'start'   failure frame after the rows (default) or before any
 *   vast.faults.stallPages(rule)            QueryData answered without progress: an empty batch per sub-split,
 *                                           its cursor where the request put it
 *   vast.faults.hold(rule) -> { held, fired, release() }   picked requests wait, unapplied, until released
 *   vast.faults.latencyMs = n               added per round trip (QueryData: a keep-alive frame every keepAliveFrameMs meanwhile)
 *   vast.faults.clear()
 *     rule = { kinds?: CallKind[], match?: (req) => boolean, every?: N, times?: M }
 *   vast.setSecret(s)        the access key's secret changes (keys rotated): old signatures get 403
 *   await vast.down() / await vast.up()     listener closed (connections refused) / reopened on the same port
 *   vast.store               the FakeStore (committed catalog, open transactions) for assertions;
 *                            vast.store.conflictsAt = 'commit' | 'call' switches the conflict mode
 *   vast.limits              cell size, open-transaction cap, QueryData body size (on by default,
 *                            fake.limits.ts), what they refused, the most transactions open at
 *                            once and the largest QueryData body seen
 *   await vast.close()
 *
 * Every request is checked with SigV4 (fake.sigv4.ts; bad signature: 403 SignatureDoesNotMatch);
 * every refusal is an S3-style XML error; every answer carries `Server: vast 5.3.0.0` (5.1+: insert
 * returns row ids; below 5.4: timestamps without time zone). Transaction ids start above 2^53.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WireFormatError } from '../../src/db/engines/vast/wire/wire.errors.ts';
import { KEEP_ALIVE_STREAM_ID } from '../../src/db/engines/vast/wire/wire.frames.ts';
import { markerFrame, type ResponseStream } from '../../src/db/engines/vast/wire/wire.response.ts';
import { listenOnLoopback } from '../loopback.ts';
import { CallConflictError, type ConflictsAt } from './fake.claims.ts';
import { encodeResponse } from './fake.encode.ts';
import { errorXml, FakeVastError, newRequestId } from './fake.errors.ts';
import { FakeFaults, type FakeRequestInfo, FakeStats, stalledStreams } from './fake.faults.ts';
import { FakeLimits, type FakeLimitsOptions } from './fake.limits.ts';
import type { DeclaredProjection } from './fake.projections.ts';
import { parseTarget, type Routed, route } from './fake.router.ts';
import { verifySigV4 } from './fake.sigv4.ts';
import { FakeStore } from './fake.store.ts';
import type { FakeField } from './fake.types.ts';

export { CONFLICTS_AT, type ConflictsAt, DEFAULT_CALL_CONFLICT_CODE } from './fake.claims.ts';
export {
  CALL_KINDS,
  type CallKind,
  type DropPoint,
  type FakeRequestInfo,
  type FaultRule,
  type Hold,
} from './fake.faults.ts';
export { FIRST_TXID } from './fake.store.ts';

export const SERVER_HEADER = 'vast 5.3.0.0';

export interface FakeVastOptions extends FakeLimitsOptions {
  readonly bucket?: string;
  readonly accessKey?: string;
  readonly secretKey?: string;
  /** 0 (default): any free port. */
  readonly port?: number;
  /**
   * Idle time after which a transaction expires (default 60 s: VAST's Java client keeps
   * transactions alive that often, so VAST's own timeout is at least that; fake.limits.ts).
   */
  readonly txTimeoutMs?: number;
  /** The clock of transaction expiry (tests move it instead of waiting); SigV4 uses the real clock. */
  readonly now?: () => number;
  /** Gap between keep-alive frames while a QueryData answer is delayed, the first after one gap (default 50 ms). */
  readonly keepAliveFrameMs?: number;
  /** Projections created with the tables they name (fake.projections.ts `DeclaredProjection`). */
  readonly projections?: readonly DeclaredProjection[];
  /**
   * Where conflicting changes are refused: 'commit' (default: first committer wins) or 'call'
   * (the second change is refused at its call with 409, as VAST's SDK tests expect; fake.claims.ts).
   */
  readonly conflictsAt?: ConflictsAt;
  /** The code of a 409 refused at the call (default `SerializationFailure`). */
  readonly callConflictCode?: string;
}

export interface FakeVast {
  readonly url: string;
  readonly port: number;
  readonly bucket: string;
  readonly keys: { readonly access: string; readonly secret: string };
  readonly faults: FakeFaults;
  readonly stats: FakeStats;
  readonly store: FakeStore;
  readonly limits: FakeLimits;
  /**
   * The cluster's secret for the access key becomes `secret` (keys rotated or revoked): a client
   * still signing with the old one gets 403 SignatureDoesNotMatch from then on.
   */
  setSecret(secret: string): void;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

function headerMap(req: IncomingMessage): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(req.headers)) out[k] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

async function readBody(req: IncomingMessage): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startFakeVast(options: FakeVastOptions = {}): Promise<FakeVast> {
  const bucket = options.bucket ?? 'tams-fake';
  const keys: { access: string; secret: string } = {
    access: options.accessKey ?? 'FAKEVASTACCESSKEY',
    secret: options.secretKey ?? 'fake-vast-secret',
  };
  const signingKeys = new Map([[keys.access, keys.secret]]);
  const store = new FakeStore(
    options.now ?? Date.now,
    options.txTimeoutMs ?? 60_000,
    options.conflictsAt,
    options.callConflictCode,
  );
  const faults = new FakeFaults();
  const stats = new FakeStats();
  const limits = new FakeLimits(options);
  const keepAliveMs = options.keepAliveFrameMs ?? 50;

  function refuse(res: ServerResponse, method: string, resource: string, e: FakeVastError): void {
    if (e.status === 409 && (e.code === 'TransactionConflict' || e.code === store.callConflictCode))
      stats.conflicts++;
    if (e instanceof CallConflictError) stats.callConflicts++;
    const requestId = newRequestId();
    const xml = Buffer.from(errorXml(e.code, e.message, resource, requestId));
    res.writeHead(e.status, {
      Server: SERVER_HEADER,
      'Content-Type': 'application/xml',
      'Content-Length': method === 'HEAD' ? 0 : xml.byteLength,
      'x-amz-request-id': requestId,
    });
    res.end(method === 'HEAD' ? undefined : xml);
  }

  async function answer(
    res: ServerResponse,
    method: string,
    routed: Routed,
    failQuery: boolean,
  ): Promise<void> {
    const latency = faults.latencyMs;
    if ('answer' in routed) {
      if (latency > 0) await sleep(latency);
      const body = routed.answer.body ?? new Uint8Array();
      res.writeHead(200, {
        Server: SERVER_HEADER,
        'Content-Length': body.byteLength,
        ...routed.answer.headers,
      });
      res.end(method === 'HEAD' ? undefined : body);
      return;
    }
    const { fields, streams } = routed.query;
    stats.rowsExamined += routed.query.examined;
    if (routed.query.projection !== null) stats.projectionReads++;
    for (const s of streams)
      for (const b of s.batches) if (typeof b.rows !== 'number') stats.rowsSent += b.rows.length;
    const head = () => {
      if (!res.headersSent)
        res.writeHead(200, { Server: SERVER_HEADER, 'Content-Type': 'application/octet-stream' });
    };
    // A slow VAST keeps the connection busy with a keep-alive frame every keepAliveMs while it
    // works; an answer that comes sooner comes whole (added latency stands for the network too,
    // and a network's delay sends no frames).
    let waited = 0;
    for (; latency - waited > keepAliveMs; waited += keepAliveMs) {
      await sleep(keepAliveMs);
      head();
      res.write(markerFrame(KEEP_ALIVE_STREAM_ID));
    }
    if (latency > waited) await sleep(latency - waited);
    head();
    const sent = failQuery && faults.queryFailureAt === 'start' ? [] : streams;
    res.end(encodeResponse(fields, sent, failQuery ? 'failed' : 'completed', faults.queryFailureCode));
  }

  /** A QueryData answer that breaks off: the given sub-splits' frames, then the socket closed. */
  async function cutShort(
    res: ServerResponse,
    fields: readonly FakeField[],
    streams: readonly ResponseStream[],
  ): Promise<void> {
    res.writeHead(200, { Server: SERVER_HEADER, 'Content-Type': 'application/octet-stream' });
    // Destroyed once the frames are out: the client sees them, then a reset.
    await new Promise<void>((resolve) => res.write(encodeResponse(fields, streams, 'none'), () => resolve()));
    res.socket?.destroy();
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const method = req.method ?? 'GET';
    const target = req.url ?? '/';
    const parsed = parseTarget(method, target);
    const headers = headerMap(req);
    const txid = headers['tabular-txid'];
    // GET /?transaction without a txid is the version probe, with one a keep-alive.
    const probe = parsed.kind === 'keepalive' && (txid === undefined || txid === '' || txid === '0');
    const info: FakeRequestInfo = { kind: probe ? 'probe' : parsed.kind, method, target, headers };
    stats.calls[info.kind]++;
    if (stats.spans) {
      const arrived = process.hrtime.bigint();
      res.once('finish', () => stats.spans?.push([arrived, process.hrtime.bigint(), info.kind]));
    }
    const resource = target.split('?')[0] ?? '/';
    const drop = faults.shouldDrop(info);
    if (drop === 'before-body') {
      stats.faultsFired++;
      req.socket.destroy();
      return;
    }
    const body = await readBody(req);
    if (drop === 'after-body') {
      stats.faultsFired++;
      req.socket.destroy();
      return;
    }
    try {
      const auth = verifySigV4({ method, target, headers, body }, { keys: signingKeys, now: Date.now() });
      if (!auth.ok) throw new FakeVastError(auth.status, auth.code, auth.message);
      if (info.kind === 'query') limits.checkQueryBody(body.byteLength);
      const held = faults.shouldHold(info);
      if (held) await held;
      if (faults.shouldSlowDown(info)) {
        stats.faultsFired++;
        throw new FakeVastError(503, 'SlowDown', 'Please reduce your request rate.');
      }
      const routed = route(
        { store, bucket, limits, projections: options.projections },
        parsed,
        headers,
        body,
      );
      if (drop === 'mid-response' && 'query' in routed) {
        stats.faultsFired++;
        return cutShort(res, routed.query.fields, routed.query.streams.slice(0, 1));
      }
      if (drop === 'after-apply' || drop === 'mid-response') {
        stats.faultsFired++;
        req.socket.destroy();
        return;
      }
      const failQuery = 'query' in routed && faults.shouldFailQuery(info);
      if (failQuery) stats.faultsFired++;
      if ('query' in routed && faults.shouldStallPage(info)) {
        stats.faultsFired++;
        const { query } = routed;
        const streams = stalledStreams(query.streams, headers, query.fields.length === 0);
        return await answer(res, method, { query: { ...query, streams } }, failQuery);
      }
      await answer(res, method, routed, failQuery);
    } catch (e) {
      if (e instanceof FakeVastError) return refuse(res, method, resource, e);
      if (e instanceof WireFormatError)
        return refuse(res, method, resource, new FakeVastError(400, 'BadRequest', e.message));
      const message = e instanceof Error ? e.message : String(e);
      refuse(res, method, resource, new FakeVastError(500, 'InternalError', message));
    }
  }

  const server = http.createServer({ keepAlive: true }, (req, res) => {
    handle(req, res).catch(() => req.socket.destroy());
  });
  server.keepAliveTimeout = 30_000;
  const listen = (port: number) => listenOnLoopback(server, port);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  await listen(options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  let running = true;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    bucket,
    keys,
    faults,
    stats,
    store,
    limits,
    setSecret(secret: string) {
      keys.secret = secret;
      signingKeys.set(keys.access, secret);
    },
    async down() {
      if (!running) return;
      running = false;
      await stop();
    },
    async up() {
      if (running) return;
      await listen(port);
      running = true;
    },
    async close() {
      if (!running) return;
      running = false;
      await stop();
    },
  };
}
