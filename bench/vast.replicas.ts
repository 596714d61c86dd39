/**
 * `npm run bench -- --engine vast --replicas N`: N tams-server processes on one fake VAST database
 * (tools/vast-fake, in a process of its own), requests spread over them as a load balancer would,
 * against one server on the same fake and data set. Segment pages, single-segment POSTs and bulk
 * POSTs, at 1 ms per round trip; besides throughput, the commits the fake refused because another
 * replica changed the same rows first (each one a transaction run again): the cost of keeping
 * replicas exact (docs/replicas.md).
 *
 * Single POSTs are spread two ways: in turn over the replicas whatever their Flow (a plain
 * round-robin balancer: two replicas register segments of one Flow at once and one of them runs
 * again), and by Flow (a balancer hashing the path: each Flow's ingest on one replica). On this
 * machine's 2 cores the replicas, the fake and the load generator share the CPU: the figures say
 * what the design costs, not how far replicas scale on separate machines.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions } from './bench.args.ts';
import { buildDataset, type Dataset } from './bench.dataset.ts';
import { type LoadResult, load } from './bench.load.ts';
import { type Figure, printTable, writeResults } from './bench.report.ts';
import { BULK_BATCH, bulkBody, segmentsPath, singlePosts } from './bench.requests.ts';
import { type RunningServer, startTams } from './bench.server.ts';
import { type FakeCounts, type FakeVastProcess, startFakeVastProcess } from './vast.fake.ts';

const LATENCY_MS = 1;
const PAGE_CONNECTIONS = 10;
const POST_CONNECTIONS = 64;
/** Bulk batches per replica in a run (after one each not counted). */
const BULK_RUNS = { quick: 2, full: 5 };
/** Objects allocated per Flow for the single POSTs (used again once all were registered). */
const SPARE = 200;

