import type { Clock } from '../common/clock.ts';
import type { UrlGuard } from '../common/url.guard.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { Topology } from '../db/topology.ts';
import { failureReason } from '../store/followers/follower.failures.ts';
import type { TamsStore } from '../store/store.ts';
import { type ParkedEvent, suspensionError, type WebhookRecord } from '../store/webhooks.repo.ts';
import { matches } from './events.filters.ts';
import { postEvent } from './events.http.ts';
import type { VersionedBodies } from './events.render.ts';

export interface DispatcherSettings {
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
  retentionMs: number;
  /**
   * How long the list of webhooks read from the store is used before it is read again (changes
   * made through this process are seen at once; other replicas' within this time).
   */
  relistMs: number;
  /** How long a delivery lease lasts unless renewed (60 s; each progress write renews it). */
  leaseMs?: number;
}

export interface DispatcherDeps {
  store: TamsStore;
  clock: Clock;
  /** Event bodies of each API version, shaped by each webhook's options. */
  bodies: VersionedBodies;
  guard: UrlGuard;
  log: WorkerLog;
  /** Identifies this process among replicas (webhook leases). */
  owner: string;
  /**
   * Who uses the store. Without leasesNeeded (one process owns it), leases found at start are a
   * killed process's: the first step frees them instead of waiting for them to lapse.
   */
  topology: Topology;
  /**
   * Why a webhook's owner may no longer read (its deliveries are then suspended); undefined
   * while it may. Absent without authentication: nothing is owned.
   */
  ownerRefusal?: (webhook: WebhookRecord) => Promise<string | undefined>;
  settings: DispatcherSettings;
  /**
   * The lowest outbox position another reader of the outbox (the search index) still needs;
   * events above it are not purged. Undefined: no such reader.
   */
  holdBack?: () => Promise<bigint | undefined>;
}

const BATCH = 100;
const LEASE_MS = 60_000;
const MAX_BACKOFF_MS = 5 * 60_000;
const PURGE_EVERY_MS = 60_000;

/**
 * Delivers the outbox to webhooks (DIGEST §10): at least once, in order per webhook. Each webhook
 * has its own delivery task, so a slow or dead receiver delays only itself; its cursor (the last
 * event delivered, filtered out or parked) is saved after each batch and survives restarts. A
 * failed attempt is retried with exponential backoff and jitter; after `maxAttempts` the event is
 * parked (logged, counted, kept in parked_events) and delivery moves on.
 *
 * A webhook delivers only what its owner may read: before each batch its owner's credential is
 * checked (a lookup in memory: src/auth/auth.grants.ts). While it no longer grants read the
 * webhook is suspended: its events are skipped with the cursor moving on (held, they would keep
 * the outbox from being purged, and a revoked or expired token never comes back), the reason is
 * recorded in `suspended` and `last_error`, and logged once per change, not per event.
 *
 * Replicas sharing the store deliver each webhook from one place at a time, under a lease on its
 * row (`lease_owner`, `lease_until`): taken in a transaction before a pass, and renewed by each
 * progress write, which commits only while the lease is still this process's (progress). Two
 * replicas taking or writing one webhook's lease change its row, so one of the two commits. A
 * holder that stalls past its lease loses the webhook to another replica at its next write and
 * stops; the other goes on from the cursor last saved, so what was sent since is sent again.
 */
export class WebhookDispatcher {
  private readonly active = new Map<string, Promise<void>>();
  private lastPurge = 0;
  private webhooks: readonly WebhookRecord[] = [];
  private listedAt = Number.NEGATIVE_INFINITY;
  private resumed = false;
  /**
   * Webhooks whose delivery task failed (the store failing under a progress write, say), until
   * when they wait and how many times in a row: a task that fails is not started again at every
   * step (every commit wakes the dispatcher), and logs once per failure.
   */
  private readonly failing = new Map<string, { until: number; failures: number }>();

  constructor(private readonly deps: DispatcherDeps) {}

  private get leaseMs(): number {
    return this.deps.settings.leaseMs ?? LEASE_MS;
  }

  /** Webhooks were registered, changed or removed: the next step reads them again. */
  invalidate(): void {
    this.listedAt = Number.NEGATIVE_INFINITY;
  }

