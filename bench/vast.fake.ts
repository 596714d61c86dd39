/** The fake VAST process of the benchmark (vast.fake.main.ts) as the benchmark drives it. */
import { type ChildProcess, fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { CallKind } from '../tools/vast-fake/fake.faults.ts';

export type FakeControl = { op: 'stats' } | { op: 'spans' } | { op: 'reset' } | { op: 'latency'; ms: number };
export type FakeReply =
  | { op: 'ready'; url: string; access: string; secret: string; bucket: string }
  | {
      op: 'stats';
      calls: Record<CallKind, number>;
      rows: number;
      conflicts: number;
      examined: number;
      projectionReads: number;
      bytesIn: number;
      bytesOut: number;
    }
  | { op: 'spans'; spans: [string, string, CallKind][] }
  | { op: 'done' };

/** One request to the fake: when it arrived and when its answer ended (ns), and its kind. */
export interface Span {
  readonly start: bigint;
  readonly end: bigint;
  readonly kind: CallKind;
}

export interface FakeCounts {
  readonly calls: Record<CallKind, number>;
  /** Rows sent in QueryData answers. */
  readonly rows: number;
  /** Commits refused because another transaction changed the same rows first. */
  readonly conflicts: number;
  /** Rows the fake evaluated QueryData filters on (its indexes' or a projection's candidates). */
  readonly examined: number;
  /** QueryData answered from a projection (FAKE_VAST_PROJECTIONS). */
  readonly projectionReads: number;
  /** Bytes sent to the fake and by it, on the wire (0 unless started with `countBytes`). */
  readonly bytesIn: number;
  readonly bytesOut: number;
}

export interface FakeVastProcess {
  /** The TAMS_* settings of a server (or store) on this fake. */
  readonly env: Record<string, string>;
  readonly pid: number;
  counts(): Promise<FakeCounts>;
  /**
   * Each request's arrival and the end of its answer (process.hrtime.bigint(), ns, the same
   * clock in every process of the machine) since the last call; the first call starts recording.
   */
  spans(): Promise<Span[]>;
  reset(): Promise<void>;
  /** Added before every answer from now on. */
  setLatency(ms: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFakeVastProcess(
  /**
   * countBytes: the bytes each way counted, through a proxy in the fake's process
   * (vast.fake.main.ts); nodeFlags: more flags for its node (a larger heap for millions of rows).
   */
  options: { countBytes?: boolean; nodeFlags?: readonly string[] } = {},
): Promise<FakeVastProcess> {
  const child: ChildProcess = fork(fileURLToPath(new URL('./vast.fake.main.ts', import.meta.url)), [], {
    env: { ...process.env, FAKE_VAST_COUNT_BYTES: options.countBytes ? '1' : '0' },
    // FAKE_NODE_FLAGS adds flags to the fake's node (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
    execArgv: [
      ...(options.nodeFlags ?? []),
      ...(process.env.FAKE_NODE_FLAGS ?? '').split(' ').filter((f) => f !== ''),
      '--import',
      'tsx',
    ],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  // One question at a time: each message gets the next reply.
  const waiting: { resolve: (reply: FakeReply) => void; reject: (e: Error) => void }[] = [];
  child.on('message', (reply: FakeReply) => waiting.shift()?.resolve(reply));
  child.on('exit', (code) => {
    for (const w of waiting.splice(0)) w.reject(new Error(`the fake VAST process exited (${code})`));
  });
  const next = () => new Promise<FakeReply>((resolve, reject) => waiting.push({ resolve, reject }));
  const ready = await next();
  if (ready.op !== 'ready') throw new Error(`fake VAST: unexpected first message ${ready.op}`);
  const ask = async (control: FakeControl) => {
    const reply = next();
    child.send(control);
    return reply;
  };
  return {
    env: {
      TAMS_DB: 'vast',
      TAMS_VAST_ENDPOINTS: ready.url,
      TAMS_VAST_ACCESS_KEY: ready.access,
      TAMS_VAST_SECRET_KEY: ready.secret,
      TAMS_VAST_BUCKET: ready.bucket,
      TAMS_VAST_SCHEMA: 'tams',
    },
    pid: child.pid as number,
    async counts() {
      const reply = await ask({ op: 'stats' });
      if (reply.op !== 'stats') throw new Error('fake VAST: no stats');
      return {
        calls: reply.calls,
        rows: reply.rows,
        conflicts: reply.conflicts,
        examined: reply.examined,
        projectionReads: reply.projectionReads,
        bytesIn: reply.bytesIn,
        bytesOut: reply.bytesOut,
      };
    },
    async spans() {
      const reply = await ask({ op: 'spans' });
      if (reply.op !== 'spans') throw new Error('fake VAST: no spans');
      return reply.spans.map(([a, b, kind]) => ({ start: BigInt(a), end: BigInt(b), kind }));
    },
    async reset() {
      await ask({ op: 'reset' });
    },
    async setLatency(ms) {
      await ask({ op: 'latency', ms });
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
