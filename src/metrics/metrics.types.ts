/**
 * What the layers below HTTP record for /metrics. Services and the store see only these
 * interfaces (injected by the composition root); prom-client stays in metrics.registry.ts.
 */

export interface SegmentsMetrics {
  /** Segments accepted by one POST segments request (failed ones excluded). */
  segmentsRegistered(count: number): void;
}

export type TransactionOutcome = 'commit' | 'rollback';

export interface StoreTimings {
  /**
   * One store transaction: `waitSeconds` queued for the single writer, `runSeconds` from its
   * start to its COMMIT or ROLLBACK.
   */
  transaction(waitSeconds: number, runSeconds: number, outcome: TransactionOutcome): void;
  /**
   * One store transaction refused because another (another replica, on a shared database)
   * changed the same rows first: the store runs it again (store.retry.ts).
   */
  conflict(): void;
  /** One table manager call (select, count, insert, ...) on `table`. */
  operation(operation: string, table: string, seconds: number): void;
}

/** A value read at scrape time (a count query, an in-memory size). */
export type GaugeReader = () => number | undefined | Promise<number | undefined>;

/** Recorders that do nothing: services built without metrics (tools, unit tests). */
export const noMetrics: SegmentsMetrics & StoreTimings = {
  segmentsRegistered() {},
  transaction() {},
  conflict() {},
  operation() {},
};