  /**
   * Supervisor step: starts a delivery task for every due webhook with events waiting. It runs
   * after every commit that records events, so it reads the webhooks from the store only when
   * they may have changed (a list per commit was 611 queries of ~3.8 ms in an 8 s ingest run).
   */
  async step(): Promise<boolean> {
    const { store, clock } = this.deps;
    if (!this.resumed) {
      if (!this.deps.topology.leasesNeeded) await store.webhooks.releaseLeases(this.deps.owner);
      this.resumed = true;
    }
    const now = clock.now();
    const webhooks = await this.list();
    // Read once per step, and only when some webhook is probed (a read on a shared database).
    let settled: Promise<bigint | undefined> | undefined;
    for (const webhook of webhooks) {
      if (this.active.has(webhook.id)) continue;
      if ((this.failing.get(webhook.id)?.until ?? 0) > now.getTime()) continue;
      if (webhook.next_attempt && webhook.next_attempt > now) continue;
      if (
        webhook.lease_owner &&
        webhook.lease_owner !== this.deps.owner &&
        (webhook.lease_until ?? now) > now
      ) {
        continue;
      }
      settled ??= store.events.settled();
      if ((await store.events.after(webhook.cursor, 1, await settled)).length === 0) continue;
      const task = this.deliver(webhook)
        .then(
          () => this.recovered(webhook.id),
          (error: unknown) => this.taskFailed(webhook.id, error),
        )
        .finally(() => {
          this.active.delete(webhook.id);
          // Its cursor, lease and backoff have moved on in the store.
          this.invalidate();
        });
      this.active.set(webhook.id, task);
    }
    await this.purge(webhooks, now);
    return false;
  }

  /** A delivery task failed: the webhook waits, longer at each failure in a row (up to 5 min). */
  private taskFailed(id: string, error: unknown): void {
    const failures = (this.failing.get(id)?.failures ?? 0) + 1;
    const waitMs = Math.min(MAX_BACKOFF_MS, this.deps.settings.backoffMs * 2 ** Math.min(failures - 1, 20));
    this.failing.set(id, { until: this.deps.clock.now().getTime() + waitMs, failures });
    this.deps.log.error({ err: error, webhook: id, failures, retry_ms: waitMs }, 'webhook delivery failed');
  }

  private recovered(id: string): void {
    const was = this.failing.get(id);
    if (was === undefined) return;
    this.failing.delete(id);
    this.deps.log.info({ webhook: id, failures: was.failures }, 'webhook delivery works again');
  }

  /** Waits for the deliveries in flight (each bounded by the attempt timeout). */
  async drain(): Promise<void> {
    await Promise.all(this.active.values());
  }

  private async deliver(initial: WebhookRecord): Promise<void> {
    const { store, clock, settings } = this.deps;
    const webhook = await this.claim(initial);
    if (!webhook) return;
    const headers: Record<string, string> = {};
    if (webhook.api_key_name !== undefined) headers[webhook.api_key_name] = webhook.api_key_value ?? '';
    const subscription = {
      events: webhook.events,
      filters: webhook.filters,
      // 8.2: an empty *_collected_by_ids means "collected by none" (7.0: nothing passes).
      emptyCollectedByMeansNone: webhook.api_version === '8.2',
    };
    // Its payloads are those of the API version it was created through, for life.
    const bodies = this.deps.bodies[webhook.api_version];
    /** The event parked since the last progress write (recorded with it). */
    let parked: ParkedEvent[] = [];
    let renewed = clock.now().getTime();
    /** Saves the progress and renews the lease; false when the lease was lost (delivery stops). */
    const progress = async (release = false): Promise<boolean> => {
      const held = await this.progress(webhook, parked, release);
      parked = [];
      renewed = clock.now().getTime();
      return held;
    };
    for (;;) {
      const events = await store.events.after(webhook.cursor, BATCH, await store.events.settled());
      const last = events.at(-1);
      // Disabled by a client, or suspended (its owner may no longer read): events are skipped.
      if (last !== undefined && (webhook.status === 'disabled' || (await this.suspended(webhook)))) {
        webhook.cursor = last.seq;
        webhook.attempts = 0;
        delete webhook.next_attempt;
        if (!(await progress())) return;
        if (events.length < BATCH) break;
        continue;
      }
      let failed = false;
      for (const event of events) {
        // A batch to a slow receiver can outlast the lease: it is renewed (with the progress so
        // far) before half of it has gone, and delivery stops if it was lost meanwhile.
        if (clock.now().getTime() - renewed >= this.leaseMs / 2 && !(await progress())) return;
        try {
          // Filtering and the body are the event's too: one that cannot be made (a payload the
          // renderer cannot shape) fails as an attempt, and is parked after the last, rather
          // than stopping this webhook's deliveries (store/followers/follower.failures.ts).
          if (!matches(subscription, event)) {
            webhook.cursor = event.seq;
            continue;
          }
          const body = bodies.render(event, webhook.filters);
          await postEvent(webhook.url, body, headers, this.deps.guard, settings.timeoutMs);
          webhook.cursor = event.seq;
          webhook.attempts = 0;
          delete webhook.last_error;
        } catch (error) {
          webhook.attempts++;
          webhook.last_error = failureReason(error);
          if (webhook.attempts < settings.maxAttempts) {
            webhook.next_attempt = new Date(clock.now().getTime() + this.backoff(webhook.attempts));
            failed = true;
            break;
          }
          parked.push({
            webhook_id: webhook.id,
            seq: event.seq,
            event_type: event.event_type,
            attempts: webhook.attempts,
            error: webhook.last_error,
            parked: clock.now(),
          });
          this.deps.log.warn(
            {
              webhook: webhook.id,
              event_type: event.event_type,
              seq: String(event.seq),
              error: webhook.last_error,
            },
            'webhook event parked after every retry failed',
          );
          webhook.cursor = event.seq;
          webhook.attempts = 0;
          // Recorded at once, with the cursor past it, before the next event goes out.
          if (!(await progress())) return;
        }
      }
      if (!failed) delete webhook.next_attempt;
      if (!(await progress())) return;
      if (failed || events.length < BATCH) break;
    }
    await progress(true);
  }

