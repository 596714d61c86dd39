import type { AuthModule } from './auth/auth.module.ts';
import type { Clock } from './common/clock.ts';
import type { Doorbell } from './common/doorbell.ts';
import type { UrlGuard } from './common/url.guard.ts';
import { BackgroundWorker, type WorkerLog } from './common/worker.ts';
import type { Config } from './config.ts';
import type { Topology } from './db/topology.ts';
import { DeletionWorker } from './deletion/deletion.worker.ts';
import { processOwner } from './deps.store.ts';
import type { EmbeddedAccelerator } from './embedded/embedded.accelerator.ts';
import { WebhookDispatcher } from './events/events.dispatcher.ts';
import type { VersionedBodies } from './events/events.render.ts';
import type { FeatureSet } from './feature/feature.set.ts';
import { INIT_OBJECT_TAG } from './hls/hls.service.ts';
import { MediaGarbageCollector } from './media/media.gc.ts';
import type { DeletionHold } from './media/media.hold.ts';
import type { MediaRegistry } from './media/media.registry.ts';
import { CopyWorker } from './objects/objects.copies.ts';
import type { TamsStore } from './store/store.ts';

/**
 * How often Flow segment states held by the cache are written behind to the flows table (the API
 * answers from the cache; a crash is reconciled from the segments at start). Each write holds the
 * writer: under single-segment POSTs to 1,000 Flows, writing every 250 ms took ~23 ms each time
 * and the POSTs made 2,971-2,977/s; every 2 s, 3,381-3,428/s.
 */
const FLOW_STATE_FLUSH_MS = 2000;

/** What the background workers work on, and the doorbells that wake them. */
export interface WorkerNeeds {
  store: TamsStore;
  /** The embedded accelerator, where one process owns the store: its write-behind and warm-up. */
  accelerator?: EmbeddedAccelerator;
  media: MediaRegistry;
  clock: Clock;
  topology: Topology;
  auth: AuthModule;
  /** Each API version's event bodies (webhooks receive their own version's). */
  bodies: VersionedBodies;
  guard: UrlGuard;
  features: FeatureSet;
  /** Events became visible in the outbox: the webhook dispatcher delivers. */
  eventsCommitted: Doorbell;
  /** A webhook was registered, changed or deleted: the dispatcher lists them again. */
  webhooksChanged: Doorbell;
  /** A deletion was requested: every worker looks for work. */
  workRequested: Doorbell;
  /** Held by a backup while it reads the objects: media bytes are not deleted meanwhile. */
  deletionHold?: DeletionHold;
}

/** The workers running, and what stopping them gives up. */
interface Running {
  workers: BackgroundWorker[];
  /** After the workers stop: leases given up, deliveries in flight finished. */
  drains: (() => Promise<void>)[];
  /** The doorbell subscriptions, ended once the workers stop. */
  leave: (() => void)[];
}

/**
 * The background workers (deletion requests, media garbage collection, Flow states written
 * behind, webhook delivery, the wings' followers, event slots): built when the server starts them
 * (with its logger), each subscribing to what wakes it; stopped before the store closes.
 */
export class Workers {
  private running: Running | undefined;

  constructor(
    private readonly config: Config,
    private readonly needs: WorkerNeeds,
  ) {}

