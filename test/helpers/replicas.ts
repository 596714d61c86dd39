/**
 * Several tams-server processes on one shared database (test/ops/child.ts starts each as
 * `node src/main.ts`), driven by a client that spreads its requests over them as a load balancer
 * would, or sends to the one named; and the scenario every shared engine must pass: overlapping
 * segment POSTs from all of them at once. Used by the replica suites of each shared engine
 * (test/vast/vast.processes.test.ts, test/postgres/).
 */
import { expect } from 'vitest';
import { parseTimeRange, type TimeRange } from '../../src/time/index.ts';
import { videoFlow } from '../http/fixtures.ts';
import { type ChildServer, spawnServer } from '../ops/child.ts';
import { secs } from '../segments/helpers.ts';
import { killChild } from './children.ts';

export interface Answer {
  status: number;
  body: unknown;
  text: string;
  link: string | null;
}

export class Replicas {
  private turn = 0;

  private constructor(
    /** The processes still running, in start order (a killed one is taken out). */
    public servers: ChildServer[],
  ) {}

  /** `count` server processes with `env`, started at once. */
  static async start(count: number, env: Record<string, string>): Promise<Replicas> {
    const started = await Promise.allSettled(Array.from({ length: count }, () => spawnServer(env)));
    const servers = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
    const failed = started.find((s): s is PromiseRejectedResult => s.status === 'rejected');
    if (failed) {
      await Promise.all(servers.map((s) => killChild(s.process)));
      throw failed.reason;
    }
    return new Replicas(servers);
  }

  get count(): number {
    return this.servers.length;
  }

  /** The process whose pid is `pid` (a lease owner is `host:pid:uuid`: src/deps.store.ts). */
  byPid(pid: number): ChildServer | undefined {
    return this.servers.find((s) => s.process.pid === pid);
  }

  /** The process a lease owner string names. */
  byOwner(owner: string): ChildServer | undefined {
    return this.byPid(Number(owner.split(':').at(-2)));
  }

