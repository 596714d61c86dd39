import type { Clock } from '../common/clock.ts';
import { NotFoundError, TamsError } from '../common/errors.ts';
import type { IdGenerator } from '../common/ids.ts';
import type { Pacer } from '../common/pacer.ts';
import type { UrlGuard } from '../common/url.guard.ts';
import type { WorkerLog } from '../common/worker.ts';
import type { TamsServices } from '../feature/feature.types.ts';
import type { MediaRegistry } from '../media/media.registry.ts';
import type { Profile } from '../profiles/profiles.schemas.ts';
import type { SegmentPostBody } from '../segments/segments.objects.ts';
import type { FailedSegment } from '../segments/segments.registration.ts';
import type { TamsStore } from '../store/store.ts';
import { envelopeOf, parseTimeRange, TimeRange } from '../time/index.ts';
import { type FollowBy, registerWebhook, unregisterWebhook } from './replication.events.ts';
import { type IdMap, type OriginFlow, putBodyOf, readSource, selectedFlows } from './replication.flows.ts';
import { ObjectCopier } from './replication.media.ts';
import type { ReplicationStats } from './replication.metrics.ts';
import { Origin, OriginError } from './replication.origin.ts';
import { type CarriedUrls, neededObjects, type OriginSegment, postBodyOf } from './replication.segments.ts';
import { type FlowCursor, type FlowLink, replicationFlows } from './store/replication.flows.repo.ts';
import type { JobCounts, JobState, ReplicationJob } from './store/replication.jobs.repo.ts';

export interface RunDeps {
  store: TamsStore;
  tams: TamsServices;
  media: MediaRegistry;
  clock: Clock;
  ids: IdGenerator;
  log: WorkerLog;
  guard: UrlGuard;
  pollMs: number;
  pageSize: number;
  copies: number;
  /** A run's pace: its writes give way to the clients this process serves (TAMS_REPLICATION_SHARE). */
  pace: () => Pacer;
  timeoutMs: number;
  stats: ReplicationStats;
  /** Where the origin delivers events to this server (webhooks). */
  publicUrl: () => string;
}

/** What a run did since it started: the worker adds it to the job's row. */
export interface RunProgress {
  state: JobState;
  counts: Record<keyof JobCounts, number>;
  version?: string;
  caughtUp?: Date;
  lagMs?: number;
  error?: { message: string; at: Date };
  retries: number;
  /** How the run follows the origin, once it does. */
  followBy?: FollowBy;
}

/** Flows' metadata and the selection are read again at most this often while following. */
const REPLAN_MS = 10_000;
const MAX_BACKOFF_MS = 60_000;
/** A pass cut short by an object another job is copying here is tried again this soon. */
const WAITING_MS = 500;
/**
 * Segments registered in one write while clients are about. A page's thousand in one write holds
 * the event loop for 100-230 ms (the DuckDB appender flushes synchronously; parsing and events
 * besides), which a reader's page waits for; a hundred hold it 10-25 ms, and the run rests
 * between two. With no client about the rest of the page goes in one write: ten writes of a
 * hundred cost twice the time of one of a thousand (2,132 segments/s against 4,473).
 */
const WRITE_SEGMENTS = 100;

/**
 * One replica's run of a replication job: asks the origin what it is, makes the selected Flows
 * and Sources here, copies each Flow's segments page by page from its cursor (the end of the
 * last segment copied, stored with every page: a run taking the job over goes on from there),
 * then follows. A failure of the origin or of a write is retried with backoff; a segment the
 * destination refuses is counted and reported, not retried.
 */
