/**
 * Replication from end to end between two servers over real HTTP (the origin on TAMS 8.2, the
 * destination another process's store): a multi Flow and the Flows it collects, with their Source,
 * copied by copy; every segment field equal through the destination's 7.0 and 8.2 mounts; the
 * bytes equal; each object fetched from the origin once (counted in the origin's own request log);
 * new segments followed live; a paused job resumed copying only what is new; a second job by
 * reference with mapped ids; the origin's credentials never shown.
 */
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

let origin: TestServer;
let destination: TestServer;
const mediaGets: string[] = [];
let ids: OriginFlows;
const objectsMade = new Set<string>();

beforeAll(async () => {
  origin = await startServer({
    env: { TAMS_AUTH: 'none' },
    logLines: (line) => {
      const entry = JSON.parse(line) as { msg?: string; req?: { method?: string; url?: string } };
      if (
        entry.msg === 'incoming request' &&
        entry.req?.method === 'GET' &&
        entry.req.url?.startsWith('/media/')
      )
        mediaGets.push(entry.req.url.split('?')[0] as string);
    },
  });
  destination = await startServer({
    ...(process.env.DEBUG_REPLICATION && {
      logLines: (line: string) => {
        if (line.includes('replication')) process.stderr.write(line);
      },
    }),
    env: {
      TAMS_AUTH: 'none',
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_POLL_SECONDS: '0.2',
      TAMS_REPLICATION_PAGE: '7',
      TAMS_WORKER_IDLE_MS: '50',
    },
  });
  const v8 = mountClient(origin, '/tams/v8.2');
  ids = await makeOrigin(v8);
  for (const id of await addOriginSegments(v8, ids.video, 0, 12)) objectsMade.add(id);
  for (const id of await addOriginSegments(v8, ids.audio, 0, 5)) objectsMade.add(id);
});

afterAll(async () => {
  await destination?.close();
  await origin?.close();
});

function firstUrl(segment: Record<string, unknown>): string {
  const urls = (segment.get_urls ?? []) as { url: string }[];
  const first = urls[0];
  if (first === undefined) throw new Error(`segment ${String(segment.timerange)} has no get_urls`);
  return first.url;
}

async function originSegments(flowId: string): Promise<number> {
  return (await segmentsOf(mountClient(origin, '/tams/v8.2'), flowId)).length;
}

describe('replication by copy', () => {
  let job: Job;

  it('copies the selection and catches up', async () => {
    const res = await destination.post<Job>('/replications', {
      origin: {
        url: `${origin.url}/tams/v8.2`,
        auth: { type: 'basic', username: 'u', password: 'hunter2-secret' },
      },
      select: { flow_id: ids.multi },
      media: 'copy',
      label: 'site B',
    });
    expect(res.status, res.text).toBe(201);
    expect(res.text).not.toContain('hunter2');
    const total = (await originSegments(ids.video)) + (await originSegments(ids.audio));
    job = await jobUntil(
      destination,
      res.body.id,
      (j) => j.state === 'following' && j.segments_copied === total,
    );
    expect(job.flows).toBe(3);
    expect(job.origin).toEqual({ url: `${origin.url}/tams/v8.2`, version: '8.2', auth: 'basic' });
    expect(JSON.stringify(job)).not.toContain('hunter2');
    expect(job.last_error).toBeUndefined();
  });

  it('has every segment field of the origin, through both mounts', async () => {
    const o8 = mountClient(origin, '/tams/v8.2');
    const o7 = mountClient(origin, '/tams/v7.0');
    for (const flowId of [ids.video, ids.audio]) {
      for (const [from, to, query] of [
        [o8, mountClient(destination, '/tams/v8.2'), { include_object_timerange: 'true' }],
        [o7, mountClient(destination, '/tams/v7.0'), {}],
      ] as const) {
        const want = (await segmentsOf(from, flowId, query)).map(fieldsOf);
        const got = (await segmentsOf(to, flowId, query)).map(fieldsOf);
        expect(want.length).toBeGreaterThan(0);
        expect(got).toEqual(want);
      }
    }
  });

  it('has the Flows and the Source as the origin has them', async () => {
    for (const flowId of [ids.video, ids.audio, ids.multi]) {
      for (const mount of ['/tams/v8.2', '/tams/v7.0']) {
        const want = await mountClient(origin, mount).get<Record<string, unknown>>(`/flows/${flowId}`);
        const got = await mountClient(destination, mount).get<Record<string, unknown>>(`/flows/${flowId}`);
        expect(got.status).toBe(200);
        expect(flowFieldsOf(got.body)).toEqual(flowFieldsOf(want.body));
      }
    }
    const want = await mountClient(origin, '/tams/v8.2').get<Record<string, unknown>>(
      `/sources/${ids.source}`,
    );
    const got = await mountClient(destination, '/tams/v8.2').get<Record<string, unknown>>(
      `/sources/${ids.source}`,
    );
    expect(got.body.label).toBe('Camera 1');
    expect(got.body.tags).toEqual(want.body.tags);
  });

  it('holds the same bytes, each object fetched from the origin once', async () => {
    const o8 = mountClient(origin, '/tams/v8.2');
    const d8 = mountClient(destination, '/tams/v8.2');
    const [want, got] = [await segmentsOf(o8, ids.video), await segmentsOf(d8, ids.video)];
    for (const [i, segment] of got.entries()) {
      const ours = firstUrl(segment);
      expect(ours.startsWith(destination.url)).toBe(true);
      const theirs = firstUrl(want[i] ?? {});
      expect((await bytesAt(ours)).equals(await bytesAt(theirs))).toBe(true);
    }
    // What the replication fetched before this test's own reads above.
    const fetched = mediaGets.slice(0, objectsMade.size);
    expect(new Set(fetched).size).toBe(objectsMade.size);
    expect(job.objects_copied).toBe(objectsMade.size);
  });

  it('follows new segments, and resumes after a pause copying only what is new', async () => {
    const v8 = mountClient(origin, '/tams/v8.2');
    const before = mediaGets.length;
    await addOriginSegments(v8, ids.video, 24, 3);
    const video = await originSegments(ids.video);
    await waitFor('the new segments here', async () => {
      const here = await segmentsOf(mountClient(destination, '/tams/v8.2'), ids.video);
      return here.length === video;
    });
    expect(mediaGets.length - before).toBe(2);
    const paused = await destination.post<Job>(`/replications/${job.id}/pause`, {});
    expect(paused.body.want).toBe('pause');
    await jobUntil(destination, job.id, (j) => j.state === 'paused');
    await addOriginSegments(v8, ids.video, 30, 4);
    const resumed = await destination.post<Job>(`/replications/${job.id}/resume`, {});
    expect(resumed.body.want).toBe('run');
    const total = (await originSegments(ids.video)) + (await originSegments(ids.audio));
    const done = await jobUntil(
      destination,
      job.id,
      (j) => j.state === 'following' && j.segments_copied === total,
    );
    expect(done.segments_copied).toBe(total);
    expect(mediaGets.length - before).toBe(2 + 3);
  });
});
