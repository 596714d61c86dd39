import type { Config } from '../config.ts';
import type { TableManager } from '../db/manager.ts';
import type { FeatureSet } from '../feature/feature.set.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import type { Readiness } from '../ops/ops.readiness.ts';
import type { StoreMaintenance } from '../store/maintenance.repo.ts';
import type { TamsStore } from '../store/store.ts';

/** What the bundle reads of a runtime (deps.ts's Runtime has it all; tams-mgmt opens one). */
export interface SupportRuntime {
  db: TableManager;
  store: TamsStore;
  maintenance: StoreMaintenance;
  features: FeatureSet;
  readiness: Readiness;
  metrics: ServerMetrics;
}

export interface BundleBudgets {
  /** Longest time one part may take (a database that stops answering). */
  partMs: number;
  /** Longest time `verify` may read the store (it scans every segment); past it, a partial report. */
  verifyMs: number;
}

export interface BundleSources {
  /** Through the running server, or by tams-mgmt against a stopped store. */
  mode: 'server' | 'stopped';
  config: Config;
  /** Where the settings came from (the `_env` credentials of the storage backends are read here). */
  env: Record<string, string | undefined>;
  /** The store opened (absent: `runtimeMissing` says why, and the parts that need it say so). */
  runtime?: SupportRuntime;
  runtimeMissing?: string;
  /** `db check`: where the database is, whether it answers, its release, tables, schema version. */
  database(): Promise<Record<string, unknown>>;
  /** The last log lines and where they come from; or why there are none. */
  logs: { source: string; lines(): Promise<string[]> } | { missing: string };
  budgets?: BundleBudgets;
  now: Date;
}

/** One file of the bundle as the README lists it. */
export interface BundlePart {
  file: string;
  what: string;
  error?: string;
}

export interface Bundle {
  archive: Buffer;
  /** The archive's top folder: every file is under it. */
  folder: string;
  parts: BundlePart[];
}
