import { join } from 'node:path';
import type { Doorbell } from './common/doorbell.ts';
import type { WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import type { Engine } from './db/db.types.ts';
import { openAnalytics } from './db/engine.factory.ts';
import type { TableManager } from './db/manager.ts';
import type { MigrationRun } from './db/migrate/migrate.types.ts';
import type { Topology } from './db/topology.ts';
import { eventSlots, featuresOn, openDatabase } from './deps.store.ts';
import { EmbeddedAccelerator } from './embedded/embedded.accelerator.ts';
import type { ServerFeature } from './features.ts';
import { timedStoreDb } from './metrics/metrics.db.ts';
import { ServerMetrics } from './metrics/metrics.registry.ts';
import { bindStoreGauges } from './metrics/metrics.store.ts';
import { readEnvelopes, readSegmentTimes } from './store/segments.envelopes.ts';
import { TamsStore } from './store/store.ts';

/** How the server's store is opened (BuildOptions: the defaults come from the configuration). */
export interface CoreOptions {
  /** Engine to use instead of the one the engine factory opens for the configuration (tests). */
  engine?: Engine;
  /** A fresh database in memory, from the engine factory (tests, benchmarks). */
  memory?: boolean;
  /**
   * Compose the embedded accelerator over the store, keeping Flows and segment timelines in
   * memory (default: where the topology says one process owns the store).
   */
  accelerator?: boolean;
  /** The segment index budget in bytes, instead of TAMS_SEGMENT_INDEX_MEMORY_MB (tests: below 1 MiB). */
  segmentIndexBytes?: number;
  /** The segment index snapshot directory (tests; '' for none); default beside the DuckDB file. */
  segmentSnapshots?: string;
  /** Where start-up work before the HTTP server's logger exists (schema migrations) logs. */
  log?: WorkerLog;
  /** The wings beyond the spec (default: src/features.ts); those the configuration switches off are left out. */
  features?: readonly ServerFeature[];
}

/** The database, the store on it and the metrics registry: what every other part is built on. */
export interface Core {
  db: TableManager;
  /** The schema migrations this start applied (none when the store was up to date). */
  migrations: MigrationRun;
  /** The wings the configuration switches on (their tables are open with the store's). */
  enabled: ServerFeature[];
  metrics: ServerMetrics;
  store: TamsStore;
  /** The embedded accelerator composed over the store, where one process owns it. */
  accelerator?: EmbeddedAccelerator;
}

/**
 * Opens the database (migrated, with the tables of the wings switched on) and the store on it,
 * its transactions and table calls timed for /metrics. `eventsCommitted` is rung by the store
 * when events become visible in the outbox; its readers subscribe to it as they are built.
 */
export async function openCore(
  config: Config,
  options: CoreOptions,
  eventsCommitted: Doorbell,
): Promise<Core> {
  const { db, migrations } = await openDatabase(config, options);
  const metrics = new ServerMetrics();
  const cached = options.accelerator ?? db.topology.canCacheTables;
  let accelerator: EmbeddedAccelerator | undefined;
  const accelerate = async (core: TamsStore) => {
    accelerator = await EmbeddedAccelerator.open(core, {
      segmentIndexBytes: options.segmentIndexBytes ?? config.TAMS_SEGMENT_INDEX_MEMORY_MB * 2 ** 20,
      snapshotDir: snapshotDir(config, options, db.topology),
      // One aggregation over the segments table (on the engine's analytics connections), run at
      // start only after a stop that may have lost the Flow states held behind.
      envelopes: db.topology.canCacheTables ? () => readEnvelopes(openAnalytics(db)) : undefined,
      segmentTimes: db.topology.canCacheTables ? () => readSegmentTimes(openAnalytics(db)) : undefined,
      log: options.log,
    });
    return accelerator;
  };
  const store = await TamsStore.open(timedStoreDb(db, metrics), {
    slots: eventSlots(config, db),
    layer: cached ? accelerate : undefined,
    eventsCommitted,
  });
  bindStoreGauges(metrics, store, accelerator);
  return { db, migrations, enabled: featuresOn(config, options.features), metrics, store, accelerator };
}

/**
 * Where the embedded store keeps its segment index snapshots: beside its database file. None
 * where the topology keeps none (in memory, shared engines), or on an engine a test passed in
 * (unless the test names a directory).
 */
function snapshotDir(config: Config, options: CoreOptions, topology: Topology): string | undefined {
  if (options.segmentSnapshots !== undefined) return options.segmentSnapshots || undefined;
  if (!topology.segmentSnapshots || options.engine) return undefined;
  return join(config.TAMS_DATA_DIR, 'segment-index');
}