  /** To the next process in turn (round robin), or to the one given by its index. */
  async send(method: string, path: string, body?: unknown, replica?: number): Promise<Answer> {
    const target = this.servers[replica ?? this.turn++ % this.servers.length] as ChildServer;
    const res = await fetch(`${target.url}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return {
      status: res.status,
      text,
      body: text === '' ? undefined : JSON.parse(text),
      link: res.headers.get('link'),
    };
  }

  /**
   * As an ingest client behaves: a 503 (Retry-After: the database busy, here commits that kept
   * losing to other replicas') is sent again, to the next process.
   */
  async sendRetrying(method: string, path: string, body?: unknown): Promise<Answer & { retries: number }> {
    for (let retries = 0; ; retries++) {
      const answer = await this.send(method, path, body);
      if (answer.status !== 503 || retries >= 10) return { ...answer, retries };
    }
  }

  /** Every segment of a Flow as process `replica` lists it, following Link rel="next". */
  async segmentsOn(replica: number, flowId: string): Promise<string[]> {
    const out: string[] = [];
    let path: string | undefined = `/flows/${flowId}/segments?limit=100`;
    while (path !== undefined) {
      const page = await this.send('GET', path, undefined, replica);
      expect(page.status, page.text).toBe(200);
      out.push(...(page.body as { timerange: string }[]).map((s) => s.timerange));
      const next = /<([^>]+)>;\s*rel="next"/.exec(page.link ?? '')?.[1];
      path = next === undefined ? undefined : next.replace(/^https?:\/\/[^/]+/, '');
    }
    return out;
  }

  /** Kills `server` (SIGKILL unless told) and takes it out of the rotation once it has exited. */
  async kill(server: ChildServer, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    await killChild(server.process, signal);
    this.servers = this.servers.filter((s) => s !== server);
  }

  /** Stops every process (SIGTERM, a clean shutdown) and waits for them. */
  async close(): Promise<void> {
    await Promise.all(this.servers.map((s) => killChild(s.process, 'SIGTERM')));
    this.servers = [];
  }
}

/** One POST of the overlapping pairs scenario and its answer. */
export interface PairPost {
  flowId: string;
  k: number;
  segment: { object_id: string; timerange: string };
  answer: Answer & { retries: number };
}

/**
 * Creates `flows` Flows and POSTs `pairs` pairs of overlapping segments to each, spread over the
 * processes (the two of a pair go to different processes): each pair overlaps by half a second. Checks that every answer is 201 or 400 and that exactly one of each
 * pair was accepted; returns the answers and each Flow's accepted timeranges.
 */
export async function postOverlappingPairs(
  replicas: Replicas,
  { flows: count, pairs }: { flows: number; pairs: number },
): Promise<{ results: PairPost[]; accepted: Map<string, string[]> }> {
  const flows = Array.from({ length: count }, () => videoFlow({ tags: { replicas: 'yes' } }));
  const ids = new Map<string, string[]>();
  for (const flow of flows) {
    const created = await replicas.send('PUT', `/flows/${flow.id}`, flow);
    expect(created.status, created.text).toBe(201);
    // Objects for every segment, allocated on the processes in turn.
    const res = await replicas.send('POST', `/flows/${flow.id}/storage`, { limit: 2 * pairs });
    expect(res.status, res.text).toBe(201);
    ids.set(
      flow.id as string,
      (res.body as { media_objects: { object_id: string }[] }).media_objects.map((o) => o.object_id),
    );
  }
  // A wave per pair: every Flow's pair k at once, so that each pair's two POSTs reach their
  // processes at the same moment, ahead of any batch (one all-at-once burst contests only its
  // first few: each process then registers the rest in a batch or two, one after another).
  const results: PairPost[] = [];
  for (let k = 0; k < pairs; k++) {
    const wave = flows.flatMap((flow) => {
      const flowId = flow.id as string;
      const objects = ids.get(flowId) as string[];
      return [
        { object_id: objects[2 * k] as string, timerange: secs(4 * k, 4 * k + 2) },
        { object_id: objects[2 * k + 1] as string, timerange: `[${4 * k + 1}:500000000_${4 * k + 3}:0)` },
      ].map(async (segment) => ({
        flowId,
        k,
        segment,
        answer: await replicas.sendRetrying('POST', `/flows/${flowId}/segments`, segment),
      }));
    });
    results.push(...(await Promise.all(wave)));
  }
  expect(
    results.filter((r) => r.answer.status !== 201 && r.answer.status !== 400).map((r) => r.answer.text),
  ).toEqual([]);
  const accepted = new Map<string, string[]>();
  /** Pairs of which not exactly one was accepted: `<flow> pair <k>: <statuses>`. */
  const wrong: string[] = [];
  for (const flow of flows) {
    const flowId = flow.id as string;
    const won: string[] = [];
    for (let k = 0; k < pairs; k++) {
      const pair = results.filter((r) => r.flowId === flowId && r.k === k);
      const winners = pair.filter((r) => r.answer.status === 201);
      if (winners.length !== 1) wrong.push(`${flowId} pair ${k}: ${pair.map((r) => r.answer.status)}`);
      if (winners[0]) won.push(winners[0].segment.timerange);
    }
    accepted.set(flowId, won);
  }
  expect(wrong, 'pairs of which not exactly one was accepted').toEqual([]);
  return { results, accepted };
}

/**
 * Every process lists exactly the accepted segments of each Flow (nothing more, none missing,
 * none overlapping), and the Flow with its tags.
 */
export async function expectReadBack(
  replicas: Replicas,
  accepted: ReadonlyMap<string, string[]>,
): Promise<void> {
  for (let replica = 0; replica < replicas.count; replica++) {
    for (const [flowId, timeranges] of accepted) {
      const stored = await replicas.segmentsOn(replica, flowId);
      const want = timeranges.map((t) => parseTimeRange(t).format());
      expect([...stored].sort(), `segments of ${flowId} on process ${replica}`).toEqual([...want].sort());
      const ranges = stored.map((t) => parseTimeRange(t));
      for (let i = 1; i < ranges.length; i++) {
        expect((ranges[i - 1] as TimeRange).overlaps(ranges[i] as TimeRange)).toBe(false);
      }
      const got = await replicas.send('GET', `/flows/${flowId}`, undefined, replica);
      expect(got.status).toBe(200);
      expect((got.body as { tags: Record<string, string> }).tags).toEqual({ replicas: 'yes' });
    }
  }
}

/**
 * A new video Flow with `segments` one-second segments from 0 s, registered in one bulk POST
 * through the replicas (a deletion's test subject). Returns the Flow's id.
 */
export async function flowWithSegments(replicas: Replicas, segments: number): Promise<string> {
  const flow = videoFlow();
  const flowId = flow.id as string;
  expect((await replicas.send('PUT', `/flows/${flowId}`, flow)).status).toBe(201);
  const allocated = await replicas.send('POST', `/flows/${flowId}/storage`, { limit: segments });
  const ids = (allocated.body as { media_objects: { object_id: string }[] }).media_objects.map(
    (o) => o.object_id,
  );
  const bulk = ids.map((object_id, k) => ({ object_id, timerange: secs(k, k + 1) }));
  expect((await replicas.send('POST', `/flows/${flowId}/segments`, bulk)).status).toBe(201);
  return flowId;
}