export class ReplicationRun {
  readonly progress: RunProgress = {
    state: 'connecting',
    counts: {
      segments_copied: 0,
      objects_copied: 0,
      bytes_copied: 0,
      segments_refused: 0,
      segments_deleted: 0,
      origin_requests: 0,
    },
    retries: 0,
  };
  finished = false;
  private stopping = false;
  private wake: (() => void) | undefined;
  private nudged = false;
  private readonly origin: Origin;
  private readonly copier: ObjectCopier;
  private readonly pacer: Pacer;
  private readonly links = new Map<string, FlowLink>();
  private flows: OriginFlow[] = [];
  private planned = 0;
  private connected = false;
  /** Flows here made read-only because the origin's are: opened again before a write. */
  private readonly readOnly = new Set<string>();
  /** Each Flow's distance behind the origin (ms) at its last look. */
  private readonly lags = new Map<string, number>();
  private readonly done: Promise<void>;

  constructor(
    private readonly deps: RunDeps,
    private readonly job: ReplicationJob,
  ) {
    this.origin = new Origin({
      base: job.origin_url,
      auth: job.auth,
      guard: deps.guard,
      timeoutMs: deps.timeoutMs,
      counted: () => this.progress.counts.origin_requests++,
    });
    this.copier = new ObjectCopier({
      origin: this.origin,
      media: deps.media,
      storage: deps.tams.storage,
      instances: deps.tams.instances,
      ...(job.storage_id !== undefined && { storageId: job.storage_id }),
      parallel: deps.copies,
    });
    this.pacer = deps.pace();
    this.done = this.loop();
  }

  /** An event from the origin: look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Ends the run after the page under way; `forget`: the job is deleted, its webhook removed. */
  async stop(forget = false): Promise<void> {
    this.stopping = true;
    this.wake?.();
    await this.done;
    const follow = this.progress.followBy;
    if (!forget || follow === undefined) return;
    await unregisterWebhook(this.origin, follow, this.deps.publicUrl(), this.job.id).catch((error: unknown) =>
      this.deps.log.warn(
        { job: this.job.id, err: error instanceof Error ? error.message : String(error) },
        "replication: the origin's webhook for a deleted job could not be removed",
      ),
    );
  }

  private async loop(): Promise<void> {
    const { deps, job } = this;
    let backoff = 1000;
    let linked = false;
    while (!this.stopping) {
      try {
        if (!linked) {
          for (const link of await this.readLinks()) this.links.set(link.origin_flow_id, link);
          linked = true;
        }
        if (!this.connected) {
          this.progress.state = 'connecting';
          this.progress.version = await this.origin.connect();
          this.connected = true;
        }
        const now = deps.clock.now().getTime();
        if (this.planned === 0 || this.nudged || now - this.planned >= Math.max(REPLAN_MS, deps.pollMs * 5)) {
          this.nudged = false;
          await this.plan();
          this.planned = now;
        }
        if (this.progress.caughtUp === undefined) this.progress.state = 'catching_up';
        let complete = true;
        for (const flow of this.flows) {
          if (this.stopping) break;
          complete = (await this.copyFlow(flow)) && complete;
        }
        if (this.stopping) break;
        // A Flow waiting for an object another job is copying here: on shortly, not done.
        if (!complete) {
          await this.pause(Math.min(deps.pollMs, WAITING_MS));
          continue;
        }
        this.progress.caughtUp ??= deps.clock.now();
        this.progress.lagMs = Math.max(0, ...this.lags.values());
        deps.stats.lags.set(job.id, this.progress.lagMs);
        backoff = 1000;
        if (!job.follow) {
          this.progress.state = 'done';
          break;
        }
        this.progress.followBy ??= await this.webhook();
        this.progress.state = 'following';
        await this.pause(deps.pollMs);
      } catch (error) {
        if (this.stopping) break;
        const message = error instanceof Error ? error.message : String(error);
        this.progress.error = { message, at: deps.clock.now() };
        this.progress.state = 'retrying';
        this.progress.retries++;
        deps.stats.failures++;
        deps.log.warn({ job: job.id, err: message }, 'replication: a pass failed, retried');
        // The origin away or restarting: its /service asked again (it may come back upgraded).
        if (error instanceof OriginError && (error.status === undefined || error.status >= 500))
          this.connected = false;
        await this.pause(backoff);
        backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
      }
    }
    deps.stats.lags.delete(job.id);
    this.finished = true;
  }

