/**
 * The main benchmark's comparison of the API versions: segment pages and single-segment POSTs
 * through TAMS 7.0 (at `/`) and through TAMS 8.2 (at `/tams/v8.2`) on one server, one store and
 * one data set, in rounds that alternate which version goes first, so that the machine's drift
 * over a run falls on both. Throughput, latency and the server's CPU per operation of each, and
 * 8.2's over 7.0's (the target: within 10 %).
 */
import { V8_MOUNT } from '../src/http/api.version.ts';
import type { Dataset } from './bench.dataset.ts';
import type { LoadSettings, Record } from './bench.pages.ts';
import { pagePath } from './bench.requests.ts';
import type { RunningServer } from './bench.server.ts';
import { allocate, type Length, type MeasuredRun, measure, postRun } from './bench.versions.load.ts';
import { percentile } from './replicas.load.ts';

type Version = '7.0' | '8.2';
const PREFIX: { [v in Version]: string } = { '7.0': '', '8.2': V8_MOUNT.prefix };

/** What each version's clients ask for one kind of request. */
interface Kind {
  name: string;
  /** The query added to a page's `?timerange=…&limit=100`, per version. */
  query?: { [v in Version]: string };
  /** Both versions answer the same: the target applies. */
  same: boolean;
}

/**
 * The plain page both versions' clients ask (BBC's 7.0 outgest and both versions' edit), and the
 * page BBC's 8.2 outgest asks (`presigned=true&include_object_timerange=true`) beside the same
 * URLs through 7.0, which has no object timeranges: 8.2's answer is longer by them (14 % on the
 * benchmark's pages), so it is not "the same through 7.0" the target speaks of.
 */
const KINDS: readonly Kind[] = [
  { name: 'segment page', query: { '7.0': '', '8.2': '' }, same: true },
  {
    name: 'outgest page',
    query: { '7.0': '&presigned=true', '8.2': '&presigned=true&include_object_timerange=true' },
    same: false,
  },
  { name: 'single POST', same: true },
];

/** Connections of the single POSTs, as the main single-POST run's. */
const POST_CONNECTIONS = 64;
/** Single POSTs a second planned for before one was measured. */
const FIRST_RATE = 10_000;

export interface VersionSettings extends LoadSettings {
  rounds: number;
}

export interface VersionsInput {
  dataset: Dataset;
  /** Warm Flows whose pages are read. */
  hot: readonly string[];
  /** Where each Flow's next single POST goes on its timeline (after the runs before). */
  positions: Map<string, number>;
  /** The single POSTs a second a run before measured, if one did. */
  singleRate?: number;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)] as T;

/**
 * The rounds; returns the objects allocated for the POSTs that none took, per Flow (a run in
 * place keeps them for the next run).
 */
export async function versionRounds(
  tams: RunningServer,
  input: VersionsInput,
  settings: VersionSettings,
  record: Record,
  log: (line: string) => void,
): Promise<Map<string, string[]>> {
  const { dataset, hot } = input;
  await checkAnswers(tams, dataset, hot);
  const runs = new Map<string, MeasuredRun[]>();
  const leftover = new Map<string, string[]>();
  let postRate = input.singleRate ?? FIRST_RATE;
  log(
    `API versions: ${settings.rounds} rounds of segment pages and single POSTs, 7.0 at / and 8.2 at ${V8_MOUNT.prefix}`,
  );
  for (let round = 0; round < settings.rounds; round++) {
    const order: Version[] = round % 2 === 0 ? ['7.0', '8.2'] : ['8.2', '7.0'];
    const rates: number[] = [];
    for (const kind of KINDS) {
      for (const version of order) {
        let run: MeasuredRun;
        if (kind.query) {
          const query = kind.query[version];
          run = await measure(
            tams,
            {
              connections: settings.connections,
              next: () => ({ path: `${PREFIX[version]}${pagePath(dataset, pick(hot))}${query}` }),
            },
            { warmup: { seconds: settings.warmup }, run: { seconds: settings.duration } },
          );
        } else {
          // As many POSTs as the rate seen so far makes in the run's seconds: each needs an
          // object never used, allocated for this run, and both versions of a round get as many.
          const lengths = {
            warmup: { amount: Math.max(POST_CONNECTIONS, Math.round(postRate * settings.warmup)) },
            run: { amount: Math.max(POST_CONNECTIONS * 10, Math.round(postRate * settings.duration)) },
          };
          const sent = lengths.warmup.amount + lengths.run.amount + POST_CONNECTIONS;
          const perFlow = Math.ceil(sent / dataset.flowIds.length) + 2;
          const posts = postRun(
            dataset,
            PREFIX[version],
            await allocate(tams, dataset.flowIds, perFlow),
            input.positions,
          );
          run = await measure(
            tams,
            { connections: POST_CONNECTIONS, method: 'POST', next: posts.next },
            lengths satisfies { warmup: Length; run: Length },
          );
          if (posts.reused() > 0)
            throw new Error(`${version} single POSTs: ${posts.reused()} ran out of objects`);
          for (const [flowId, ids] of posts.leftover())
            leftover.set(flowId, [...(leftover.get(flowId) ?? []), ...ids]);
          rates.push(run.ok / run.seconds);
        }
        if (run.failed > 0) throw new Error(`${kind.name} through ${version}: ${run.failed} failed requests`);
        const key = `${kind.name} ${version}`;
        runs.set(key, [...(runs.get(key) ?? []), run]);
        log(
          `  round ${round + 1}, ${kind.name} through ${version}: ${(run.ok / run.seconds).toFixed(0)} req/s, p99 ${percentile(run.latencies, 99).toFixed(2)} ms, ${((run.cpuMs * 1000) / run.ok).toFixed(0)} µs CPU/op`,
        );
      }
    }
    postRate = rates.reduce((a, b) => a + b, 0) / rates.length;
  }
  report(runs, settings.rounds, record, log);
  return leftover;
}

