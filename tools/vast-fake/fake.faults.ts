/**
 * Faults the test switches on at run time, and the per-call-kind round-trip counters.
 *
 * A rule picks requests: by call kind (`kinds`), by a predicate (`match`), and fires on every
 * `every`-th picked request (deterministic counter; default 1 = each one), at most `times` times.
 */
import { ROW_ID_DONE } from '../../src/db/engines/vast/wire/wire.frames.ts';
import type { ResponseStream } from '../../src/db/engines/vast/wire/wire.response.ts';
import { DEFAULT_FAILURE_CODE } from './fake.failure.ts';

/** What a request is, as counted in `stats` and matched by fault rules. */
export type CallKind =
  | 'probe'
  | 'begin'
  | 'commit'
  | 'rollback'
  | 'keepalive'
  | 'query'
  | 'insert'
  | 'update'
  | 'delete'
  | 'ddl'
  | 'list'
  | 'stats'
  | 'other';

export const CALL_KINDS: readonly CallKind[] = [
  'probe',
  'begin',
  'commit',
  'rollback',
  'keepalive',
  'query',
  'insert',
  'update',
  'delete',
  'ddl',
  'list',
  'stats',
  'other',
];

/** A request as fault rules see it. */
export interface FakeRequestInfo {
  readonly kind: CallKind;
  readonly method: string;
  /** Raw target: path and query as sent. */
  readonly target: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
}

export interface FaultRule {
  readonly kinds?: readonly CallKind[];
  readonly match?: (req: FakeRequestInfo) => boolean;
  /** Fire on the every-th request the rule picks (1st of each `every`: picks N, 2N, 3N...). */
  readonly every?: number;
  /** Stop after firing this many times. */
  readonly times?: number;
}

/** Where a dropped connection is cut. */
export type DropPoint =
  /** Headers received, body not read: nothing was applied. */
  | 'before-body'
  /** Whole request read, nothing applied, no answer. */
  | 'after-body'
  /** Request applied (the write is in the transaction), then the socket closed with no answer. */
  | 'after-apply'
  /**
   * QueryData: status line and the first sub-split's frames sent, then the socket closed (the
   * client has those batches and resumes the others from its cursors). Other calls: after-apply.
   */
  | 'mid-response';

class Armed {
  private seen = 0;
  private fired = 0;
  constructor(readonly rule: FaultRule) {}

  fires(req: FakeRequestInfo): boolean {
    const r = this.rule;
    if (r.kinds && !r.kinds.includes(req.kind)) return false;
    if (r.match && !r.match(req)) return false;
    if (r.times !== undefined && this.fired >= r.times) return false;
    this.seen++;
    if (this.seen % Math.max(1, r.every ?? 1) !== 0) return false;
    this.fired++;
    return true;
  }
}

/**
 * Requests a rule picks wait, unapplied and unanswered, until `release()`: a commit VAST takes
 * long to apply, or a request stuck on the way. The rule's `match` sees every request (not only
 * held ones), so it can pick by what came before (the commit of the transaction that inserted).
 */
export class Hold {
  private readonly waiting = new Set<() => void>();
  private released = false;
  /** Requests held so far (released or not). */
  fired = 0;

  constructor(private readonly armed: Armed) {}

  /** Requests waiting now. */
  get held(): number {
    return this.waiting.size;
  }

  /** Lets the held requests go on (in the order they came), and later picks pass at once. */
  release(): void {
    this.released = true;
    for (const go of this.waiting) go();
    this.waiting.clear();
  }

  /** @internal a promise the request waits for, or null when the rule does not pick it. */
  gate(req: FakeRequestInfo): Promise<void> | null {
    if (this.released || !this.armed.fires(req)) return null;
    this.fired++;
    return new Promise<void>((resolve) => this.waiting.add(resolve));
  }
}

export class FakeFaults {
  private slow: Armed | null = null;
  private holding: Hold | null = null;
  private drop: { armed: Armed; at: DropPoint } | null = null;
  private failure: Armed | null = null;
  private stall: Armed | null = null;
  /** Added before every answer, in ms; a QueryData answer delayed longer than the fake's keepAliveFrameMs sends keep-alive frames meanwhile. */
  latencyMs = 0;
  /**
   * Where a failed QueryData answer fails: 'end' (default) after all its rows, in place of the
   * completion frame; 'start' before any row (the query failed at once: the client's cursors
   * stay where they were).
   */
  queryFailureAt: 'start' | 'end' = 'end';
  /** The error code of the failure frame (fake.failure.ts). */
  queryFailureCode = DEFAULT_FAILURE_CODE;

