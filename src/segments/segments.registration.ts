import { Batcher } from '../common/batcher.ts';
import type { Clock } from '../common/clock.ts';
import { settleAll } from '../common/settle.ts';
import { EventLog } from '../events/events.log.ts';
import { requireContainer, usesInitSegments, writableFlow } from '../flows/flows.guards.ts';
import type { InstanceRecord } from '../store/objects/instances.types.ts';
import type { NewRefs, ObjectLookup, ObjectRecord } from '../store/objects.repo.ts';
import type { SegmentRecord } from '../store/segments.repo.ts';
import type { CollectorsGuess } from '../store/sources.repo.ts';
import type { StoreTx, TamsStore } from '../store/store.ts';
import type { FlowRecord } from '../store/store.types.ts';
import { TimeFormatError, type TimeRange } from '../time/index.ts';
import { allocatingFlows, checkContentType } from './segments.content.ts';
import { type EventSegment, recordSegmentsAdded } from './segments.events.ts';
import { initObjectPlaces } from './segments.init.ts';
import { instanceUrls, NewInstances } from './segments.instances.ts';
import {
  checkReuse,
  firstUseTimes,
  initObjectOf,
  keepObjectTimerange,
  type RegistrationVersion,
  type SegmentPostBody,
} from './segments.objects.ts';
import {
  checkObject,
  parseSegment,
  SegmentRejection,
  type SegmentUrlRules,
  Timeline,
} from './segments.register.ts';
import type { FlowSegmentBulkFailure } from './segments.schemas.ts';
import type { SegmentStorage } from './segments.urls.ts';

export type FailedSegment = FlowSegmentBulkFailure['failed_segments'][number];

/** One POST segments request. */
export interface RegistrationJob {
  flowId: string;
  segments: readonly SegmentPostBody[];
  /** The API version it came through (default 7.0): segments.objects.ts. */
  version?: RegistrationVersion;
}

/** Registration requests per transaction, at most (a request of many segments counts as one). */
const REGISTRATION_BATCH = 256;

/**
 * The owner of POST segments' transactions (group commit): requests that arrive while a batch is
 * being registered wait and go together in the next one (Batcher), each batch in one transaction
 * of the store's (registerJobs), run again where its commit loses to another replica's.
 */
export class Registrar {
  private readonly batcher: Batcher<RegistrationJob, FailedSegment[]>;

  constructor(private readonly deps: { store: TamsStore; clock: Clock; urls: SegmentUrlRules }) {
    this.batcher = new Batcher(this.registerBatch, REGISTRATION_BATCH);
  }

  /** The job's failed segments once its batch committed; a Flow's error (missing, read-only) thrown. */
  register(job: RegistrationJob): Promise<FailedSegment[]> {
    return this.batcher.submit(job);
  }

  /** One batch, in one transaction: what the Batcher runs. */
  private readonly registerBatch = (jobs: readonly RegistrationJob[]) => {
    const { store, clock, urls } = this.deps;
    return store.transaction((tx) => registerJobs(tx, jobs, urls, clock.now()));
  };
}

interface Candidate {
  job: number;
  body: SegmentPostBody;
  segment: SegmentRecord;
}

/**
 * Registers the segments of many POST requests in the caller's one transaction (group commit):
 * each job is checked on its own, in order, as if alone (a Flow missing, read-only or without a
 * container fails that job; a refused segment is reported in its job's failures), then everything
 * accepted is written with a handful of statements whatever the number of jobs and Flows.
 */
