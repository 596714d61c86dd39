/**
 * A replication job by copy on three tams-server processes sharing one real PostgreSQL database
 * (and one media directory, as postgres.replicas.test.ts), from an origin that is another
 * tams-server process on its own DuckDB file, reached through a counting proxy in this process
 * (replication.proxy.ts): the origin's TAMS_PUBLIC_URL is the proxy's, so the media URLs it hands
 * out are fetched through the proxy too, and every media GET is counted.
 *
 * The origin holds the replication fixture's multi Flow with its video and audio Flows
 * (test/replication/replication.fixture.ts: every segment field, objects of 4-8 KB, objects
 * shared by two segments), a few hundred segments. The replica running the job is killed with
 * SIGKILL mid-copy; another takes the job over once its lease lapses and finishes the catch-up
 * from the Flows' cursors. While the job follows, segments keep coming at the origin, which is
 * killed and started again on the same port and data directory; more segments come after. In
 * the end the destination holds exactly the origin's segments, field by field through both
 * mounts, with the origin's bytes, and each object was fetched from the origin once but those
 * whose copy the kill cut. The figures measured are printed (takeover, media and API GETs).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatTimestamp, parseTimeRange, type TimeRange } from '../../src/time/index.ts';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { killChild } from '../helpers/children.ts';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import { mountClient } from '../helpers/mounts.ts';
import { closedPort } from '../helpers/ports.ts';
import { Replicas } from '../helpers/replicas.ts';
import { type HttpClient, tempDir } from '../helpers/server.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import {
  addOriginSegments,
  bytesAt,
  fieldsOf,
  flowFieldsOf,
  makeOrigin,
  type OriginFlows,
  segmentsOf,
} from '../replication/replication.fixture.ts';
import { waitFor } from '../segments/helpers.ts';
import { CountingProxy, isMediaGet, type Proxied } from './replication.proxy.ts';

const available = postgresAvailable();
const dirs = tempDir('tams-pg-replication-');
/** Short, so that the takeover comes within seconds of the kill. */
const LEASE_SECONDS = 5;
/** Segments per page asked of the origin: the first pass takes some fifteen pages. */
const PAGE = 20;
/** Objects the copier fetches at once: what a kill can cut mid-transfer. */
const COPIES = 2;
/** Segments of 2 s each, made in batches of this many (fixture: the last two share an object). */
const BATCH = 50;

/** A job as GET /replications/{id} shows it (the fields this file reads). */
interface Job {
  id: string;
  state: string;
  updated: string;
  replica?: string;
  segments_copied: number;
  objects_copied: number;
  bytes_copied: number;
  segments_refused: number;
  origin_requests: number;
  restarts: number;
  last_error?: string;
}

interface FlowLinkShown {
  origin_flow_id: string;
  segments: number;
  copied_to?: string;
}