  /**
   * One progress write, in a transaction: the webhook is read again, and only while its lease is
   * still this process's and unexpired are its cursor, retry state and parked events saved and
   * the lease renewed (or, at the end, given up). Returns false when the lease was lost: another
   * replica delivers now, from the cursor last saved, so the events sent since are sent again
   * (at least once) and nothing of this pass is written.
   */
  private async progress(
    webhook: WebhookRecord,
    parked: readonly ParkedEvent[],
    release: boolean,
  ): Promise<boolean> {
    const { owner, store, clock } = this.deps;
    const held = await store.transaction(async (tx) => {
      const now = clock.now();
      const current = await tx.webhooks.get(webhook.id);
      if (!current || current.lease_owner !== owner || !(current.lease_until && current.lease_until > now)) {
        return false;
      }
      const saved: WebhookRecord = {
        ...webhook,
        lease_owner: owner,
        lease_until: new Date(now.getTime() + this.leaseMs),
      };
      if (release) {
        delete saved.lease_owner;
        delete saved.lease_until;
      }
      await tx.webhooks.saveDelivery(saved);
      for (const p of parked) await tx.webhooks.park(p);
      return true;
    });
    if (!held) {
      this.deps.log.warn(
        { webhook: webhook.id },
        'webhook delivery stopped: its lease went to another replica (which goes on from the last saved cursor), or the webhook is gone',
      );
    }
    return held;
  }

  /** Checks the owner may still read; records and logs a change either way. */
  private async suspended(webhook: WebhookRecord): Promise<boolean> {
    const reason = await this.deps.ownerRefusal?.(webhook);
    if (reason === undefined) {
      if (webhook.suspended === undefined) return false;
      this.deps.log.info({ webhook: webhook.id, owner: webhook.owner }, 'webhook deliveries resumed');
      if (webhook.last_error === suspensionError(webhook.suspended)) delete webhook.last_error;
      delete webhook.suspended;
      delete webhook.suspended_at;
      return false;
    }
    if (webhook.suspended !== reason) {
      this.deps.log.warn(
        { webhook: webhook.id, owner: webhook.owner, reason },
        'webhook deliveries suspended: its owner may no longer read; events are skipped',
      );
      webhook.suspended = reason;
      webhook.suspended_at = this.deps.clock.now();
      webhook.last_error = suspensionError(reason);
    }
    return true;
  }

  private async list(): Promise<readonly WebhookRecord[]> {
    const at = performance.now();
    if (at - this.listedAt >= this.deps.settings.relistMs) {
      this.webhooks = await this.deps.store.webhooks.list();
      this.listedAt = at;
    }
    return this.webhooks;
  }

  /** Takes the webhook's lease (replicas deliver each webhook from one place at a time). */
  private async claim(webhook: WebhookRecord): Promise<WebhookRecord | undefined> {
    const { owner } = this.deps;
    return this.deps.store.transaction(async (store) => {
      const now = this.deps.clock.now();
      const current = await store.webhooks.get(webhook.id);
      if (!current) return undefined;
      if (current.lease_owner && current.lease_owner !== owner && (current.lease_until ?? now) > now)
        return undefined;
      current.lease_owner = owner;
      current.lease_until = new Date(now.getTime() + this.leaseMs);
      await store.webhooks.saveDelivery(current);
      // Its deliveries begin: 8.2's `created` becomes `started` (a client's disable meanwhile wins).
      if (current.status === 'created') {
        await store.webhooks.markStarted(current.id);
        current.status = 'started';
      }
      return current;
    });
  }

  private backoff(attempts: number): number {
    const base = this.deps.settings.backoffMs * 2 ** Math.min(attempts - 1, 20);
    return Math.min(MAX_BACKOFF_MS, base * (0.5 + Math.random()));
  }

  /** Events every webhook has passed, older than the retention (kept for event streams), go. */
  private async purge(webhooks: readonly WebhookRecord[], now: Date): Promise<void> {
    if (now.getTime() - this.lastPurge < PURGE_EVERY_MS) return;
    this.lastPurge = now.getTime();
    const held = await this.deps.holdBack?.();
    const upTo = webhooks.reduce(
      // biome-ignore lint/complexity/useMathMinMax: bigints (Math.min takes numbers only)
      (min, w) => (w.cursor < min ? w.cursor : min),
      await this.deps.store.events.lastSeq(),
    );
    const bound = held !== undefined && held < upTo ? held : upTo;
    await this.deps.store.events.purge(bound, new Date(now.getTime() - this.deps.settings.retentionMs));
  }
}