async function registerJobs(
  store: StoreTx,
  jobs: readonly RegistrationJob[],
  urls: SegmentUrlRules,
  now: Date,
): Promise<(FailedSegment[] | Error)[]> {
  const results: (FailedSegment[] | Error)[] = jobs.map(() => []);
  const fail = (job: number, body: SegmentPostBody, error: unknown) => {
    if (!(error instanceof SegmentRejection || error instanceof TimeFormatError)) throw error;
    (results[job] as FailedSegment[]).push({
      object_id: body.object_id,
      timerange: body.timerange,
      error: { type: 'BadRequest', summary: error.message, time: now.toISOString() },
    });
  };

  // Every segment parsed first (that needs only the Flow's id), then everything the checks need
  // read at once, one read per table for the whole batch whatever its number of jobs and Flows
  // (on a remote engine each read is a round trip): the Flows' rows, their segments around the
  // ranges being registered, the objects.
  const parsed: Candidate[] = [];
  for (const [i, job] of jobs.entries()) {
    for (const body of job.segments) {
      try {
        parsed.push({
          job: i,
          body,
          segment: parseSegment(
            job.flowId,
            body,
            urls,
            job.version === '8.2' ? body.init_object_id : undefined,
          ),
        });
      } catch (error) {
        fail(i, body, error);
      }
    }
  }
  const spans = new Map<string, TimeRange>();
  for (const { segment } of parsed) {
    const span = spans.get(segment.flow_id);
    spans.set(segment.flow_id, span ? span.envelope(segment.timerange) : segment.timerange);
  }
  // The events' filter fields, read beside them when the Flows' Sources are known from before.
  const guess = store.sources.guessEventCollectors([...new Set(jobs.map((j) => j.flowId))]);
  // The instances of objects given get_urls (registration adds them to the object's), read
  // beside the rest: most registrations give none, and read none.
  const withUrls = parsed
    .filter((c) => (c.segment.get_urls?.length ?? 0) > 0)
    .map((c) => c.segment.object_id);
  const [flows, existing, found, stored] = await Promise.all([
    store.flows.rows(jobs.map((j) => j.flowId)),
    store.segments.overlappingMany(spans),
    store.objects.lookup(objectIdsOf(parsed, jobs)),
    withUrls.length > 0 ? store.instances.among(withUrls) : new Map(),
  ]);
  const { objects, refCounts } = await withInitObjects(store, found);
  const allocators = await allocatingFlows(
    store,
    parsed.map((c) => ({
      version: jobs[c.job]?.version ?? '7.0',
      flowId: c.segment.flow_id,
      object: objects.get(c.segment.object_id),
    })),
    flows,
  );
  const instances = new NewInstances(stored, now);
  // Re-used objects may have instances (URLs other segments gave, copies): the events list them,
  // as GET does. Read beside the events' other reads (no round trip more), only for batches
  // that re-use objects (edits), and with the store's cache only for objects that have some.
  const given = new Set(withUrls);
  const reused = [...new Set(parsed.map((c) => c.segment.object_id))].filter(
    (id) => !given.has(id) && objects.get(id)?.registered === true,
  );
  // Each job as if alone: a Flow missing, read-only or without a container fails it.
  for (const [i, job] of jobs.entries()) {
    try {
      requireContainer(writableFlow(flows.get(job.flowId), job.flowId));
    } catch (error) {
      results[i] = error as Error;
    }
  }
  const candidates = parsed.filter((c) => !(results[c.job] instanceof Error));

  // Each Flow's timeline around the segments being registered: what exists, plus what this
  // batch accepts as it goes (so jobs of one Flow see each other, in order).
  const timelines = new Map<string, Timeline>();
  for (const flowId of new Set(candidates.map((c) => c.segment.flow_id))) {
    timelines.set(flowId, new Timeline(existing.get(flowId) ?? []));
  }
  const unused = new Set([...objects.values()].filter((o) => !o.registered).map((o) => o.id));

  const accepted: SegmentRecord[] = [];
  /** Flows whose segments may now use objects with instances (re-use, get_urls): flows.instances. */
  const instanced = new Set<string>();
  /** Objects used before that get instances here: the other Flows using them are marked too. */
  const reusedWithUrls = new Set<string>();
  const external = new Map<string, ObjectRecord>();
  /**
   * Re-used objects whose location the segments copy: a copy may take its place meanwhile
   * (objects/objects.promote.ts, under the object's instances guard), so the guard is claimed
   * here too and one of the two transactions runs again, seeing the other's rows.
   */
  const relocatable = new Set<string>();
  /** Objects used for the first time in this batch -> the Flow that used them first. */
  const firsts = new Map<string, string>();
  /** The same for init objects (of the media objects registered). */
  const initFirsts = new Map<string, string>();
  /** The init objects of the segments accepted -> where each is (their events' init_object). */
  const inits = new Map<string, SegmentStorage | undefined>();
  for (const { job, body, segment } of candidates) {
    try {
      const version = jobs[job]?.version ?? '7.0';
      const object = objects.get(segment.object_id);
      const kind = checkObject(segment.flow_id, segment, object);
      const first = kind === 'external' || !object?.registered;
      const flow = flows.get(segment.flow_id) as FlowRecord;
      checkContentType(version, flow, object, allocators);
      const initFlow = { id: flow.id, initSegments: usesInitSegments(flow) };
      const init = initObjectOf(version, initFlow, segment, body, object, (id) => objects.get(id));
      const firstTimes = first ? firstUseTimes(version, segment, body) : undefined;
      const objectRange = first ? firstTimes?.timerange : checkReuse(version, segment, body, object);
      const urls = instances.check(version, segment);
      (timelines.get(segment.flow_id) as Timeline).add(segment.timerange);
      if (init !== undefined) {
        segment.init_object_id = init;
        if (firstTimes) firstTimes.init_object_id = init;
        // Used from now on, as an init object: later jobs see it so (a media object it cannot be).
        const initObject = objects.get(init);
        inits.set(init, storageOf(initObject));
        if (initObject !== undefined && !initObject.registered) initFirsts.set(init, segment.flow_id);
        if (initObject !== undefined && initObject.init !== true) {
          objects.set(init, { ...initObject, registered: true, init: true });
        }
      }
      instances.add(segment.object_id, urls);
      if (!first || (segment.get_urls?.length ?? 0) > 0) instanced.add(segment.flow_id);
      if (!first && urls.length > 0) reusedWithUrls.add(segment.object_id);
      // A new object's default timerange is the segment's own: nothing to keep on the segment.
      if (!first || body.object_timerange !== undefined) keepObjectTimerange(segment, objectRange);
      if (kind === 'external') {
        const record: ObjectRecord = { id: segment.object_id, created: now, registered: true };
        external.set(record.id, record);
        objects.set(record.id, { ...record, times: firstTimes });
        firsts.set(record.id, segment.flow_id);
      } else if (object && !object.registered) {
        // Used from now on: later jobs of this batch see an existing object (reuse), as they
        // would had they come after this one.
        firsts.set(object.id, segment.flow_id);
        objects.set(object.id, { ...object, registered: true, times: firstTimes });
      }
      const storage = storageOf(object);
      if (storage !== undefined) {
        segment.storage = storage;
        if (!first) relocatable.add(object.id);
      }
      accepted.push(segment);
    } catch (error) {
      fail(job, body, error);
    }
  }
  if (accepted.length === 0) return results;

  const refs = new Map<string, NewRefs>();
  const addedSpans = new Map<string, TimeRange>();
  const added = new Map<string, SegmentRecord[]>();
  for (const s of accepted) {
    const key = `${s.flow_id}\n${s.object_id}`;
    const ref = refs.get(key);
    if (ref) ref.segments++;
    else {
      const first = firsts.get(s.object_id) === s.flow_id;
      refs.set(key, {
        objectId: s.object_id,
        flowId: s.flow_id,
        segments: 1,
        first,
        // What its first segment set (the batch's objects carry it from the loop above).
        times: first ? objects.get(s.object_id)?.times : undefined,
      });
    }
    if (s.init_object_id !== undefined) addInitRef(refs, s, initFirsts);
    addedSpans.set(s.flow_id, (addedSpans.get(s.flow_id) ?? s.timerange).envelope(s.timerange));
    const list = added.get(s.flow_id);
    if (list) list.push(s);
    else added.set(s.flow_id, [s]);
  }
  // The writes depend on nothing but what was read above, so they go side by side (one round
  // trip on a remote engine), the events beside them once their filter fields are read.
  await settleAll([
    store.segments.insertMany(accepted),
    store.objects.insertMany([...external.values()]),
    store.instances.insert(instances.records()),
    store.instances.markFlows([...instanced]),
    store.instances.markUsers([...reusedWithUrls]),
    // New object rows: two replicas registering one new external object id make one row.
    store.guards.claim([
      ...[...external.keys()].map((id) => `object:${id}`),
      ...[...relocatable].map((id) => `instances:${id}`),
    ]),
    store.objects.addRefs([...refs.values()], new Set([...firsts.keys(), ...initFirsts.keys()]), refCounts),
    store.objects.registered(
      [...firsts.keys(), ...initFirsts.keys()].filter((id) => unused.has(id)),
      now,
    ),
    store.flows.setSegmentsStates(
      [...addedSpans].map(([id, span]) => ({
        id,
        range: (flows.get(id) as FlowRecord).timerange.envelope(span),
        updated: now,
      })),
    ),
    recordEvents(
      store,
      now,
      [...added.keys()].map((id) => flows.get(id) as FlowRecord),
      added,
      firsts,
      guess,
      { batch: instances, reused, inits },
    ),
  ]);
  return results;
}

