/**
 * Replication's other ways, between two servers over real HTTP: media by reference with ids
 * mapped (the destination's segments carry the origin's URLs, labelled with the origin), followed
 * by the webhook the job registers on the origin (polling set to a minute, so only a delivery can
 * bring a new segment in time); deletions at the origin mirrored when the job asks, kept when it
 * does not; segments the destination refuses counted and reported while the others are copied;
 * the origin's password in no answer, log line or metric.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { waitFor } from '../segments/helpers.ts';
import {
  addOriginSegments,
  bytesAt,
  fieldsOf,
  flowFieldsOf,
  jobUntil,
  makeOrigin,
  type OriginFlows,
  type ReplicationJob,
  segmentsOf,
} from './replication.fixture.ts';

type Job = ReplicationJob;

const SECRET = 'correct-horse-battery-staple';
let origin: TestServer;
let destination: TestServer;
let ids: OriginFlows;
const logs: string[] = [];

beforeAll(async () => {
  origin = await startServer({
    env: { TAMS_AUTH: 'none', TAMS_WEBHOOK_ALLOW: '127.0.0.1', TAMS_WORKER_IDLE_MS: '50' },
  });
  destination = await startServer({
    logLines: (line) => logs.push(line),
    env: {
      TAMS_AUTH: 'none',
      TAMS_METRICS: 'true',
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_MAX_JOBS: '16',
      // Only the origin's deliveries wake a job within a test's wait.
      TAMS_REPLICATION_POLL_SECONDS: '60',
      TAMS_WORKER_IDLE_MS: '50',
    },
  });
  ids = await makeOrigin(mountClient(origin, '/tams/v8.2'));
  await addOriginSegments(mountClient(origin, '/tams/v8.2'), ids.video, 0, 6);
  await addOriginSegments(mountClient(origin, '/tams/v8.2'), ids.audio, 0, 6);
});

afterAll(async () => {
  await destination?.close();
  await origin?.close();
});

async function start(body: Record<string, unknown>): Promise<Job> {
  const res = await destination.post<Job>('/replications', {
    origin: { url: `${origin.url}/tams/v8.2`, auth: { type: 'bearer', token: SECRET } },
    ...body,
  });
  expect(res.status, res.text).toBe(201);
  return res.body;
}

const pathOf = (url: string) => url.split('?')[0];
const o8 = () => mountClient(origin, '/tams/v8.2');
const d8 = () => mountClient(destination, '/tams/v8.2');

describe('by reference, ids mapped, followed by webhook', () => {
  let job: Job;
  let here: string;

  it('copies the segments with the origin’s URLs into a Flow of a new id', async () => {
    job = await start({ select: { tags: { site: 'north' } }, media: 'reference', ids: 'map' });
    job = await jobUntil(destination, job.id, (j) => j.state === 'following' && j.segments_copied === 6);
    expect(job.follow_by).toBe('webhook');
    const flows = (
      await destination.get<{ origin_flow_id: string; flow_id: string }[]>(`/replications/${job.id}/flows`)
    ).body;
    expect(flows.map((f) => f.origin_flow_id)).toEqual([ids.video]);
    here = flows[0]?.flow_id as string;
    expect(here).not.toBe(ids.video);
    const query = { include_object_timerange: 'true' };
    const want = await segmentsOf(o8(), ids.video, query);
    const got = await segmentsOf(d8(), here, query);
    expect(got.map(fieldsOf)).toEqual(want.map(fieldsOf));
    for (const [i, segment] of got.entries()) {
      const urls = segment.get_urls as { url: string; label?: string }[];
      const host = new URL(origin.url).host;
      const all = (want[i]?.get_urls ?? []) as { url: string; label: string; presigned?: boolean }[];
      expect(urls.length).toBe(all.length);
      // The presigned URL first (any reader may use it, until it expires), then the lasting
      // one (for readers holding the origin's credentials).
      const theirs = all.find((u) => u.presigned !== false);
      const lasting = all.find((u) => u.presigned === false);
      expect(urls.map((u) => u.label)).toEqual([`${host}/${theirs?.label}`, `${host}/${lasting?.label}`]);
      // Signed afresh at each read: the same object's URL but for its signature.
      const referenced = urls.find((u) => pathOf(u.url) === pathOf(theirs?.url ?? ''));
      expect(referenced?.label).toBe(`${host}/${theirs?.label}`);
      expect((await bytesAt(referenced?.url as string)).length).toBeGreaterThan(0);
    }
    const flow = await d8().get<{ id: string; source_id: string }>(`/flows/${here}`);
    expect(flow.body.source_id).not.toBe(ids.source);
  });

  it('is woken by the origin’s webhook for new segments', async () => {
    await addOriginSegments(o8(), ids.video, 100, 3);
    await waitFor('the new segments, delivered', async () => (await segmentsOf(d8(), here)).length === 9);
  });

  it('refuses a delivery without the job’s key as if there were no job', async () => {
    const path = `/replications/${job.id}/events`;
    const event = { event_type: 'flows/segments_deleted', event: { flow_id: ids.video, timerange: '_' } };
    const wrong = await destination.post(path, event, { headers: { 'x-tams-replication-key': 'guess' } });
    expect(wrong.status).toBe(404);
    expect((await destination.post(path, event)).status).toBe(404);
    expect((await segmentsOf(d8(), here)).length).toBe(9);
  });

  it('keeps what the origin deletes when not mirroring', async () => {
    const del = await o8().delete(`/flows/${ids.video}/segments`, { query: { timerange: '[0:0_4:0)' } });
    expect(del.status, del.text).toBe(204);
    await addOriginSegments(o8(), ids.video, 200, 3);
    await waitFor(
      'the segments after the deletion',
      async () => (await segmentsOf(d8(), here)).length === 12,
    );
    expect((await segmentsOf(o8(), ids.video)).length).toBe(10);
  });
});

describe('mirroring deletions', () => {
  it('deletes here what the origin deletes, as it does', async () => {
    let job = await start({ select: { flow_id: ids.audio }, media: 'copy', mirror_deletions: true });
    job = await jobUntil(destination, job.id, (j) => j.state === 'following' && j.segments_copied === 6);
    const del = await o8().delete(`/flows/${ids.audio}/segments`, { query: { timerange: '[4:0_8:0)' } });
    expect(del.status, del.text).toBe(204);
    const want = (await segmentsOf(o8(), ids.audio)).map(fieldsOf);
    expect(want).toHaveLength(4);
    await waitFor('the deletion mirrored', async () => (await segmentsOf(d8(), ids.audio)).length === 4);
    expect((await segmentsOf(d8(), ids.audio)).map(fieldsOf)).toEqual(want);
  });
});

describe('a segment refused here', () => {
  it('is counted and reported; the others are copied', async () => {
    const v8 = o8();
    const flowId = randomUUID();
    const body = {
      id: flowId,
      source_id: randomUUID(),
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      essence_parameters: { frame_width: 1280, frame_height: 720, frame_rate: { numerator: 50 } },
    };
    const put = await v8.put(`/flows/${flowId}`, body);
    expect(put.status, put.text).toBe(201);
    await addOriginSegments(v8, flowId, 0, 4);
    // The destination holds the same Flow with segments of its own across [3:0_7:0).
    const made = await d8().put(`/flows/${flowId}`, body);
    expect(made.status, made.text).toBe(201);
    await addOriginSegments(d8(), flowId, 3, 2);
    let job = await start({ select: { flow_id: flowId }, media: 'copy' });
    job = await jobUntil(destination, job.id, (j) => j.state === 'following' && j.segments_refused === 3);
    expect(job.segments_copied).toBe(1);
    expect(job.last_error).toMatch(/3 segment\(s\) refused here, first \[2:0_4:0\)/);
    const here = (await segmentsOf(d8(), flowId)).map((s) => s.timerange);
    expect(here).toEqual(['[0:0_2:0)', '[3:0_5:0)', '[5:0_7:0)']);
  });
});

describe('what a Flow carries', () => {
  it('its Profile, made here too, and its read-only mark, set once its segments are in', async () => {
    const profile = randomUUID();
    const flowId = randomUUID();
    const technical = {
      format: 'urn:x-nmos:format:video',
      codec: 'video/h264',
      container: 'video/mp2t',
      essence_parameters: { frame_width: 1280, frame_height: 720, frame_rate: { numerator: 50 } },
    };
    const made = await o8().post(`/service/profiles/${profile}`, {
      id: profile,
      label: 'HD 50p',
      tags: { house: ['news', 'sport'] },
      flow_metadata: technical,
    });
    expect(made.status, made.text).toBe(201);
    // A Flow made from the Profile: its technical metadata is the Profile's.
    const put = await o8().put(`/flows/${flowId}`, {
      id: flowId,
      source_id: randomUUID(),
      profile_id: profile,
    });
    expect(put.status, put.text).toBe(201);
    await addOriginSegments(o8(), flowId, 0, 3);
    expect((await o8().put(`/flows/${flowId}/read_only`, true)).status).toBe(204);
    const job = await start({ select: { flow_id: flowId }, media: 'reference' });
    await jobUntil(destination, job.id, (j) => j.state === 'following' && j.segments_copied === 3);
    const theirs = (await o8().get<Record<string, unknown>>(`/service/profiles/${profile}`)).body;
    const ours = await d8().get<Record<string, unknown>>(`/service/profiles/${profile}`);
    expect(ours.status).toBe(200);
    expect({ ...ours.body, created: undefined }).toEqual({ ...theirs, created: undefined });
    await waitFor('the Flow read-only here', async () => {
      const flow = (await d8().get<Record<string, unknown>>(`/flows/${flowId}`)).body;
      return (
        flow.read_only === true &&
        flow.metadata_version ===
          (await o8().get<Record<string, unknown>>(`/flows/${flowId}`)).body.metadata_version
      );
    });
    const want = (await o8().get<Record<string, unknown>>(`/flows/${flowId}`)).body;
    const got = (await d8().get<Record<string, unknown>>(`/flows/${flowId}`)).body;
    expect(flowFieldsOf(got)).toEqual(flowFieldsOf(want));
    expect(got.profile_id).toBe(profile);
  });
});

describe('a 7.0 origin', () => {
  // The audio Flow: a 7.0 answer has no object_timerange, so an object first registered here
  // through 7.0 takes the one 7.0 implies, which an 8.2 job sharing it later may contradict.
  it('is read as 7.0: its segments, as its mount answers them, copied', async () => {
    const o7 = mountClient(origin, '/tams/v7.0');
    const made = await destination.post<Job>('/replications', {
      origin: { url: `${origin.url}/tams/v7.0` },
      select: { flow_id: ids.audio },
      media: 'copy',
      ids: 'map',
    });
    expect(made.status, made.text).toBe(201);
    const count = (await segmentsOf(o7, ids.audio)).length;
    const job = await jobUntil(
      destination,
      made.body.id,
      (j) => j.state === 'following' && j.segments_copied === count,
    );
    expect(job.origin.version).toBe('7.0');
    const flows = (await destination.get<{ flow_id: string }[]>(`/replications/${job.id}/flows`)).body;
    const here = flows[0]?.flow_id as string;
    const d7 = mountClient(destination, '/tams/v7.0');
    expect((await segmentsOf(d7, here)).map(fieldsOf)).toEqual(
      (await segmentsOf(o7, ids.audio)).map(fieldsOf),
    );
  });
});

describe('one pass', () => {
  it('is done after it, and makes another when resumed', async () => {
    const count = async () => (await segmentsOf(o8(), ids.video)).length;
    let job = await start({ select: { flow_id: ids.video }, media: 'reference', ids: 'map', follow: false });
    const first = await count();
    job = await jobUntil(destination, job.id, (j) => j.state === 'done' && j.segments_copied === first);
    expect(job.follow_by).toBeUndefined();
    await addOriginSegments(o8(), ids.video, 300, 2);
    const resumed = await destination.post<Job>(`/replications/${job.id}/resume`, {});
    expect(resumed.status).toBe(200);
    await jobUntil(destination, job.id, (j) => j.state === 'done' && j.segments_copied === first + 2).catch(
      (e) => {
        for (const l of logs) if (l.includes(job.id)) process.stderr.write(l);
        throw e;
      },
    );
  });
});

describe('a job deleted', () => {
  it('removes the webhook it registered on the origin', async () => {
    const hooks = async () =>
      (await o8().get<{ url: string }[]>('/service/webhooks')).body.filter((h) =>
        h.url.includes('/replications/'),
      );
    const before = await hooks();
    expect(before.length).toBeGreaterThan(0);
    const jobs = (await destination.get<Job[]>('/replications')).body;
    const victim = jobs[0] as Job;
    expect((await destination.delete(`/replications/${victim.id}`)).status).toBe(204);
    await waitFor('its webhook gone', async () => (await hooks()).length === before.length - 1);
    expect((await hooks()).some((h) => h.url.includes(victim.id))).toBe(false);
  });
});

describe('the origin’s credentials', () => {
  it('appear in no answer, log line or metric', async () => {
    const list = await destination.get('/replications');
    expect(list.text).not.toContain(SECRET);
    expect((await destination.get('/metrics')).text).not.toContain(SECRET);
    expect(logs.length).toBeGreaterThan(0);
    expect(logs.filter((l) => l.includes(SECRET))).toEqual([]);
  });
});
