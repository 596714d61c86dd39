import type { Static, TSchema } from 'typebox';
import type { Clock } from '../common/clock.ts';
import type { IdGenerator } from '../common/ids.ts';
import type { ClientActivity } from '../common/pacer.ts';
import type { BackgroundWorker, WorkerLog } from '../common/worker.ts';
import type { TableDef } from '../db/db.types.ts';
import type { AnalyticsManager } from '../db/engine.factory.ts';
import type { Topology } from '../db/topology.ts';
import type { FlowsService } from '../flows/flows.service.ts';
import type { PagingSettings } from '../http/paging.ts';
import type { App } from '../http/types.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { ServerMetrics } from '../metrics/metrics.registry.ts';
import type { InstancesService } from '../objects/objects.instances.ts';
import type { ProfilesService } from '../profiles/profiles.service.ts';
import type { SegmentsService } from '../segments/segments.service.ts';
import type { SourcesService } from '../sources/sources.service.ts';
import type { StorageService } from '../storage/storage.service.ts';
import type { TamsStore } from '../store/store.ts';
import type { OutboxFollowing } from './feature.follower.ts';

/**
 * The values of a fragment of the configuration's schema (an object of TypeBox schemas, spread
 * into src/config.ts): a feature reads its settings as their own type, never the whole Config.
 */
export type SettingsOf<F extends Record<string, TSchema>> = { readonly [K in keyof F]: Static<F[K]> };

/** The settings of the core every follower of the outbox reads besides its own. */
export interface WorkerSettings {
  readonly TAMS_WORKER_IDLE_MS: number;
  readonly TAMS_WORKER_LEASE_SECONDS: number;
}

/**
 * The TAMS services a wing that writes content goes through (the recorder, replication), so its Flows,
 * objects and segments follow every rule, event and metric of the API's writes.
 */
export interface TamsServices {
  flows: FlowsService;
  instances: InstancesService;
  profiles: ProfilesService;
  sources: SourcesService;
  segments: SegmentsService;
  storage: StorageService;
}

/** What the core hands a feature when it builds it, once, at start; `C`: the settings it reads. */
export interface FeatureContext<C> {
  /** The configuration (src/config.ts), as far as the feature reads it. */
  config: C;
  store: TamsStore;
  /** The table manager: for reports over whole tables on the engine's analytics connections. */
  db: AnalyticsManager;
  media: MediaRegistry;
  clock: Clock;
  ids: IdGenerator;
  /** Where settings outside the configuration are read (process.env unless a test says). */
  env: Record<string, string | undefined>;
  tams: TamsServices;
  /**
   * Where other servers reach this one: TAMS_PUBLIC_URL, else the address it listens on (known
   * once it listens). A replication job gives it to its origin for webhook deliveries.
   */
  publicUrl: () => string;
  /** The requests this process is serving: background work gives way to them (src/common/pacer.ts). */
  clients: ClientActivity;
}

/** What a feature's routes get from the app besides their own services. */
export interface RouteContext {
  paging: PagingSettings;
  publicUrl: string;
}

/**
 * A wing beyond the TAMS spec (DESIGN.md): media search, EXR metadata, analytics. It owns its
 * folder (routes, services, follower, tables, settings); the core (store, deps.ts, app.ts) knows
 * it only through this interface and loops over the list src/features.ts gives.
 *
 * Switched off (`enabled` false), nothing of it exists in the process: its tables are neither
 * created nor opened, no route, follower or metric of it is there. `C` is the part of the
 * configuration it reads (its fragment of the schema, SettingsOf, and the core's it needs).
 */
export interface Feature<R extends FeatureRuntime = FeatureRuntime, C = never> {
  /** Its name, for people (logs, errors of the management commands). */
  readonly name: string;
  /** Its switch, a setting of its own (TAMS_SEARCH and the like). */
  enabled(config: C): boolean;
  /** Its own tables, created and evolved with the store's when it is on. */
  readonly tables: readonly TableDef[];
  /**
   * Its tables that `tams-mgmt clean --all` leaves as they are (a follower's cursor, which stays
   * as the outbox does); every other of its tables describes the content and is emptied with it.
   */
  readonly keptWhenEmptied?: readonly string[];
  /** Its runtime: services, follower, routes and metrics, built once. */
  build(context: FeatureContext<C>): R;
}

/** A feature as it runs: each part optional, for the core to drive. */
export interface FeatureRuntime {
  /** Its follower of the event outbox: woken at commits, holding events back, started and closed. */
  readonly follower?: OutboxFollowing;
  /** Schemas the OpenAPI document names as components (each under the feature's prefix). */
  readonly components?: Readonly<Record<string, TSchema>>;
  /** Registers its routes on the API (after the TAMS areas, under the same authentication). */
  routes?(app: App, context: RouteContext): Promise<void>;
  /** Registers its gauges and counters on /metrics. */
  metrics?(metrics: ServerMetrics): void;
  /** When the server starts its workers, before its follower runs (warming caches up). */
  start?(log: WorkerLog): void;
  /**
   * Its background jobs beyond a follower (leased in the database, as deletion's): built and
   * started with the core's workers, stopped with them; `close` then ends what they left running.
   */
  workers?(log: WorkerLog, owner: string, topology: Topology): BackgroundWorker[];
  /** At shutdown, after the workers stopped and its follower let its lease go. */
  close?(): Promise<void>;
}

/** The content tables of a feature: its tables but those it keeps (see Feature.keptWhenEmptied). */
export function contentTables(feature: Feature<FeatureRuntime, never>): string[] {
  const kept = feature.keptWhenEmptied ?? [];
  return feature.tables.map((t) => t.name).filter((name) => !kept.includes(name));
}
