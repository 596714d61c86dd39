import type { TSchema } from 'typebox';
import type { BackgroundWorker, WorkerLog } from '../common/worker.ts';
import type { TableDef } from '../db/db.types.ts';
import type { Topology } from '../db/topology.ts';
import type { App } from '../http/types.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import type { OutboxFollowing } from './feature.follower.ts';
import {
  contentTables,
  type Feature,
  type FeatureContext,
  type FeatureRuntime,
  type RouteContext,
} from './feature.types.ts';

/** The features the configuration switches on, in the list's order. */
export function enabledFeatures<C>(
  features: readonly Feature<FeatureRuntime, C>[],
  config: C,
): Feature<FeatureRuntime, C>[] {
  return features.filter((f) => f.enabled(config));
}

/** The tables of these features, opened and migrated with the store's. */
export function featureTables(features: readonly Feature<FeatureRuntime, never>[]): TableDef[] {
  return features.flatMap((f) => f.tables);
}

/** The tables of these features that are emptied with the content (tams-mgmt clean --all). */
export function featureContentTables(features: readonly Feature<FeatureRuntime, never>[]): string[] {
  return features.flatMap(contentTables);
}

/**
 * The features of one process, built: what the composition root and the app loop over (wake
 * their followers at commits, hold the outbox for them, register their metrics and routes, start
 * and close them), and where the management commands and tests find a feature's runtime.
 */
export class FeatureSet {
  private readonly followers: OutboxFollowing[];

  private constructor(private readonly built: ReadonlyMap<Feature<FeatureRuntime, never>, FeatureRuntime>) {
    this.followers = this.runtimes.flatMap((r) => (r.follower ? [r.follower] : []));
  }

  /** Builds each of `features` (those switched on: see enabledFeatures) in order. */
  static build<C>(features: readonly Feature<FeatureRuntime, C>[], context: FeatureContext<C>): FeatureSet {
    return new FeatureSet(new Map(features.map((f) => [f, f.build(context)])));
  }

  /** The runtime of `feature`; undefined when it is off. */
  get<R extends FeatureRuntime>(feature: Feature<R, never>): R | undefined {
    return this.built.get(feature) as R | undefined;
  }

  private get runtimes(): FeatureRuntime[] {
    return [...this.built.values()];
  }

  /** Events were committed: every follower looks. Called at every commit, so it allocates nothing. */
  wake(): void {
    const { followers } = this;
    for (let i = 0; i < followers.length; i++) followers[i]?.wake();
  }

  /**
   * The outbox position below which every follower is done: events above the lowest stay (the
   * webhook dispatcher purges only below it). Undefined when no follower runs.
   */
  holdBack(): (() => Promise<bigint | undefined>) | undefined {
    const { followers } = this;
    if (followers.length === 0) return undefined;
    return async () => {
      let low: bigint | undefined;
      for (const held of await Promise.all(followers.map((f) => f.holdBack()))) {
        if (held !== undefined && (low === undefined || held < low)) low = held;
      }
      return low;
    };
  }

  /** Each follower's position: the lowest outbox position it still needs, by its feature's name. */
  async followerPositions(): Promise<{ feature: string; position: bigint | undefined }[]> {
    const positions: { feature: string; position: bigint | undefined }[] = [];
    for (const [feature, runtime] of this.built) {
      if (runtime.follower)
        positions.push({ feature: feature.name, position: await runtime.follower.holdBack() });
    }
    return positions;
  }

  bindMetrics(metrics: ServerMetrics): void {
    for (const runtime of this.runtimes) runtime.metrics?.(metrics);
  }

  /** The features' OpenAPI components, after one another. */
  components(): Record<string, TSchema> {
    return Object.assign({}, ...this.runtimes.map((r) => r.components ?? {}));
  }

  async routes(app: App, context: RouteContext): Promise<void> {
    for (const runtime of this.runtimes) await runtime.routes?.(app, context);
  }

  /** Starts each feature, then builds its follower's worker (for the caller to start with the rest). */
  start(log: WorkerLog, owner: () => string, topology: Topology): BackgroundWorker[] {
    const workers: BackgroundWorker[] = [];
    for (const runtime of this.runtimes) {
      runtime.start?.(log);
      if (runtime.follower) workers.push(runtime.follower.start(log, owner(), topology));
      workers.push(...(runtime.workers?.(log, owner(), topology) ?? []));
    }
    return workers;
  }

  /** After the workers stopped: each follower lets its lease go, then its feature closes. */
  async close(): Promise<void> {
    for (const runtime of this.runtimes) {
      await runtime.follower?.close();
      await runtime.close?.();
    }
  }
}