function storageOf(object: ObjectRecord | undefined): SegmentStorage | undefined {
  return object?.storage_id !== undefined && object.storage_path !== undefined
    ? { id: object.storage_id, path: object.storage_path }
    : undefined;
}

/**
 * The objects a batch reads: the segments' objects, and the init objects 8.2 bodies name (a
 * 7.0 body's `init_object_id` is not 7.0's, and is ignored).
 */
function objectIdsOf(parsed: readonly Candidate[], jobs: readonly RegistrationJob[]): string[] {
  const ids = new Set<string>();
  for (const { job, body, segment } of parsed) {
    ids.add(segment.object_id);
    if (jobs[job]?.version === '8.2' && body.init_object_id !== undefined) ids.add(body.init_object_id);
  }
  return [...ids];
}

/**
 * The lookup, with the init objects of the objects found that it lacks (re-used objects whose
 * bodies do not name theirs): their reference counts are needed to count the new segments. One
 * more read, only for batches that re-use objects having init objects.
 */
async function withInitObjects(store: StoreTx, found: ObjectLookup): Promise<ObjectLookup> {
  const missing = new Set<string>();
  for (const o of found.objects.values()) {
    const init = o.times?.init_object_id;
    if (init !== undefined && !found.objects.has(init)) missing.add(init);
  }
  if (missing.size === 0) return found;
  const more = await store.objects.lookup([...missing]);
  return {
    objects: new Map([...found.objects, ...more.objects]),
    refCounts: new Map([...found.refCounts, ...more.refCounts]),
  };
}