/** Loads run side by side, one per server, `connections` split between them; summed. */
async function spread(
  servers: readonly RunningServer[],
  connections: number,
  duration: number,
  request: (replica: number) => Pick<Parameters<typeof load>[0], 'method' | 'next'>,
): Promise<LoadResult> {
  const results = await Promise.all(
    servers.map((s, i) =>
      load({
        url: s.url,
        headers: s.headers,
        duration,
        connections: Math.max(1, Math.round(connections / servers.length)),
        ...request(i),
      }),
    ),
  );
  return {
    rps: results.reduce((n, r) => n + r.rps, 0),
    // The slowest replica's: a client behind the balancer meets each of them.
    p50: Math.max(...results.map((r) => r.p50)),
    p99: Math.max(...results.map((r) => r.p99)),
    ok: results.reduce((n, r) => n + r.ok, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    seconds: Math.max(...results.map((r) => r.seconds)),
  };
}

/**
 * Waits until the fake has had no request for 300 ms: the load generator stops at its deadline,
 * but the servers still finish (and run again) what they had accepted.
 */
async function quiet(fake: FakeVastProcess): Promise<void> {
  const total = (c: FakeCounts) => Object.values(c.calls).reduce((n, k) => n + k, 0);
  let last = total(await fake.counts());
  for (;;) {
    await new Promise((r) => setTimeout(r, 300));
    const now = total(await fake.counts());
    if (now === last) return;
    last = now;
  }
}

/** The data set's Flows split by a hash of their id, as a balancer hashing the path would. */
function byFlow(dataset: Dataset, replicas: number): Dataset[] {
  const parts = Array.from({ length: replicas }, () => [] as string[]);
  for (const id of dataset.flowIds) parts[Number.parseInt(id.slice(0, 8), 16) % replicas]?.push(id);
  return parts.map((flowIds) => ({ ...dataset, flowIds: flowIds.length > 0 ? flowIds : dataset.flowIds }));
}

export async function runReplicasBench(options: BenchOptions, log: (line: string) => void): Promise<void> {
  const figures: Figure[] = [];
  const record = (figure: Figure) => {
    figures.push(figure);
    log(`  ${figure.name}: ${figure.value.toFixed(figure.digits ?? 0)} ${figure.unit}`);
  };
  const n = options.replicas;
  const bulkRuns = options.quick ? BULK_RUNS.quick : BULK_RUNS.full;
  log(
    `tams-server replicas on one VAST database (the fake VAST server): ${n} against 1, ${options.flows} flows, ${options.segments.toLocaleString('en')} segments, ${LATENCY_MS} ms per round trip`,
  );
  log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}`);
  const fake = await startFakeVastProcess();
  const dir = join(options.dir, 'vast-replicas');
  const dataset = await buildDataset(
    dir,
    {
      flows: options.flows,
      segments: options.segments,
      spare: SPARE,
      bulk: BULK_BATCH * (2 * (n + 1) * (bulkRuns + 1)),
    },
    false,
    log,
    fake.env,
  );
  log(`data set ready (${dataset.buildSeconds.toFixed(0)} s to build)`);
  // One generator of single POSTs per Flow set for the whole run: it knows where each Flow ends.
  const positions = new Map<string, number>();
  const allPosts = singlePosts(dataset, positions);
  const flowPosts = byFlow(dataset, n).map((d) => singlePosts(d, positions));
  let bulkBatch = 0;
  const conflicts = (a: FakeCounts, b: FakeCounts) => b.conflicts - a.conflicts;

  try {
    for (const count of [1, n]) {
      const at = `${count} replica${count > 1 ? 's' : ''}`;
      log(`-- ${at}`);
      const servers = await Promise.all(
        Array.from({ length: count }, () => startTams(dir, { ...fake.env, TAMS_WORKER_IDLE_MS: '600000' })),
      );
      try {
        // Each replica's first POST to a Flow reads the events' filter fields in turn: not measured.
        for (const s of servers) {
          for (let f = 0; f < dataset.flowIds.length; f++) {
            const { path, body } = allPosts();
            const res = await fetch(`${s.url}${path}`, {
              method: 'POST',
              headers: { ...s.headers, 'content-type': 'application/json' },
              body,
            });
            if (res.status !== 201) throw new Error(`warm-up POST: ${res.status} ${await res.text()}`);
          }
        }
        await fake.setLatency(LATENCY_MS);

        const pages = await spread(servers, PAGE_CONNECTIONS, options.duration, () => ({
          next: () => ({ path: segmentsPath(dataset) }),
        }));
        if (pages.failed > 0) throw new Error(`segment pages: ${pages.failed} failed`);
        await quiet(fake);
        record({ name: `segments GET req/s [${at}]`, value: pages.rps, unit: 'req/s' });
        record({ name: `segments GET p99 [${at}]`, value: pages.p99, unit: 'ms', digits: 1 });

        // By Flow first: the in-turn run leaves the replicas a backlog of refused transactions
        // to run again, which would be charged to whatever runs next.
        const modes: [string, (i: number) => () => { path: string; body: string }][] =
          count === 1
            ? [['', () => allPosts]]
            : [
                ['by Flow', (i) => flowPosts[i] as () => { path: string; body: string }],
                ['in turn', () => allPosts],
              ];
        for (const [mode, posts] of modes) {
          const label = mode === '' ? at : `${at}, ${mode}`;
          const before = await fake.counts();
          const single = await spread(servers, POST_CONNECTIONS, options.duration, (i) => ({
            method: 'POST',
            next: posts(i),
          }));
          const after = await fake.counts();
          await quiet(fake);
          record({ name: `single-segment POST [${label}]`, value: single.rps, unit: 'segments/s' });
          // A POST whose transaction lost 5 times in a row answers 503 (Retry-After): a client sends it again.
          record({
            name: `single-segment POST: not 201 per 1,000 [${label}]`,
            value: (1000 * single.failed) / Math.max(1, single.ok + single.failed),
            unit: '',
            digits: 1,
          });
          record({ name: `single-segment POST p99 [${label}]`, value: single.p99, unit: 'ms', digits: 1 });
          record({
            name: `single-segment POST: commits refused per 1,000 [${label}]`,
            value: (1000 * conflicts(before, after)) / Math.max(1, single.ok),
            unit: '',
            digits: 1,
          });
        }

        // Bulk: one stream per replica, batches of the one bulk Flow in turn (disjoint in time).
        // A batch whose transaction kept losing to the other replicas' answers 503: sent again, as
        // a client would, and counted.
        let bulk503 = 0;
        const bulkPost = async (s: RunningServer) => {
          const body = bulkBody(dataset, bulkBatch++);
          for (let attempt = 0; ; attempt++) {
            const res = await fetch(`${s.url}/flows/${dataset.bulkFlow}/segments`, {
              method: 'POST',
              headers: { ...s.headers, 'content-type': 'application/json' },
              body,
            });
            const text = await res.text();
            if (res.status === 201) return;
            if (res.status !== 503 || attempt >= 20)
              throw new Error(`bulk POST: ${res.status} ${text.slice(0, 300)}`);
            bulk503++;
          }
        };
        for (const s of servers) await bulkPost(s);
        const before = await fake.counts();
        const started = performance.now();
        await Promise.all(
          servers.map(async (s) => {
            for (let b = 0; b < bulkRuns; b++) await bulkPost(s);
          }),
        );
        const seconds = (performance.now() - started) / 1000;
        const after = await fake.counts();
        await quiet(fake);
        const batches = bulkRuns * servers.length;
        record({
          name: `bulk POST, one Flow [${at}]`,
          value: (batches * BULK_BATCH) / seconds,
          unit: 'segments/s',
        });
        record({
          name: `bulk POST: answered 503 per batch [${at}]`,
          value: bulk503 / batches,
          unit: '',
          digits: 2,
        });
        record({
          name: `bulk POST: commits refused per batch [${at}]`,
          value: conflicts(before, after) / batches,
          unit: '',
          digits: 2,
        });
        await fake.setLatency(0);
      } finally {
        await Promise.all(servers.map((s) => s.stop()));
      }
    }
  } finally {
    await fake.stop();
  }
  printTable(figures, log);
  writeResults(options.out, { options, figures }, log);
}
