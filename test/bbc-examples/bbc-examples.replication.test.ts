/**
 * Replication between two tams-server processes on different engines and API versions, with
 * BBC's example clients (../shared/tams-examples, run unchanged) at both ends: the origin on the
 * embedded DuckDB, written through TAMS 8.2; the destination on PostgreSQL, read through 7.0 and
 * 8.2. Authentication is on at both: the scripts sign in with HTTP Basic as a user with read and
 * write scopes, and the replication jobs sign in at the origin as that user.
 *
 * While the 8.2 ingest_hls.py is writing a Flow into the origin, two jobs of the destination
 * follow it: one by reference with mapped ids (one store cannot hold two Flows of one id), one by
 * copy keeping the ids. A relay (examples.relay.ts) holds the script's registrations after the
 * first half, so that both jobs catch up with a Flow still being written, and only then lets it go
 * on. Once the script is done and both jobs have every segment: each destination Flow answers
 * every segment field as the origin does, through 8.2 and 7.0; the reference Flow hands out the
 * origin's URLs, the copied one URLs of its own with the origin's bytes; and outgest_file.py of
 * each destination Flow, through the destination's 7.0 (7.0 scripts) and 8.2 (8.2 scripts)
 * mounts, writes the packets the origin's outgest writes, packet for packet, and plays.
 *
 * The full tier's (vitest.config.ts, project postgres-http): two servers, a PostgreSQL and six
 * script runs, ~1 min. Skipped, saying why, without PostgreSQL's binaries, the scripts' venv
 * (bash scripts/oracles-venv.sh examples), ffmpeg or the scripts; TAMS_BBC_EXAMPLES_REQUIRED=1
 * (.ci/run) runs it anyway, so that it fails.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { killChild } from '../helpers/children.ts';
import { SLOW_TEST_MS } from '../helpers/deadlines.ts';
import { httpClient, tempDir } from '../helpers/server.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { waitFor } from '../segments/helpers.ts';
import { type Api, packetDifference } from './examples.checks.ts';
import { examplesGate } from './examples.gate.ts';
import { type HlsStream, makeHls, type Packet, packets, SEGMENT_COUNT, sha256 } from './examples.media.ts';
import type { Mount } from './examples.plan.ts';
import { type Relay, startRelay } from './examples.relay.ts';
import {
  createJob,
  fieldDifferences,
  fieldNames,
  type Job,
  jobFlows,
  jobUntil,
  segmentsAt,
  urlsOf,
} from './examples.replication.ts';
import { describeRun, runScript, type ScriptRun, type Target } from './examples.scripts.ts';
import { type Context, outgestAndCheck } from './examples.steps.ts';

const V82: Mount = { version: '8.2', base: '/tams/v8.2', on: true };
const V70: Mount = { version: '7.0', base: '/tams/v7.0', on: true };
const HALF = SEGMENT_COUNT / 2;

const gate = examplesGate(['7.0', '8.2']);
const postgres = postgresAvailable();
const skip = gate.skip || !postgres;
const note = gate.note || (postgres ? '' : ' (skipped: no PostgreSQL binaries)');

/** One server of the two: its process, its API as the test's admin, a user for the scripts. */
interface Store {
  server: ChildServer;
  api: Api;
  user: Target;
}

/** A destination Flow and the job that made it. */
interface Replica {
  name: string;
  job: Job;
  flowId: string;
}

/** Starts a server with authentication on, and adds the scripts' user with read and write scopes. */
async function startStore(env: Record<string, string>): Promise<Store> {
  const adminToken = randomBytes(24).toString('hex');
  const server = await spawnServer({
    TAMS_AUTH: 'required',
    TAMS_BOOTSTRAP_ADMIN_TOKEN: adminToken,
    TAMS_SEARCH: 'false',
    TAMS_EXR: 'false',
    TAMS_ANALYTICS: 'false',
    ...env,
  });
  const api: Api = { client: httpClient(server.url), headers: { authorization: `Bearer ${adminToken}` } };
  const user = { name: 'bbc-examples', password: randomBytes(18).toString('hex'), scopes: ['read', 'write'] };
  const added = await api.client.post('/auth/users', user, { headers: api.headers });
  if (added.status !== 201) throw new Error(`POST /auth/users: ${added.status} ${added.text}`);
  return { server, api, user: { origin: server.url, username: user.name, password: user.password } };
}