  start(log: WorkerLog): void {
    if (this.running) throw new Error('the background workers are started already');
    const { config, needs } = this;
    const { store, topology } = needs;
    const idleMs = config.TAMS_WORKER_IDLE_MS;
    const deletion = new DeletionWorker({
      store,
      clock: needs.clock,
      owner: processOwner(),
      chunkSize: config.TAMS_DELETE_CHUNK,
      leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
      retentionMs: config.TAMS_DELETE_RETENTION_SECONDS * 1000,
      topology,
    });
    const gc = new MediaGarbageCollector({
      store,
      media: needs.media,
      clock: needs.clock,
      log,
      unusedGraceMs: config.TAMS_UNUSED_OBJECT_GRACE_SECONDS * 1000,
      putUrlValidMs: config.TAMS_PRESIGN_EXPIRY_SECONDS * 1000,
      tidyEveryMs: 10 * idleMs,
      // A fragmented MP4 Flow's init segment is an object no segment uses (src/hls).
      kept: (ids) => store.flows.taggedValues(INIT_OBJECT_TAG, ids),
      leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
      owner: processOwner(),
      topology,
      hold: needs.deletionHold,
    });
    // TAMS 8.2's copies of objects on other backends (controlled object instances).
    const copies = new CopyWorker({
      store,
      media: needs.media,
      clock: needs.clock,
      log,
      owner: processOwner(),
      leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
      topology,
      hold: needs.deletionHold,
    });
    const webhooks = this.dispatcher(log);
    const dispatcher = new BackgroundWorker('webhooks', () => webhooks.step(), idleMs, log);
    // After the workers stop: leases held are given up, for another replica to go on at once.
    // A release that fails (the database gone) leaves the lease to lapse.
    const release = (job: string, give: () => Promise<void>) => () =>
      give().catch((error: unknown) => log.warn({ err: error, job }, 'lease not released at shutdown'));
    const workers = [
      new BackgroundWorker('deletion', () => deletion.step(), idleMs, log),
      new BackgroundWorker('media-gc', () => gc.step(), idleMs, log),
      new BackgroundWorker('object-copies', () => copies.step(), idleMs, log),
      dispatcher,
      ...needs.features.start(log, processOwner, topology),
    ];
    const { accelerator } = needs;
    if (accelerator) {
      // Paced: one write of every dirty Flow per period, however busy ingest keeps them.
      workers.push(
        new BackgroundWorker(
          'flow-states',
          async () => (await accelerator.flushFlowStates()) && false,
          FLOW_STATE_FLUSH_MS,
          log,
        ),
      );
    }
    // Readers wait for every event slot: an idle replica's, or a dead one's, is lifted here.
    if (topology.eventSlots) {
      workers.push(
        new BackgroundWorker('event-slots', async () => (await store.beatEventSlots()) && false, idleMs, log),
      );
    }
    this.running = {
      workers,
      drains: [
        release('deletion', () => deletion.release()),
        release('media-gc', () => gc.release()),
        release('object-copies', () => copies.release()),
        () => webhooks.drain(),
      ],
      leave: [
        needs.eventsCommitted.subscribe(() => dispatcher.wake()),
        needs.webhooksChanged.subscribe(() => {
          webhooks.invalidate();
          dispatcher.wake();
        }),
        needs.workRequested.subscribe(() => {
          for (const worker of workers) worker.wake();
        }),
      ],
    };
    for (const worker of workers) worker.start();
    // In the background: readiness does not wait for it. With no warm-up it still takes the
    // snapshots missing (the Flows then load from files on first use).
    void accelerator
      ?.warmUpSegments(config.TAMS_SEGMENT_INDEX_WARMUP_PERCENT / 100, log)
      .catch((error: unknown) =>
        log.error({ err: error }, 'segment index warm-up failed; Flows load on use instead'),
      );
  }

  /** Stops the workers after their current step, then gives up their leases (none if never started). */
  async stop(): Promise<void> {
    const running = this.running;
    if (!running) return;
    await Promise.all(running.workers.map((w) => w.stop()));
    for (const leave of running.leave) leave();
    await Promise.all(running.drains.map((drain) => drain()));
  }

  private dispatcher(log: WorkerLog): WebhookDispatcher {
    const { config, needs } = this;
    const { auth } = needs;
    return new WebhookDispatcher({
      store: needs.store,
      clock: needs.clock,
      bodies: needs.bodies,
      guard: needs.guard,
      log,
      owner: processOwner(),
      topology: needs.topology,
      // With TAMS_AUTH=none nothing is owned: every webhook delivers.
      ownerRefusal: auth.mode === 'required' ? (w) => auth.grants.refusal(w.owner, w.credential) : undefined,
      settings: {
        timeoutMs: config.TAMS_WEBHOOK_TIMEOUT_MS,
        maxAttempts: config.TAMS_WEBHOOK_MAX_ATTEMPTS,
        backoffMs: config.TAMS_WEBHOOK_BACKOFF_MS,
        retentionMs: config.TAMS_EVENT_RETENTION_SECONDS * 1000,
        relistMs: config.TAMS_WORKER_IDLE_MS,
        leaseMs: config.TAMS_WORKER_LEASE_SECONDS * 1000,
      },
      // The wings' followers read the outbox too: what they have not applied stays.
      holdBack: needs.features.holdBack(),
    });
  }
}