/** One answer of each request, each version: 100 segments, object timeranges only where asked. */
async function checkAnswers(tams: RunningServer, dataset: Dataset, hot: readonly string[]): Promise<void> {
  for (const kind of KINDS) {
    for (const version of ['7.0', '8.2'] as const) {
      if (!kind.query) continue;
      const path = `${PREFIX[version]}${pagePath(dataset, hot[0] as string)}${kind.query[version]}`;
      const res = await fetch(`${tams.url}${path}`, { headers: tams.headers });
      const text = await res.text();
      const items = res.status === 200 ? (JSON.parse(text) as { object_timerange?: string }[]) : [];
      const ranges = kind.query[version].includes('include_object_timerange=true');
      if (items.length !== 100 || items.some((s) => (s.object_timerange !== undefined) !== ranges))
        throw new Error(`${kind.name} through ${version} (${path}): ${res.status} ${text.slice(0, 300)}`);
    }
  }
}

interface Summary {
  rps: number;
  p50: number;
  p99: number;
  cpuUs: number;
}

/** Every round of a kind and version together: answers over seconds, latencies pooled, CPU over answers. */
function summary(runs: readonly MeasuredRun[]): Summary {
  const ok = runs.reduce((n, r) => n + r.ok, 0);
  const latencies = runs.flatMap((r) => r.latencies);
  return {
    rps: ok / runs.reduce((n, r) => n + r.seconds, 0),
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    cpuUs: (runs.reduce((n, r) => n + r.cpuMs, 0) * 1000) / ok,
  };
}

/** The target: 8.2 within 10 % of 7.0. */
const WITHIN = 0.1;

function report(
  runs: ReadonlyMap<string, MeasuredRun[]>,
  rounds: number,
  record: Record,
  log: (line: string) => void,
) {
  const rows: string[][] = [['', 'req/s', 'p50 ms', 'p99 ms', 'CPU µs/op']];
  for (const kind of KINDS) {
    const v7 = summary(runs.get(`${kind.name} 7.0`) ?? []);
    const v8 = summary(runs.get(`${kind.name} 8.2`) ?? []);
    for (const [version, s] of [
      ['7.0', v7],
      ['8.2', v8],
    ] as const) {
      record({ name: `${kind.name} through ${version}`, value: s.rps, unit: 'req/s' });
      record({ name: `${kind.name} through ${version} p50`, value: s.p50, unit: 'ms', digits: 2 });
      record({ name: `${kind.name} through ${version} p99`, value: s.p99, unit: 'ms', digits: 2 });
      record({ name: `${kind.name} through ${version} CPU per operation`, value: s.cpuUs, unit: 'µs' });
      rows.push([
        `${kind.name}, ${version}`,
        s.rps.toFixed(0),
        s.p50.toFixed(2),
        s.p99.toFixed(2),
        s.cpuUs.toFixed(0),
      ]);
    }
    const ratio = (name: string, value: number, better: 'higher' | 'lower') =>
      record({
        name: `${kind.name} 8.2/7.0 ${name}`,
        value,
        unit: '',
        digits: 2,
        ...(kind.same ? { target: better === 'higher' ? { min: 1 - WITHIN } : { max: 1 + WITHIN } } : {}),
      });
    ratio('req/s', v8.rps / v7.rps, 'higher');
    ratio('p50', v8.p50 / v7.p50, 'lower');
    ratio('p99', v8.p99 / v7.p99, 'lower');
    ratio('CPU per operation', v8.cpuUs / v7.cpuUs, 'lower');
    const perRound = (runs.get(`${kind.name} 8.2`) ?? []).map((r, i) => {
      const other = runs.get(`${kind.name} 7.0`)?.[i];
      return other ? r.ok / r.seconds / (other.ok / other.seconds) : Number.NaN;
    });
    rows.push([
      `${kind.name}, 8.2/7.0`,
      `${(v8.rps / v7.rps).toFixed(2)} (rounds ${perRound.map((x) => x.toFixed(2)).join(', ')})`,
      (v8.p50 / v7.p50).toFixed(2),
      (v8.p99 / v7.p99).toFixed(2),
      (v8.cpuUs / v7.cpuUs).toFixed(2),
    ]);
  }
  // BBC's 7.0 outgest asks the plain page: each version's outgest client, side by side.
  const v7 = summary(runs.get('segment page 7.0') ?? []);
  const v8 = summary(runs.get('outgest page 8.2') ?? []);
  record({
    name: "outgest page as each version's BBC client asks, 8.2/7.0 req/s",
    value: v8.rps / v7.rps,
    unit: '',
    digits: 2,
  });
  record({
    name: "outgest page as each version's BBC client asks, 8.2/7.0 CPU per operation",
    value: v8.cpuUs / v7.cpuUs,
    unit: '',
    digits: 2,
  });
  rows.push([
    'outgest as BBC asks, 8.2/7.0',
    (v8.rps / v7.rps).toFixed(2),
    (v8.p50 / v7.p50).toFixed(2),
    (v8.p99 / v7.p99).toFixed(2),
    (v8.cpuUs / v7.cpuUs).toFixed(2),
  ]);
  log('');
  log(`API versions, ${rounds} rounds (8.2/7.0: the issue's target is within ${WITHIN * 100} %)`);
  const widths = [0, 1, 2, 3, 4].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
  for (const r of rows)
    log(
      r.map((c, i) => (i === 0 ? c.padEnd(widths[i] as number) : c.padStart(widths[i] as number))).join('  '),
    );
}