  /** 503 SlowDown on the requests the rule picks. */
  slowDown(rule: FaultRule = {}): void {
    this.slow = new Armed(rule);
  }

  /** Destroys the socket of the requests the rule picks, at `at`. */
  dropConnection(at: DropPoint, rule: FaultRule = {}): void {
    this.drop = { armed: new Armed(rule), at };
  }

  /** Holds the requests the rule picks before they are applied, until the handle releases them. */
  hold(rule: FaultRule = {}): Hold {
    this.holding?.release();
    this.holding = new Hold(new Armed(rule));
    return this.holding;
  }

  /** A failure frame (fake.failure.ts) in place of the completion frame of QueryData answers picked. */
  queryFailure(rule: FaultRule = {}): void {
    this.failure = new Armed({ ...rule, kinds: ['query'] });
  }

  /**
   * QueryData answers picked make no progress: each sub-split asked for gets one empty batch whose
   * next row id is the cursor it was asked from (stalledStreams), and no rows. VAST's SDK pages
   * on such an answer as on any other; whether a cluster sends one is not published.
   */
  stallPages(rule: FaultRule = {}): void {
    this.stall = new Armed({ ...rule, kinds: ['query'] });
  }

  /** Every fault off (latency 0); held requests go on. */
  clear(): void {
    this.holding?.release();
    this.holding = null;
    this.slow = null;
    this.drop = null;
    this.failure = null;
    this.stall = null;
    this.latencyMs = 0;
    this.queryFailureAt = 'end';
    this.queryFailureCode = DEFAULT_FAILURE_CODE;
  }

  /** @internal the router's checks, in the order it applies them. */
  shouldDrop(req: FakeRequestInfo): DropPoint | null {
    return this.drop?.armed.fires(req) ? this.drop.at : null;
  }
  shouldHold(req: FakeRequestInfo): Promise<void> | null {
    return this.holding?.gate(req) ?? null;
  }
  shouldSlowDown(req: FakeRequestInfo): boolean {
    return this.slow?.fires(req) ?? false;
  }
  shouldFailQuery(req: FakeRequestInfo): boolean {
    return this.failure?.fires(req) ?? false;
  }
  shouldStallPage(req: FakeRequestInfo): boolean {
    return this.stall?.fires(req) ?? false;
  }
}

/**
 * A QueryData answer without progress, for the sub-splits of `streams` (the answer it replaces):
 * an empty batch each, its next row id the request's `tabular-start-row-id-{i}` cursor.
 */
export function stalledStreams(
  streams: readonly ResponseStream[],
  headers: FakeRequestInfo['headers'],
  counting: boolean,
): ResponseStream[] {
  return streams.map((s) => {
    const cursor = headers[`tabular-start-row-id-${s.streamId}`]?.split(',')[1];
    const nextRowId = cursor === undefined ? ROW_ID_DONE : BigInt(cursor);
    return { streamId: s.streamId, batches: [{ rows: counting ? 0 : [], nextRowId }] };
  });
}

/** Round trips per call kind (every request received, refused ones included). */
export class FakeStats {
  readonly calls: Record<CallKind, number> = Object.fromEntries(CALL_KINDS.map((k) => [k, 0])) as Record<
    CallKind,
    number
  >;
  /** Requests refused by a fault (503, dropped, failure frame). */
  faultsFired = 0;
  /**
   * Changes refused because another transaction changed the same rows or objects first (409): at
   * commit, or at the call in the fake's at-call mode (its refused commits included).
   */
  conflicts = 0;
  /** Calls refused as conflicts at the call (at-call mode: fake.claims.ts). */
  callConflicts = 0;
  /** Rows sent in QueryData answers (a count sends none): what the benchmarks report per page. */
  rowsSent = 0;
  /**
   * Rows QueryData evaluated its filter on: what a query cost the fake (an indexed lookup only
   * the rows of its values, a scan every row from the lowest cursor on).
   */
  rowsExamined = 0;
  /** QueryData answered from a projection rather than the table (fake.projections.ts). */
  projectionReads = 0;
  /**
   * When set, each request's arrival and the end of its answer (process.hrtime.bigint(), ns):
   * the benchmark finds from them how many round trips of an operation came one after another.
   */
  spans: [bigint, bigint, CallKind][] | undefined;

  get total(): number {
    return CALL_KINDS.reduce((n, k) => n + this.calls[k], 0);
  }

  reset(): void {
    for (const k of CALL_KINDS) this.calls[k] = 0;
    this.faultsFired = 0;
    this.conflicts = 0;
    this.callConflicts = 0;
    this.rowsSent = 0;
    this.rowsExamined = 0;
    this.projectionReads = 0;
    if (this.spans) this.spans = [];
  }
}
