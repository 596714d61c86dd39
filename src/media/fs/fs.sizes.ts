import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { KEY_RULE, MISSING_CODES } from './fs.paths.ts';

/** Paths per message: a batch of the size follower is up to ~12,000 objects. */
const CHUNK = 2048;

/** What the thread answers for a key with no regular file (missing, a directory, a link). */
const NONE = -1;
/** What the thread answers for a key that is not a valid storage path (fs.paths.ts). */
const INVALID = -2;

/**
 * The thread's code, plain JavaScript run with `eval`: a loop of lstat calls needs no module of
 * the project, and no TypeScript loader to start. It checks each key as isValidKey does (the rule
 * comes in `workerData`) before it makes the key a file under the root: the server's thread only
 * copies the keys over. A key with no regular file (the errors `head` takes as missing, also in
 * `workerData`) is NONE; any other failure (permissions, I/O) fails the whole message.
 */
const THREAD = `
const { parentPort, workerData } = require('node:worker_threads');
const { lstatSync } = require('node:fs');
const key = new RegExp(workerData.pattern);
parentPort.on('message', ({ id, under, keys }) => {
  const sizes = new Float64Array(keys.length);
  try {
    for (let i = 0; i < keys.length; i++) {
      const k = keys[i];
      if (k.length > workerData.maxLength || !key.test(k)) {
        sizes[i] = ${INVALID};
        continue;
      }
      let stats;
      try {
        stats = lstatSync(under + k, { throwIfNoEntry: false });
      } catch (error) {
        if (!workerData.missing.includes(error.code)) throw error;
      }
      sizes[i] = stats !== undefined && stats.isFile() ? stats.size : ${NONE};
    }
    parentPort.postMessage({ id, sizes }, [sizes.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

interface Reply {
  id: number;
  sizes?: Float64Array;
  error?: string;
}

/**
 * The sizes of the objects of a local media directory, stat'ed on a thread of their own. The object
 * size follower asks for every object registered, ~12,000 at a time under bulk ingest; a stat
 * is ~1-4 us, and those made on the server's thread held registrations back by ~20 % of bulk
 * POSTs' rate (docs/benchmarks-history.md, session 43). The thread starts at the first call and does not keep
 * the process alive.
 */
export class FileSizes {
  /** The root as the prefix of its files' paths (join(root, key) of a valid key). */
  private readonly under: string;
  private worker: Worker | undefined;
  private nextId = 1;
  private readonly waiting = new Map<
    number,
    { resolve(sizes: Float64Array): void; reject(e: Error): void }
  >();

  constructor(root: string) {
    this.under = join(root, '_').slice(0, -1);
  }

  /** The size of each key's object; null where there is none. Throws at an invalid key. */
  async sizes(keys: readonly string[]): Promise<(bigint | null)[]> {
    const out: (bigint | null)[] = [];
    for (let i = 0; i < keys.length; i += CHUNK) {
      const part = keys.slice(i, i + CHUNK);
      const sizes = await this.ask(part);
      for (let k = 0; k < sizes.length; k++) {
        const size = sizes[k] as number;
        if (size === INVALID) throw new Error(`invalid storage path ${JSON.stringify(part[k])}`);
        out.push(size === NONE ? null : BigInt(size));
      }
    }
    return out;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }

  private ask(keys: string[]): Promise<Float64Array> {
    const worker = this.thread();
    const id = this.nextId++;
    // Held while it has work (a management command may have nothing else to wait for).
    if (this.waiting.size === 0) worker.ref();
    return new Promise((resolve, reject) => {
      this.waiting.set(id, { resolve, reject });
      worker.postMessage({ id, under: this.under, keys });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(THREAD, { eval: true, workerData: { ...KEY_RULE, missing: MISSING_CODES } });
    worker.unref();
    worker.on('message', (reply: Reply) => {
      const job = this.waiting.get(reply.id);
      if (!job) return;
      this.waiting.delete(reply.id);
      if (this.waiting.size === 0) worker.unref();
      if (reply.sizes) job.resolve(reply.sizes);
      else job.reject(new Error(`stat of media files failed: ${reply.error}`));
    });
    const lost = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const job of this.waiting.values()) job.reject(error);
      this.waiting.clear();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new Error(`the media stat thread ended (exit code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