/**
 * A segment's reference to its object's init object: counted per Flow as its object is, so the
 * init object is used while one such segment is left (ADR 0045: objects go once no segment or
 * other object references them), and its Flows are its `referenced_by_flows`.
 */
function addInitRef(refs: Map<string, NewRefs>, s: SegmentRecord, initFirsts: ReadonlyMap<string, string>) {
  const id = s.init_object_id as string;
  const key = `${s.flow_id}\n${id}`;
  const ref = refs.get(key);
  if (ref) ref.segments++;
  else
    refs.set(key, {
      objectId: id,
      flowId: s.flow_id,
      segments: 1,
      first: initFirsts.get(id) === s.flow_id,
      init: true,
    });
}

/**
 * flows/segments_added for each Flow, with the events' filter fields (collected_by of each Flow
 * and its Source) read for all the Flows at once; nothing else of the Flows is read for them.
 */
async function recordEvents(
  store: StoreTx,
  now: Date,
  changed: readonly FlowRecord[],
  added: ReadonlyMap<string, SegmentRecord[]>,
  firsts: ReadonlyMap<string, string>,
  guess: CollectorsGuess | undefined,
  instances: {
    batch: NewInstances;
    reused: readonly string[];
    inits: ReadonlyMap<string, SegmentStorage | undefined>;
  },
): Promise<void> {
  // The init objects' instances (8.2's init_object lists their URLs as GET does) in the same
  // read as the re-used objects': a batch naming init objects reads them beside the collectors
  // (with the store's cache, only for init objects that have some).
  const among = [...instances.reused, ...instances.inits.keys()];
  const [collectors, more] = await Promise.all([
    store.sources.eventCollectors(changed, guess),
    among.length > 0 ? store.instances.among(among) : new Map<string, InstanceRecord[]>(),
  ]);
  const initPlaces = new Map(
    [...instances.inits].map(([id, at]) => [id, initObjectPlaces(at, more.get(id) ?? [])]),
  );
  // Each segment with its object's instances as GET then lists them (EventSegment), and where
  // its init object is.
  const withInstances = (s: SegmentRecord): EventSegment => {
    const own = more.get(s.object_id) ?? instances.batch.all(s.object_id);
    const init = s.init_object_id === undefined ? undefined : initPlaces.get(s.init_object_id);
    if (own.length === 0 && init === undefined) return s;
    const event: EventSegment = own.length === 0 ? { ...s } : { ...s, ...instanceUrls(own) };
    if (init !== undefined) event.init_places = init;
    return event;
  };
  const events = new EventLog(store, now);
  events.knowSources(collectors.sources);
  for (const flow of changed) {
    const withCollectors = { ...flow, collected_by: collectors.flows.get(flow.id) ?? [] };
    const segments = (added.get(flow.id) as SegmentRecord[]).map(withInstances);
    await recordSegmentsAdded(events, withCollectors, segments, firsts);
  }
  await events.flush();
}
