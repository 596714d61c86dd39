import type { VastApi } from './vast.api.ts';
import { beginTx, commitTx, type EngineTimers, type Tx } from './vast.tx.ts';

/** A read transaction and the reads using it. */
interface Snapshot {
  readonly tx: Promise<Tx>;
  /** When its begin was sent. */
  readonly since: number;
  users: number;
  retired: boolean;
  timer: unknown;
}

/**
 * Transactions for reads outside a transaction (`engine.session`): VAST wants every operation in
 * one, and a read must never queue behind the write transactions.
 *
 * Each read begins its own transaction unless a snapshot begun less than `shareMs` ago is still
 * open (default 0: never; see VastEngineOptions.readSnapshotMs for the trade-off). A read-only
 * transaction is committed off the response path: nothing is waited for, since a read-only commit
 * changes nothing; close() waits for them all. A snapshot is retired (no new reads join it) as
 * soon as a write transaction of this process commits, so that no read that starts after our own
 * commit can read data older than it.
 *
 * Reads that start in the same turn of the event loop share one begin whatever `shareMs` is: the
 * begin is sent in the loop's check phase (setImmediate), and a read joins only a snapshot whose
 * begin has not been sent yet. Every read of it started before its begin left, so the snapshot
 * holds every commit, by any process, that finished before each of them started: no read is
 * staler than with a begin of its own. Concurrent requests read from the same poll phase (page
 * GETs under load) and reads a request runs side by side then pay one begin, and one commit.
 */
export class ReadSnapshots {
  private current: Snapshot | undefined;
  /** A snapshot whose begin is not sent yet: reads starting meanwhile join it (see acquire). */
  private pending: Snapshot | undefined;
  private readonly ending = new Set<Promise<void>>();

  constructor(
    private readonly api: VastApi,
    private readonly timers: EngineTimers,
    private readonly keepAliveMs: number,
    private readonly shareMs: number,
  ) {}

  async run<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    const snap = this.acquire();
    snap.users++;
    try {
      let tx: Tx;
      try {
        tx = await snap.tx;
      } catch (e) {
        // Its begin failed (the cluster busy, at its cap of open transactions...): reads that
        // start from now on try a begin of their own rather than share the failure.
        this.forget(snap);
        throw e;
      }
      try {
        return await fn(tx);
      } catch (e) {
        // VAST forgot the transaction (vast.limits.ts): no read joins it any more, and it is
        // not committed (Tx.gone).
        tx.noteFailure(e);
        if (tx.gone !== undefined) this.forget(snap);
        throw e;
      }
    } finally {
      snap.users--;
      this.release(snap);
    }
  }

  /** After a local commit: reads that start from now on begin a new transaction. */
  retireAll(): void {
    const snap = this.current;
    if (snap === undefined) return;
    this.current = undefined;
    snap.retired = true;
    this.release(snap);
  }

  /** No read joins `snap` any more. */
  private forget(snap: Snapshot): void {
    if (this.current === snap) this.retireAll();
  }

  /** Ends every snapshot and waits for their commits (close). */
  async close(): Promise<void> {
    this.retireAll();
    await this.settled();
  }

  /** Waits for the read-only commits under way (benchmarks and tests count their round trips). */
  async settled(): Promise<void> {
    while (this.ending.size > 0) await Promise.all([...this.ending]);
  }

  private acquire(): Snapshot {
    const now = this.timers.now();
    const cur = this.current;
    if (cur !== undefined && now - cur.since < this.shareMs) return cur;
    if (this.pending !== undefined) return this.pending;
    this.retireAll();
    const snap: Snapshot = {
      tx: new Promise<Tx>((resolve, reject) => {
        setImmediate(() => {
          if (this.pending === snap) this.pending = undefined;
          beginTx(this.api, this.timers, this.keepAliveMs).then(resolve, reject);
        });
      }),
      since: now,
      users: 0,
      retired: this.shareMs <= 0,
      timer: undefined,
    };
    // An unused failed begin must not become an unhandled rejection.
    snap.tx.catch(() => undefined);
    this.pending = snap;
    if (!snap.retired) {
      this.current = snap;
      // Ends an idle shared snapshot once too old to join, so none stays open on an idle server.
      snap.timer = this.timers.setTimeout(() => {
        if (this.current === snap) this.retireAll();
      }, this.shareMs);
    }
    return snap;
  }

  private release(snap: Snapshot): void {
    if (!snap.retired || snap.users > 0) return;
    if (snap.timer !== undefined) this.timers.clearTimeout(snap.timer);
    snap.timer = undefined;
    // Users are 0 and it is retired: nobody joins any more, so this runs once per snapshot.
    const done = snap.tx
      .then((tx) => commitTx(this.api, tx))
      .catch(() => undefined)
      .finally(() => this.ending.delete(done));
    this.ending.add(done);
  }
}