describe.skipIf(!available)('a replication job by copy on three replicas of one PostgreSQL database', () => {
  let server: PostgresServer;
  let replicas: Replicas;
  let proxy: CountingProxy;
  let origin: ChildServer | undefined;
  let originPort: number;
  let ids: OriginFlows;
  let jobId: string;
  /** The end (s) of each origin Flow's last segment, as this file made them. */
  const ends = { video: 0, audio: 0 };
  /** The objects made at the origin. */
  const objects = new Set<string>();
  /** When the replica running the job was killed, and its lease owner (`host:pid:uuid`). */
  let killedAt = 0;
  let victimOwner = '';
  /** The proxy's records at the end of the replication, before this file's own reads. */
  let replicated: Proxied[] = [];

  // The origin's API straight at its port: this file's writes and reads are not the job's.
  const originAt = (mount: string): HttpClient =>
    mountClient({ url: `http://127.0.0.1:${originPort}` }, mount);
  const o8 = (): HttpClient => originAt('/tams/v8.2');

  /** The origin as an operator runs it: its own data directory, on the same port each start. */
  const startOrigin = (): Promise<ChildServer> =>
    spawnServer({
      TAMS_PORT: String(originPort),
      TAMS_DATA_DIR: join(dirs.path, 'origin'),
      TAMS_PUBLIC_URL: proxy.url,
      TAMS_SEARCH: 'false',
      TAMS_EXR: 'false',
      TAMS_ANALYTICS: 'false',
      TAMS_RECORDER: 'false',
      TAMS_REPLICATION: 'false',
    });

  beforeAll(async () => {
    server = await startPostgres();
    originPort = await closedPort();
    proxy = await CountingProxy.start(originPort);
    const [started, destination] = await Promise.allSettled([
      startOrigin(),
      Replicas.start(3, {
        TAMS_DB: 'postgres',
        TAMS_POSTGRES_URL: server.url,
        TAMS_POSTGRES_SCHEMA: 'replication',
        TAMS_MEDIA_DIR: join(dirs.path, 'media'),
        TAMS_SEARCH: 'false',
        TAMS_EXR: 'false',
        TAMS_ANALYTICS: 'false',
        TAMS_RECORDER: 'false',
        TAMS_REPLICATION: 'true',
        TAMS_REPLICATION_ALLOW: '127.0.0.1',
        TAMS_REPLICATION_POLL_SECONDS: '0.3',
        TAMS_REPLICATION_PAGE: String(PAGE),
        TAMS_REPLICATION_COPIES: String(COPIES),
        TAMS_WORKER_IDLE_MS: '100',
        TAMS_WORKER_LEASE_SECONDS: String(LEASE_SECONDS),
      }),
    ]);
    // Each kept as it came, so that afterAll stops whichever started.
    if (started.status === 'fulfilled') origin = started.value;
    if (destination.status === 'fulfilled') replicas = destination.value;
    for (const s of [started, destination]) if (s.status === 'rejected') throw s.reason;

    ids = await makeOrigin(o8());
    for (let k = 0; k < 4; k++) await more('video', BATCH);
    for (let k = 0; k < 2; k++) await more('audio', BATCH);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    if (origin) await killChild(origin.process, 'SIGTERM');
    await replicas?.close();
    await proxy?.close();
    await server?.close();
    dirs.remove();
  });

  /** `n` more segments at the end of the origin's Flow. */
  async function more(flow: 'video' | 'audio', n: number): Promise<void> {
    for (const id of await addOriginSegments(o8(), ids[flow], ends[flow], n)) objects.add(id);
    ends[flow] += 2 * n;
  }

  let seen: Job | undefined;
  /** The job as a surviving replica shows it (the load balancer's choice of one). */
  async function job(): Promise<Job> {
    const res = await replicas.send('GET', `/replications/${jobId}`);
    expect(res.status, res.text).toBe(200);
    seen = res.body as Job;
    return seen;
  }

  /** Waits for a state of the job (and of what `also` checks); a timeout says where it stood. */
  async function jobUntil(
    what: string,
    done: (job: Job) => boolean,
    also: () => Promise<boolean> = async () => true,
  ): Promise<Job> {
    return waitFor(what, async () => {
      const j = await job();
      return done(j) && (await also()) ? j : undefined;
    }).catch((error: unknown) => {
      throw new Error(`${String(error)}; the job: ${JSON.stringify(seen)}`);
    });
  }

  async function links(): Promise<FlowLinkShown[]> {
    const res = await replicas.send('GET', `/replications/${jobId}/flows`);
    expect(res.status, res.text).toBe(200);
    return res.body as FlowLinkShown[];
  }

  /** Whether both Flows' cursors stand at the end of the origin's last segment. */
  async function copiedToEnd(): Promise<boolean> {
    const cursors = new Map((await links()).map((l) => [l.origin_flow_id, l.copied_to]));
    return (
      cursors.get(ids.video) === formatTimestamp(BigInt(ends.video) * 1_000_000_000n) &&
      cursors.get(ids.audio) === formatTimestamp(BigInt(ends.audio) * 1_000_000_000n)
    );
  }

  const originTotal = () => (ends.video + ends.audio) / 2;

  it(
    'is taken over when the replica copying is killed, and the catch-up finishes elsewhere',
    async () => {
      const made = await replicas.send(
        'POST',
        '/replications',
        {
          origin: { url: `${proxy.url}/tams/v8.2` },
          select: { flow_id: ids.multi },
          media: 'copy',
          label: 'takeover',
        },
        0,
      );
      expect(made.status, made.text).toBe(201);
      jobId = (made.body as Job).id;
      const first = await jobUntil('a replica running the job', (j) => typeof j.replica === 'string');
      const victim = replicas.byOwner(first.replica as string);
      expect(victim, `the job's replica ${first.replica}`).toBeDefined();
      victimOwner = first.replica as string;
      // Killed where a crash finds a copy most of the time, fetching objects: as the 10th object
      // of the video Flow's third page is asked for (pages of 20 segments, 19 or 20 objects each),
      // two pages registered, far from the end (some 300 segments).
      await proxy.mediaGet(2 * PAGE + PAGE / 2, WAIT_MS);
      await replicas.kill(victim as ChildServer);
      killedAt = Date.now();
      const atKill = (await links()).reduce((sum, l) => sum + l.segments, 0);
      expect(atKill).toBeGreaterThanOrEqual(2 * PAGE);
      expect(atKill).toBeLessThan(originTotal() / 2);

      const taken = await jobUntil(
        'another replica holding the job',
        (j) => typeof j.replica === 'string' && j.replica !== victimOwner,
      );
      const takeoverMs = Date.now() - killedAt;
      expect(replicas.byOwner(taken.replica as string)).toBeDefined();
      const caught = await jobUntil(
        'the catch-up finished on the replica taking over',
        (j) => j.state === 'following' && j.replica !== victimOwner,
        copiedToEnd,
      );
      const caughtUpMs = Date.now() - killedAt;
      expect(caught.restarts).toBeGreaterThanOrEqual(1);
      process.stdout.write(
        `replication takeover: killed with ${atKill} of ${originTotal()} segments copied; another replica held the job ${(takeoverMs / 1000).toFixed(1)} s later (lease ${LEASE_SECONDS} s), caught up ${(caughtUpMs / 1000).toFixed(1)} s after the kill\n`,
      );
    },
    SLOW_TEST_MS,
  );

  it(
    'follows new segments through a restart of the origin',
    async () => {
      // Added while the job follows, a chunk at a time, without waiting for it.
      for (let k = 0; k < 3; k++) {
        await more('video', 10);
        await more('audio', 6);
      }
      await jobUntil('the new segments copied', (j) => j.state === 'following', copiedToEnd);

      const stopped = origin as ChildServer;
      await killChild(stopped.process, 'SIGKILL');
      origin = undefined;
      const downAt = Date.now();
      // The job finds the origin gone (the proxy answers 502) before it is started again.
      await jobUntil('the job retrying against the stopped origin', (j) => j.state === 'retrying');
      origin = await startOrigin();
      const upAt = Date.now();
      await jobUntil('the job following again', (j) => j.state === 'following');
      const backMs = Date.now() - upAt;

      for (let k = 0; k < 3; k++) {
        await more('video', 10);
        await more('audio', 6);
      }
      const after = await jobUntil(
        'the segments made after the restart copied',
        (j) => j.state === 'following',
        copiedToEnd,
      );
      expect(after.last_error ?? '').toMatch(/answered 502|ECONNREFUSED|ECONNRESET/);
      process.stdout.write(
        `replication origin restart: down ${((upAt - downAt) / 1000).toFixed(1)} s (SIGKILL, started again on its port and data directory), the job following again ${(backMs / 1000).toFixed(1)} s after it listened; restarts ${after.restarts}\n`,
      );
    },
    SLOW_TEST_MS,
  );

  it(
    "holds exactly the origin's segments and bytes, each object fetched once but those the kill cut",
    async () => {
      // What the replication asked of the origin, before this test's own reads through the proxy.
      replicated = [...proxy.requests];
      // Its counts as of the last page: the worker writes them to the job's row at its next step,
      // after the page's cursor.
      const since = Date.now();
      const final = await jobUntil(
        'a write of the job after its last page',
        (j) => Date.parse(j.updated) > since,
      );
      expect(final.state).toBe('following');
      expect(final.segments_refused).toBe(0);
      expect(final.restarts).toBeGreaterThanOrEqual(1);

      const flows = [ids.video, ids.audio];
      const originSegments = new Map<string, Record<string, unknown>[]>();
      for (const flowId of flows) {
        const want = await segmentsOf(o8(), flowId, { include_object_timerange: 'true' });
        originSegments.set(flowId, want);
        const wantFields = want.map(fieldsOf);
        expect(want.length).toBe((flowId === ids.video ? ends.video : ends.audio) / 2);
        // Every surviving replica reads the same (one database), through 8.2 with object timeranges.
        for (const replica of replicas.servers) {
          const got = await segmentsOf(mountClient(replica, '/tams/v8.2'), flowId, {
            include_object_timerange: 'true',
          });
          expect(got.map(fieldsOf)).toEqual(wantFields);
          expectOrderedWithoutOverlap(got);
        }
        const got7 = await segmentsOf(mountClient(replicas.servers[0] as ChildServer, '/tams/v7.0'), flowId);
        expect(got7.map(fieldsOf)).toEqual((await segmentsOf(originAt('/tams/v7.0'), flowId)).map(fieldsOf));
      }
      for (const flowId of [...flows, ids.multi]) {
        for (const mount of ['/tams/v8.2', '/tams/v7.0']) {
          const want = await originAt(mount).get<Record<string, unknown>>(`/flows/${flowId}`);
          const got = await mountClient(replicas.servers[0] as ChildServer, mount).get<
            Record<string, unknown>
          >(`/flows/${flowId}`);
          expect(got.status, got.text).toBe(200);
          expect(flowFieldsOf(got.body)).toEqual(flowFieldsOf(want.body));
        }
      }

      // The bytes of every object here are the origin's (each object once, shared ones too).
      const here = replicas.servers[0] as ChildServer;
      const d8 = mountClient(here, '/tams/v8.2');
      const pathsOf = new Map<string, string>();
      let compared = 0;
      for (const flowId of flows) {
        const theirs = new Map(
          (originSegments.get(flowId) ?? []).map((s) => [s.object_id as string, urlsOf(s)]),
        );
        const done = new Set<string>();
        for (const segment of await segmentsOf(d8, flowId)) {
          const id = segment.object_id as string;
          if (done.has(id)) continue;
          done.add(id);
          const there = theirs.get(id) ?? [];
          for (const url of there) pathsOf.set(new URL(url).pathname, id);
          const ours = urlsOf(segment)[0] as string;
          // A copy: the URL is this store's own, not the origin's.
          expect(ours.startsWith(here.url), ours).toBe(true);
          expect((await bytesAt(ours)).equals(await bytesAt(there[0] as string)), id).toBe(true);
          compared++;
        }
      }
      expect(compared).toBe(objects.size);

      // Each origin object fetched through the proxy once, but those whose copy the kill cut:
      // fetched by the killed replica, then again by the one taking over; COPIES of them at most,
      // the transfers the copier has under way at once.
      const gets = replicated.filter(isMediaGet);
      const fetched = new Map<string, Proxied[]>();
      for (const get of gets.filter((g) => g.status === 200)) {
        const id = pathsOf.get(get.path);
        expect(id, `a media GET of ${get.path}, no object of the origin`).toBeDefined();
        fetched.set(id as string, [...(fetched.get(id as string) ?? []), get]);
      }
      expect(fetched.size).toBe(objects.size);
      const again = [...fetched.entries()].filter(([, g]) => g.length > 1);
      for (const [id, twice] of again) {
        expect(twice.length, `${id} fetched ${twice.length} times`).toBe(2);
        // Once by the killed replica, once by the one taking over: nothing else is fetched again.
        expect((twice[0] as Proxied).at, id).toBeLessThan(killedAt);
        expect((twice[1] as Proxied).at, id).toBeGreaterThanOrEqual(killedAt);
      }
      // The copier starts a GET as one of its COPIES ends: of the GETs before the kill, only the
      // last COPIES can have been mid-transfer; an object fetched earlier was copied whole.
      const cut = new Set(
        gets
          .filter((g) => g.at < killedAt)
          .slice(-COPIES)
          .map((g) => g.path),
      );
      const whole = again.filter(([, twice]) => !cut.has((twice[0] as Proxied).path)).length;
      // A conditional GET answered 304 (Not Modified) moves no bytes: asked, not fetched.
      const unchanged = gets.filter((g) => g.status === 304).length;
      const api = proxy.apiGets(replicated);
      const apiTotal = Object.values(api).reduce((sum, n) => sum + n, 0);
      const failed = replicated.filter((r) => r.status !== undefined && r.status >= 500).length;
      const registered = (await links()).reduce((sum, l) => sum + l.segments, 0);
      process.stdout.write(
        `replication media: ${gets.length} media GETs through the proxy for ${objects.size} objects (${fetched.size} distinct), ${again.length} fetched twice: ${again.length - whole} possibly mid-transfer at the kill, ${whole} copied whole before it but not yet registered (copies ${COPIES}, page ${PAGE} segments), ${unchanged} answered 304; job objects_copied ${final.objects_copied}, bytes_copied ${final.bytes_copied}\n`,
      );
      process.stdout.write(
        `replication API: ${apiTotal} API GETs through the proxy ${JSON.stringify(api)}, ${failed} answered 5xx (the origin stopped); job origin_requests ${final.origin_requests}, segments_copied ${final.segments_copied}, the Flows' links ${registered}, the origin ${originTotal()} segments\n`,
      );
      expect(
        again.length,
        `objects fetched again after the kill, ${whole} of them copied whole before it`,
      ).toBeLessThanOrEqual(COPIES);
    },
    SLOW_TEST_MS,
  );
});

/** The URLs of a segment's get_urls, in order. */
function urlsOf(segment: Record<string, unknown>): string[] {
  return ((segment.get_urls ?? []) as { url: string }[]).map((u) => u.url);
}

/** Segments in timeline order, none twice, none overlapping the one before. */
function expectOrderedWithoutOverlap(segments: readonly Record<string, unknown>[]): void {
  const ranges = segments.map((s) => parseTimeRange(s.timerange as string));
  expect(new Set(ranges.map((r) => r.toString())).size).toBe(ranges.length);
  for (let i = 1; i < ranges.length; i++) {
    const [before, here] = [ranges[i - 1] as TimeRange, ranges[i] as TimeRange];
    expect(before.overlaps(here), `${before} and ${here}`).toBe(false);
    expect((here.start as bigint) >= (before.end as bigint), `${before} then ${here}`).toBe(true);
  }
}
