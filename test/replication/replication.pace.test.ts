/**
 * A catch-up gives way to the clients its destination serves, over real HTTP: an origin Flow of
 * 350 segments comes in one page, written here in writes of 100; with clients reading the
 * destination throughout, the job rests between its writes (tams_replication_rest_seconds_total
 * grows) and still copies every segment, each field as the origin has it, counted once; a
 * destination with TAMS_REPLICATION_SHARE=1 never rests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import {
  addOriginSegments,
  fieldsOf,
  jobUntil,
  makeOrigin,
  type ReplicationJob,
  segmentsOf,
} from './replication.fixture.ts';

const SEGMENTS = 350;
let origin: TestServer;
let flowId: string;
const destinations: TestServer[] = [];

async function destination(share: string): Promise<TestServer> {
  const server = await startServer({
    env: {
      TAMS_AUTH: 'none',
      TAMS_METRICS: 'true',
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_PAGE: '1000',
      TAMS_REPLICATION_SHARE: share,
      TAMS_WORKER_IDLE_MS: '50',
    },
  });
  destinations.push(server);
  return server;
}

beforeAll(async () => {
  origin = await startServer({ env: { TAMS_AUTH: 'none', TAMS_WORKER_IDLE_MS: '50' } });
  const ids = await makeOrigin(mountClient(origin, '/tams/v8.2'));
  flowId = ids.video;
  await addOriginSegments(mountClient(origin, '/tams/v8.2'), flowId, 0, SEGMENTS);
});

afterAll(async () => {
  for (const server of destinations) await server.close();
  await origin?.close();
});

/** Clients reading the destination, two requests in flight, until `stop` says so. */
function readers(server: TestServer): { stop: () => Promise<number> } {
  let stopped = false;
  let reads = 0;
  const loop = async () => {
    while (!stopped) {
      const res = await server.get('/flows', { query: { limit: 10 } });
      expect(res.status, res.text).toBe(200);
      reads++;
    }
  };
  const loops = [loop(), loop()];
  return {
    stop: async () => {
      stopped = true;
      await Promise.all(loops);
      return reads;
    },
  };
}

async function rested(server: TestServer): Promise<number> {
  const text = (await server.get('/metrics')).text;
  const line = text.split('\n').find((l) => l.startsWith('tams_replication_rest_seconds_total '));
  expect(line, 'the rest counter on /metrics').toBeDefined();
  return Number(line?.split(' ')[1]);
}

async function catchUp(server: TestServer): Promise<ReplicationJob> {
  const made = await server.post<ReplicationJob>('/replications', {
    origin: { url: `${origin.url}/tams/v8.2` },
    select: { flow_id: flowId },
    media: 'reference',
    follow: false,
  });
  expect(made.status, made.text).toBe(201);
  const reading = readers(server);
  try {
    return await jobUntil(server, made.body.id, (j) => j.state === 'done');
  } finally {
    expect(await reading.stop()).toBeGreaterThan(0);
  }
}

describe('a catch-up beside readers', () => {
  it('rests between its writes and copies every segment once, each field as the origin has it', async () => {
    const server = await destination('0.5');
    const job = await catchUp(server);
    expect(job.segments_copied).toBe(SEGMENTS);
    expect(job.segments_refused).toBe(0);
    expect(await rested(server)).toBeGreaterThan(0);
    const want = (await segmentsOf(mountClient(origin, '/tams/v8.2'), flowId)).map(fieldsOf);
    const got = (await segmentsOf(mountClient(server, '/tams/v8.2'), flowId)).map(fieldsOf);
    expect(got).toHaveLength(SEGMENTS);
    expect(got).toEqual(want);
  });

  it('never rests with TAMS_REPLICATION_SHARE=1', async () => {
    const server = await destination('1');
    const job = await catchUp(server);
    expect(job.segments_copied).toBe(SEGMENTS);
    expect(await rested(server)).toBe(0);
  });
});