  private pause(ms: number): Promise<void> {
    if (this.stopping || this.nudged) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  /**
   * The origin's webhook for the job: the one a previous run registered when the origin still
   * has it (8.2 names it), else a new one; polling where there can be none.
   */
  private async webhook(): Promise<FollowBy> {
    const { job } = this;
    if (job.follow_by === 'webhook' && job.origin_webhook_id !== undefined) {
      const kept = await this.origin
        .json(`/service/webhooks/${job.origin_webhook_id}`)
        .then(() => true)
        .catch((error: unknown) => {
          if (error instanceof OriginError && error.status !== undefined && error.status < 500) return false;
          throw error;
        });
      if (kept) return { kind: 'webhook', id: job.origin_webhook_id };
    }
    const flowIds = this.flows.map((f) => f.id);
    return registerWebhook(this.origin, job, this.deps.publicUrl(), flowIds);
  }

  private readLinks(): Promise<FlowLink[]> {
    return replicationFlows(this.deps.store).ofJob(this.job.id);
  }

  /** Reads the selection at the origin; makes or updates each Flow and Source here. */
  private async plan(): Promise<void> {
    const { deps, job } = this;
    const flows = await selectedFlows(this.origin, job.select);
    for (const flow of flows) await this.link(flow);
    const ids = this.idMap();
    const failed = new Set<string>();
    // Twice: a Flow collecting others changes their metadata_version here as it did at the
    // origin; the second pass puts the origin's back (8.2 keeps a version given).
    for (const pass of [1, 2]) {
      if (pass === 2 && this.origin.version !== '8.2') break;
      for (const flow of flows) {
        const link = this.links.get(flow.id) as FlowLink;
        if (failed.has(flow.id)) continue;
        try {
          await this.syncFlow(flow, link, ids);
        } catch (error) {
          // What the origin gave that this store refuses (a TamsError: a 4xx here) fails the
          // Flow alone; a failure that passes (the database away) fails the pass, retried.
          if (!(error instanceof OriginError) && !(error instanceof TamsError)) throw error;
          failed.add(flow.id);
          await this.flowFailed(link, `Flow ${flow.id}: ${error.message}`);
        }
      }
    }
    const made = flows.filter((f) => !failed.has(f.id));
    await this.syncSources(made);
    const selected = new Set(flows.map((f) => f.id));
    for (const link of this.links.values()) {
      if (!selected.has(link.origin_flow_id) && !link.gone) await this.flowGone(link);
    }
    this.flows = made;
    deps.log.info({ job: job.id, flows: made.length }, 'replication: flows planned');
  }

  /** The job's link for an origin Flow, made (its id here chosen) when new. */
  private async link(flow: OriginFlow): Promise<void> {
    const { deps, job } = this;
    if (this.links.has(flow.id)) return;
    const keep = job.ids === 'keep';
    const flowId = keep ? flow.id : deps.ids.uuid();
    const sibling = [...this.links.values()].find((l) => l.origin_source_id === flow.source_id);
    const sourceId = keep ? flow.source_id : (sibling?.source_id ?? deps.ids.uuid());
    const link: FlowLink = {
      job_id: job.id,
      origin_flow_id: flow.id,
      flow_id: flowId,
      origin_source_id: flow.source_id,
      source_id: sourceId,
      segments: 0n,
      gone: false,
      updated: deps.clock.now(),
    };
    await deps.store.transaction(async (tx) => {
      const other = await replicationFlows(tx).writing(flowId);
      if (other !== undefined && other.job_id !== job.id)
        throw new OriginError(`Flow ${flowId} is already written by replication job ${other.job_id}`);
      await replicationFlows(tx).insert(link);
    });
    this.links.set(flow.id, link);
  }

  private idMap(): IdMap {
    const flows = new Map<string, string>();
    const sources = new Map<string, string>();
    for (const l of this.links.values()) {
      flows.set(l.origin_flow_id, l.flow_id);
      if (l.origin_source_id !== undefined && l.source_id !== undefined)
        sources.set(l.origin_source_id, l.source_id);
    }
    return { flow: (id) => flows.get(id), source: (id) => sources.get(id) ?? id };
  }

  /** PUTs the Flow here when it is new or the origin's metadata_version changed. */
  private async syncFlow(flow: OriginFlow, link: FlowLink, ids: IdMap): Promise<void> {
    const { tams, store } = this.deps;
    const here = await store.flows.get(link.flow_id);
    const version = this.origin.version;
    // 8.2 keeps the origin's metadata_version here: the Flow is the same while they agree. A 7.0
    // origin's cannot be kept: the version last copied is compared.
    const copied = version === '8.2' ? here?.metadata_version : link.metadata_version;
    if (here && copied !== undefined && copied === flow.metadata_version) {
      if (here.read_only) this.readOnly.add(link.flow_id);
      return;
    }
    // A Flow made from a Profile is put as one (the Profile's technical metadata left to it).
    const fromProfile = typeof flow.profile_id === 'string' ? await this.syncProfile(flow.profile_id) : [];
    const body = putBodyOf(flow, version, ids, fromProfile);
    if (here?.read_only) await this.setReadOnly(link.flow_id, false);
    await tams.flows.put(link.flow_id, body, undefined, version, { keepVersion: version === '8.2' });
    if (flow.read_only === true) this.readOnly.add(link.flow_id);
    if (flow.metadata_version !== undefined) link.metadata_version = flow.metadata_version;
    delete link.last_error;
    link.gone = false;
    await this.saveLink(link);
  }

  /**
   * The Profile an 8.2 Flow names (its technical metadata's origin, ADR 0047), made here as the
   * origin has it when this store has none of that id: Profiles never change, so one of the same
   * id is the same Profile. Answers the fields its Flows take from it.
   */
  private async syncProfile(id: string): Promise<string[]> {
    const { tams } = this.deps;
    const here = await tams.profiles.get(id).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (here !== undefined) return Object.keys(here.flow_metadata);
    const { body } = await this.origin.json<Profile & Record<string, unknown>>(`/service/profiles/${id}`);
    const { created: _created, ...given } = body;
    const made = await tams.profiles.create(id, given as Profile & Record<string, unknown>, undefined);
    return Object.keys(made.flow_metadata);
  }

  /** Label, description and tags of the Sources of the Flows made (their other fields are derived). */
  private async syncSources(flows: readonly OriginFlow[]): Promise<void> {
    const { tams } = this.deps;
    const ids = this.idMap();
    for (const originId of new Set(flows.map((f) => f.source_id))) {
      const source = await readSource(this.origin, originId);
      if (source === undefined) continue;
      const id = ids.source(originId);
      const here = await tams.sources.getRecord(id);
      const tags = source.tags ?? {};
      if (
        here.label === source.label &&
        here.description === source.description &&
        JSON.stringify(here.tags) === JSON.stringify(tags)
      )
        continue;
      await tams.sources.update(id, undefined, (s) => {
        s.label = source.label;
        s.description = source.description;
        s.tags = tags;
      });
    }
  }

  /**
   * Copies the Flow's segments after its cursor, page by page, following the origin's paging
   * keys. False when it stopped short: a page waits for an object another job is copying.
   */
  private async copyFlow(flow: OriginFlow): Promise<boolean> {
    const { deps } = this;
    const link = this.links.get(flow.id) as FlowLink;
    if (this.job.mirror_deletions) await this.mirrorHead(flow, link);
    // The time since the last write (a poll's wait) is not the run's.
    this.pacer.begin();
    let from = link.cursor;
    let page: string | undefined;
    while (!this.stopping) {
      const query = {
        timerange: after(from),
        limit: String(deps.pageSize),
        // 8.2 gives an object's own timerange only when asked (ADR 0036).
        ...(this.origin.version === '8.2' && { include_object_timerange: 'true' }),
        page,
      };
      let answer: Awaited<ReturnType<Origin['json']>>;
      try {
        answer = await this.origin.json<OriginSegment[]>(`/flows/${flow.id}/segments`, query);
      } catch (error) {
        if (error instanceof OriginError && error.status === 404) {
          await this.flowGone(link);
          return true;
        }
        throw error;
      }
      const items = answer.body as OriginSegment[];
      // A page cut short (an object another job is still copying here): on at the next pass.
      if (items.length > 0 && !(await this.registerPage(flow, link, items))) return this.stopping;
      if (this.stopping) return true;
      this.lags.set(flow.id, lagOf(flow, link));
      if (answer.next !== undefined) {
        page = answer.next;
        continue;
      }
      // A full page and no paging key: an origin that does not give them; on from the cursor,
      // as long as it moves (a page of segments without an end would ask for itself again).
      if (items.length < deps.pageSize || link.cursor?.end === from?.end) break;
      from = link.cursor;
      page = undefined;
    }
    this.lags.set(flow.id, 0);
    if (flow.read_only === true && !this.readOnly.has(link.flow_id))
      await this.setReadOnly(link.flow_id, true);
    return true;
  }

  /** Registers a page of origin segments here (their objects first), and moves the cursor past it. */
  private async registerPage(
    flow: OriginFlow,
    link: FlowLink,
    items: readonly OriginSegment[],
  ): Promise<boolean> {
    const { deps, job } = this;
    const counts = this.progress.counts;
    const tally = await this.copier.ensure(
      link.flow_id,
      neededObjects(items, job.media),
      () => this.stopping,
    );
    counts.objects_copied += tally.objects;
    counts.bytes_copied += tally.bytes;
    deps.stats.objects += tally.objects;
    deps.stats.bytes += tally.bytes;
    // Stopped among the page's copies: its segments wait for the next run, which finds the
    // objects copied already and copies the rest.
    if (this.stopping) return false;
    if (this.readOnly.has(link.flow_id)) await this.setReadOnly(link.flow_id, false);
    const host = new URL(job.origin_url).host;
    // By reference, an object this store holds already (another Flow's, another job's) keeps
    // its instances: the page names it, as a client re-using an object does.
    const known =
      job.media === 'reference'
        ? await deps.store.objects.getMany([...new Set(items.map((s) => s.object_id))])
        : new Map();
    const carried = (id: string): CarriedUrls =>
      job.media === 'copy' ? 'none' : known.get(id)?.registered ? 'lasting' : 'all';
    const bodies = items.map((s) => postBodyOf(s, carried(s.object_id), host));
    let failures = await this.registerPaced(link.flow_id, bodies);
    if (failures.length > 0 && job.media === 'reference')
      failures = await this.reuseObjects(link, items, failures, host);
    let refused = failures.length === 0 ? [] : await this.notHere(link.flow_id, failures);
    // An object another job is copying here (allocated for its Flow, not registered yet) is
    // refused for now: the page ends before it, and the next pass asks for it again.
    const waiting = await this.waitingObjects(link.flow_id, refused);
    const cut = waiting.size === 0 ? items.length : items.findIndex((s) => waiting.has(s.object_id));
    const kept = items.slice(0, cut);
    if (cut < items.length) {
      const before = new Set(kept.map((s) => `${s.object_id} ${s.timerange}`));
      refused = refused.filter((f) => before.has(`${f.object_id} ${f.timerange ?? ''}`));
    }
    // Counted whole: segments after the cut registered now are found here at the next pass.
    const registered = items.length - failures.length;
    counts.segments_copied += registered;
    counts.segments_refused += refused.length;
    deps.stats.segments += registered;
    deps.stats.refused += refused.length;
    const first = refused[0];
    if (first !== undefined) {
      const why = `Flow ${flow.id}: ${refused.length} segment(s) refused here, first ${first.timerange ?? first.object_id}: ${first.error?.summary ?? 'refused'}`;
      link.last_error = why;
      this.progress.error = { message: why, at: deps.clock.now() };
    }
    const last = kept[kept.length - 1];
    const range = last === undefined ? undefined : parseTimeRange(last.timerange);
    if (range?.end != null) link.cursor = { end: range.end, inclusive: range.endInclusive };
    link.segments += BigInt(registered);
    await this.saveLink(link);
    return cut === items.length;
  }

  /** Registers the bodies, in writes of WRITE_SEGMENTS resting between them while clients are about; the refusals. */
  private async registerPaced(flowId: string, bodies: readonly SegmentPostBody[]): Promise<FailedSegment[]> {
    const failures: FailedSegment[] = [];
    // The page is written whole, also when the run is stopping (its cursor moves past it), only
    // without rests then.
    for (let i = 0; i < bodies.length; ) {
      const size = this.pacer.yielding() ? WRITE_SEGMENTS : bodies.length - i;
      const part = bodies.slice(i, i + size);
      i += size;
      failures.push(...(await this.deps.tams.segments.register(flowId, part, '8.2')));
      if (this.stopping) continue;
      const rested = this.pacer.rested;
      await this.pacer.between();
      this.deps.stats.restedMs += this.pacer.rested - rested;
    }
    return failures;
  }

  /** The refused segments' objects that another Flow here is still writing (their ids). */
  private async waitingObjects(flowId: string, refused: readonly FailedSegment[]): Promise<Set<string>> {
    if (refused.length === 0) return new Set();
    const objects = await this.deps.store.objects.getMany([...new Set(refused.map((f) => f.object_id))]);
    const waiting = new Set<string>();
    for (const [id, o] of objects)
      if (!o.registered && o.allocated_for !== undefined && o.allocated_for !== flowId) waiting.add(id);
    return waiting;
  }

  /**
   * By reference, segments refused because their object became this store's meanwhile (another
   * job registered it between this page's look and its write: a presigned URL of the origin's,
   * signed afresh, is then another URL under a label the object has): registered again with the
   * origin's lasting URLs alone, as an object known at the look is, and failing that naming the
   * object alone. Answers what is still refused.
   */
  private async reuseObjects(
    link: FlowLink,
    items: readonly OriginSegment[],
    failures: FailedSegment[],
    host: string,
  ): Promise<FailedSegment[]> {
    const { deps } = this;
    const key = (objectId: string, timerange: string | undefined) => `${objectId} ${timerange ?? ''}`;
    let failed = new Set(failures.map((f) => key(f.object_id, f.timerange)));
    const objects = await deps.store.objects.getMany([...new Set(failures.map((f) => f.object_id))]);
    const retried = items.filter(
      (s) => failed.has(key(s.object_id, s.timerange)) && objects.get(s.object_id)?.registered,
    );
    if (retried.length === 0) return failures;
    let again = retried.map((s) => postBodyOf(s, 'lasting', host));
    for (const tries of ['lasting', 'bare'] as const) {
      if (tries === 'bare') again = again.filter((b) => failed.has(key(b.object_id, b.timerange)));
      if (again.length === 0) break;
      const bodies = tries === 'bare' ? again.map(({ get_urls: _urls, ...rest }) => rest) : again;
      const still = await deps.tams.segments.register(link.flow_id, bodies, '8.2');
      failed = new Set(still.map((f) => key(f.object_id, f.timerange)));
    }
    const reused = new Set(retried.map((s) => key(s.object_id, s.timerange)));
    return failures.filter(
      (f) => !reused.has(key(f.object_id, f.timerange)) || failed.has(key(f.object_id, f.timerange)),
    );
  }

  /**
   * The refusals that are not segments already here (the same object at the same timerange: a
   * page registered before a crash let its cursor be saved): those are reported.
   */
  private async notHere(flowId: string, failures: readonly FailedSegment[]): Promise<FailedSegment[]> {
    const ranges = failures.flatMap((f) => (f.timerange === undefined ? [] : [parseTimeRange(f.timerange)]));
    if (ranges.length === 0) return [...failures];
    const page = await this.deps.store.segments.page(flowId, envelopeOf(ranges), {
      reverse: false,
      limit: failures.length * 2 + 10,
    });
    const here = new Set(page.items.map((s) => `${s.object_id} ${s.timerange.toString()}`));
    return failures.filter(
      (f) =>
        f.timerange === undefined || !here.has(`${f.object_id} ${parseTimeRange(f.timerange).toString()}`),
    );
  }

  /**
   * Deletions at the head of the origin's Flow (a loop recorder's, a retention policy's): what
   * lies here wholly before the origin's first segment is deleted (mirror_deletions).
   */
  private async mirrorHead(flow: OriginFlow, link: FlowLink): Promise<void> {
    const { deps } = this;
    const origin = flow.timerange === undefined ? undefined : parseTimeRange(flow.timerange);
    if (origin === undefined || link.cursor === undefined) return;
    const cut = origin.isEmpty() ? link.cursor.end : origin.start;
    if (cut === null) return;
    const range = TimeRange.from(null, cut, { endInclusive: origin.isEmpty() && link.cursor.inclusive });
    const doomed = await deps.store.segments.page(link.flow_id, range, { reverse: false, limit: 100_000 });
    const whole = doomed.items.filter((s) => range.contains(s.timerange));
    if (whole.length === 0) return;
    await deps.tams.segments.delete(link.flow_id, range, undefined, this.job.created_by);
    this.progress.counts.segments_deleted += whole.length;
  }

  /** The origin no longer has the Flow (or it left the selection): deleted here when mirrored. */
  private async flowGone(link: FlowLink): Promise<void> {
    const { deps, job } = this;
    if (link.gone) return;
    const exists = await this.origin
      .json(`/flows/${link.origin_flow_id}`)
      .then(() => true)
      .catch((error: unknown) => {
        if (error instanceof OriginError && error.status === 404) return false;
        throw error;
      });
    if (exists) return;
    link.gone = true;
    if (job.mirror_deletions && (await deps.store.flows.get(link.flow_id))) {
      await deps.tams.flows.delete(link.flow_id, job.created_by);
    }
    this.flows = this.flows.filter((f) => f.id !== link.origin_flow_id);
    this.lags.delete(link.origin_flow_id);
    await this.saveLink(link);
  }

  private async flowFailed(link: FlowLink, why: string): Promise<void> {
    link.last_error = why;
    this.progress.error = { message: why, at: this.deps.clock.now() };
    await this.saveLink(link);
  }

  private async setReadOnly(flowId: string, readOnly: boolean): Promise<void> {
    await this.deps.tams.flows.update(
      flowId,
      undefined,
      (f) => {
        f.read_only = readOnly;
      },
      { allowReadOnly: true, keepVersion: true },
    );
    if (readOnly) this.readOnly.add(flowId);
    else this.readOnly.delete(flowId);
  }

  private async saveLink(link: FlowLink): Promise<void> {
    link.updated = this.deps.clock.now();
    await replicationFlows(this.deps.store).save(link);
  }
}

/** The timerange query after a cursor: from the end of the last segment copied on. */
function after(cursor: FlowCursor | undefined): string | undefined {
  if (cursor === undefined) return undefined;
  return TimeRange.from(cursor.end, null, { startInclusive: !cursor.inclusive }).toString();
}

/** How far (ms) the copy stands behind the origin's newest segment, as the Flow was read. */
function lagOf(flow: OriginFlow, link: FlowLink): number {
  if (flow.timerange === undefined || link.cursor === undefined) return 0;
  const range = parseTimeRange(flow.timerange);
  if (range.isEmpty() || range.end === null) return 0;
  return Math.max(0, Number((range.end - link.cursor.end) / 1_000_000n));
}