describe.skipIf(skip)(`BBC's example clients through replication, DuckDB to PostgreSQL${note}`, () => {
  // Made in beforeAll: a skipped suite still runs this body, and never its hooks.
  let dir: ReturnType<typeof tempDir> | undefined;
  let pg: PostgresServer | undefined;
  let origin: Store | undefined;
  let destination: Store | undefined;
  let relay: Relay | undefined;
  let ingest: Promise<ScriptRun> | undefined;
  let stream: HlsStream;
  const flowId = randomUUID();
  const replicas: Replica[] = [];
  /** The packets of the origin's own outgest, which every destination's must equal. */
  let originPackets: Packet[] | undefined;

  const the = <T>(value: T | undefined, what: string): T => {
    if (value === undefined) throw new Error(`${what}: not there (an earlier step failed)`);
    return value;
  };
  const contextOf = (store: Store): Context => ({
    target: store.user,
    api: store.api,
    stream,
    work: dir?.path ?? '',
  });

  beforeAll(async () => {
    // Required (TAMS_BBC_EXAMPLES_REQUIRED=1) but not all there: say what, rather than fail later.
    if (gate.missing.length > 0) throw new Error(`BBC's example clients need ${gate.missing.join('; ')}`);
    dir = tempDir('tams-bbc-replication-');
    const media = join(dir.path, 'destination-media');
    mkdirSync(media);
    stream = await makeHls(dir.path);
    pg = await startPostgres();
    origin = await startStore({ TAMS_DATA_DIR: join(dir.path, 'origin') });
    destination = await startStore({
      TAMS_DB: 'postgres',
      TAMS_POSTGRES_URL: pg.url,
      TAMS_POSTGRES_SCHEMA: 'replica',
      TAMS_MEDIA_DIR: media,
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_POLL_SECONDS: '0.2',
      TAMS_WORKER_IDLE_MS: '50',
    });
    relay = await startRelay(origin.server.url, HALF);
  }, SLOW_TEST_MS);

  afterAll(async () => {
    // A held script fails once the relay closes; it is waited for (runScript kills it at its deadline).
    await relay?.close();
    await ingest;
    for (const store of [destination, origin]) if (store) await killChild(store.server.process);
    await pg?.close();
    dir?.remove();
  });

  it(
    'ingest_hls.py (8.2) into the origin, followed live by a job by reference (ids mapped) and one by copy',
    async () => {
      const [o, d, r] = [the(origin, 'origin'), the(destination, 'destination'), the(relay, 'relay')];
      let finished = false;
      ingest = runScript(
        V82,
        'ingest_hls.py',
        [
          ...['--hls-filename', stream.playlist, '--hls-segment-count', String(SEGMENT_COUNT)],
          ...['--flow-id', flowId, '--source-id', randomUUID()],
        ],
        { ...o.user, origin: r.url },
        the(dir, 'dir').path,
      );
      void ingest.then(() => {
        finished = true;
      });

      // The jobs are made as soon as the script has made its Flow, both at once.
      await waitFor('the Flow ingest_hls.py makes', async () => {
        const res = await o.api.client.get(`${V82.base}/flows/${flowId}`, { headers: o.api.headers });
        return res.status === 200;
      });
      const at = {
        url: `${o.server.url}${V82.base}`,
        auth: { type: 'basic', username: o.user.username, password: o.user.password },
      };
      const select = { flow_id: flowId };
      const made = await Promise.all([
        createJob(d.api, { origin: at, select, media: 'reference', ids: 'map', label: 'by reference' }),
        createJob(d.api, { origin: at, select, media: 'copy', label: 'by copy' }),
      ]);

      // The script waits at its registration of segment HALF + 1 while both jobs catch up with
      // the first HALF: they follow a Flow that is still being written.
      await expect.poll(() => r.held(), { interval: 20 }).toBe(1);
      expect((await segmentsAt(o.api, V82.base, flowId)).length).toBe(HALF);
      for (const job of made) {
        await jobUntil(d.api, job.id, `${HALF} segments, following`, (j) => {
          return j.state === 'following' && j.segments_copied === HALF;
        });
      }
      expect(finished, 'ingest_hls.py ended before the jobs caught up').toBe(false);

      r.release();
      const run = await ingest;
      expect(run.code, describeRun(run)).toBe(0);
      expect((await segmentsAt(o.api, V82.base, flowId)).length).toBe(SEGMENT_COUNT);
      for (const [i, job] of made.entries()) {
        const done = await jobUntil(d.api, job.id, `${SEGMENT_COUNT} segments, following`, (j) => {
          return j.state === 'following' && j.segments_copied === SEGMENT_COUNT;
        });
        expect(done.last_error, done.label).toBeUndefined();
        expect(done.origin).toEqual({ url: at.url, version: '8.2', auth: 'basic' });
        expect(JSON.stringify(done)).not.toContain(o.user.password);
        const flows = await jobFlows(d.api, job.id);
        expect(flows).toEqual([
          expect.objectContaining({ origin_flow_id: flowId, segments: SEGMENT_COUNT, gone: false }),
        ]);
        const here = the(flows[0], `${done.label}'s Flow`).flow_id;
        // One store holds one Flow of an id: the job by reference made its own.
        if (i === 0) expect(here).not.toBe(flowId);
        else expect(here).toBe(flowId);
        replicas.push({ name: i === 0 ? 'by reference' : 'by copy', job: done, flowId: here });
      }
    },
    SLOW_TEST_MS,
  );

  it(
    'every segment field as the origin answers it, through the destination’s 8.2 and 7.0 mounts',
    async () => {
      const [o, d] = [the(origin, 'origin'), the(destination, 'destination')];
      expect(replicas.length).toBe(2);
      const views: [Mount, Record<string, string>][] = [
        [V82, {}],
        [V82, { include_object_timerange: 'true' }],
        [V70, {}],
      ];
      for (const [mount, query] of views) {
        const want = await segmentsAt(o.api, mount.base, flowId, query);
        expect(want.length).toBe(SEGMENT_COUNT);
        // Beyond object_id and timerange: ts_offset, and object_timerange where asked.
        expect(fieldNames(want)).toContain('ts_offset');
        for (const replica of replicas) {
          const got = await segmentsAt(d.api, mount.base, replica.flowId, query);
          const where = `${replica.name} through ${mount.base} ${JSON.stringify(query)}`;
          expect(fieldDifferences(want, got), where).toEqual([]);
        }
      }
    },
    SLOW_TEST_MS,
  );

  // The origin's URLs are told apart by their labels: the destination may hand out URLs of its
  // own beside them, the two jobs' Flows sharing their objects (TAMS object ids are global; mapped
  // ids are the Flows' and Sources'), so that what the job by copy copied serves the Flow by
  // reference too. They need not be marked presigned here (8.2 promises a presigned URL lasts
  // `min_presigned_url_timeout`, which the destination cannot vouch for of the origin's): BBC's
  // 8.2 outgest_file.py, which asks for presigned URLs only, reads a Flow by reference through
  // copies alone. But the first of them, which a client taking the first URL as BBC's scripts do
  // is handed when there is no copy, must serve the bytes without the origin's credentials,
  // which the destination's readers do not have.
  it(
    'by reference: the origin’s URLs, labelled `<origin host:port>/<origin label>`; the first URL serving its bytes to any reader',
    async () => {
      const [o, d] = [the(origin, 'origin'), the(destination, 'destination')];
      const replica = the(
        replicas.find((x) => x.name === 'by reference'),
        'the job by reference',
      );
      const host = new URL(o.server.url).host;
      const theirs = await segmentsAt(o.api, V82.base, flowId);
      const ours = await segmentsAt(d.api, V82.base, replica.flowId);
      for (const [i, segment] of theirs.entries()) {
        const where = `segment ${String(segment.timerange)}`;
        const byLabel = new Map(urlsOf(segment).map((u) => [`${host}/${u.label}`, u]));
        const all = urlsOf(the(ours[i], where));
        const carried = all.filter((u) => u.label?.startsWith(`${host}/`));
        // Every lasting URL of the origin's; its presigned ones too where the object was new here
        // (the job by copy may have registered it first: a presigned URL, signed afresh at each
        // read, would be another URL under a label the object has already).
        const lasting = urlsOf(segment)
          .filter((u) => u.presigned === false)
          .map((u) => `${host}/${u.label}`);
        expect(lasting.length, where).toBeGreaterThan(0);
        expect(
          carried.map((u) => u.label),
          where,
        ).toEqual(expect.arrayContaining(lasting));
        for (const url of carried) {
          const given = the(byLabel.get(url.label ?? ''), `${where}: the origin's URL labelled ${url.label}`);
          // A presigned URL is signed again at each answer: its object's URL is the same.
          if (given.presigned === false) expect(url.url, where).toBe(given.url);
          else expect(url.url.split('?')[0], where).toBe(given.url.split('?')[0]);
        }
        // The segment's first URL serves any reader: a presigned one of the origin's, or the copy
        // the other job made here.
        const first = the(all[0], `${where}: a URL`);
        const bytes = await bytesAt(first.url);
        expect(bytes.status, `${where}: GET ${first.url} without the origin's credentials`).toBe(200);
        expect(sha256(bytes.body), where).toBe(the(stream.segments[i], where).sha256);
      }
    },
    SLOW_TEST_MS,
  );

  it(
    'by copy: every object copied once, URLs of the destination’s own, the origin’s bytes behind them',
    async () => {
      const d = the(destination, 'destination');
      const replica = the(
        replicas.find((x) => x.name === 'by copy'),
        'the job by copy',
      );
      expect(replica.job.objects_copied).toBe(SEGMENT_COUNT);
      expect(replica.job.bytes_copied).toBe(stream.segments.reduce((n, s) => n + s.bytes.length, 0));
      const ours = await segmentsAt(d.api, V82.base, replica.flowId, { presigned: 'true' });
      expect(ours.length).toBe(SEGMENT_COUNT);
      for (const [i, segment] of ours.entries()) {
        const where = `segment ${String(segment.timerange)}`;
        const own = urlsOf(segment).filter((u) => u.url.startsWith(`${d.server.url}/`));
        expect(own.length, `${where}: a URL of the destination`).toBeGreaterThan(0);
        for (const url of own) {
          const bytes = await bytesAt(url.url);
          expect(bytes.status, url.url).toBe(200);
          expect(sha256(bytes.body), where).toBe(the(stream.segments[i], where).sha256);
        }
      }
    },
    SLOW_TEST_MS,
  );

  it(
    'outgest_file.py (8.2) from the origin: the ingested packets on the Flow’s timeline, and it plays',
    async () => {
      const path = await outgestAndCheck(contextOf(the(origin, 'origin')), V82, flowId, 'origin 8.2');
      originPackets = await packets(path);
      expect(originPackets.length).toBe(stream.segments.reduce((n, s) => n + s.packets.length, 0));
    },
    SLOW_TEST_MS,
  );

  for (const name of ['by reference', 'by copy']) {
    for (const mount of [V70, V82]) {
      it(
        `outgest_file.py (${mount.version}) of the Flow ${name} through the destination’s ${mount.base}: the origin’s outgest, packet for packet`,
        async () => {
          const replica = the(
            replicas.find((x) => x.name === name),
            `the job ${name}`,
          );
          const label = `destination ${name} ${mount.version}`;
          const d = contextOf(the(destination, 'destination'));
          const path = await outgestAndCheck(d, mount, replica.flowId, label);
          const want = the(originPackets, "the origin's outgest");
          const difference = packetDifference(await packets(path), want);
          expect(difference, `${label} against the origin's outgest`).toBeUndefined();
        },
        SLOW_TEST_MS,
      );
    }
  }
});

/** The status and bytes at a URL, fetched as any reader would: no credentials. */
async function bytesAt(url: string): Promise<{ status: number; body: Uint8Array }> {
  const res = await fetch(url);
  return { status: res.status, body: new Uint8Array(await res.arrayBuffer()) };
}
