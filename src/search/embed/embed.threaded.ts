import { Worker } from 'node:worker_threads';
import type { OnnxProviderOptions } from './embed.onnx.ts';
import type { EmbedReply, EmbedRequest, EmbedThreadData } from './embed.thread.ts';
import {
  EmbeddingError,
  type EmbeddingErrorCode,
  type EmbeddingProvider,
  type EmbeddingPurpose,
} from './embed.types.ts';

/**
 * Texts per message to the thread. A query waits for at most the message the thread is running:
 * ~16 short documents, a few tens of milliseconds on one core.
 */
const CHUNK = 16;

interface Job {
  texts: string[];
  purpose: EmbeddingPurpose;
  resolve(vectors: Float32Array[]): void;
  reject(error: unknown): void;
}

/**
 * The ONNX provider on a worker thread of its own (embed.thread.ts): the model's runs never hold
 * the server's event loop. Queries go before documents waiting to be embedded, so a search is
 * not stuck behind a backlog of indexing; documents are sent a chunk at a time.
 */
export async function createThreadedOnnxProvider(options: OnnxProviderOptions): Promise<EmbeddingProvider> {
  const compiled = import.meta.url.endsWith('.js');
  const entry = new URL(compiled ? './embed.thread.js' : './embed.thread.ts', import.meta.url);
  const start = compiled ? entry : new URL('../../common/thread.boot.mjs', import.meta.url);
  const worker = new Worker(start, { workerData: { entry: entry.href, options } satisfies EmbedThreadData });
  const ready = await new Promise<{ id: string; dimensions: number }>((resolve, reject) => {
    const onExit = (code: number) =>
      reject(
        new EmbeddingError('unavailable', `the embedding thread ended (exit code ${code}) before loading`),
      );
    worker.once('exit', onExit);
    worker.once('error', reject);
    worker.once('message', (message: EmbedReply) => {
      worker.off('exit', onExit);
      worker.off('error', reject);
      if (message.kind === 'ready') resolve(message);
      else if (message.kind === 'failed') {
        void worker.terminate();
        reject(new EmbeddingError(message.code as EmbeddingErrorCode, message.message));
      } else reject(new EmbeddingError('unavailable', 'the embedding thread answered before it was ready'));
    });
  });
  return new ThreadedProvider(worker, ready.id, ready.dimensions);
}

class ThreadedProvider implements EmbeddingProvider {
  private readonly queries: Job[] = [];
  private readonly documents: Job[] = [];
  private inFlight: { id: number; job: Job } | undefined;
  private nextId = 1;
  private lost: Error | undefined;

  constructor(
    private readonly worker: Worker,
    readonly id: string,
    readonly dimensions: number,
  ) {
    worker.on('message', (reply: EmbedReply) => this.onReply(reply));
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) =>
      this.fail(new EmbeddingError('unavailable', `the embedding thread ended (exit code ${code})`)),
    );
    // The thread must not keep a process alive that has nothing else to do.
    worker.unref();
  }

  async embed(texts: readonly string[], purpose: EmbeddingPurpose): Promise<Float32Array[]> {
    if (this.lost) throw this.lost;
    const chunks: Promise<Float32Array[]>[] = [];
    for (let i = 0; i < texts.length; i += CHUNK) {
      const part = texts.slice(i, i + CHUNK);
      chunks.push(
        new Promise((resolve, reject) => {
          const job: Job = { texts: [...part], purpose, resolve, reject };
          (purpose === 'query' ? this.queries : this.documents).push(job);
        }),
      );
    }
    this.pump();
    return (await Promise.all(chunks)).flat();
  }

  async close(): Promise<void> {
    this.fail(new EmbeddingError('unavailable', 'the embedding provider is closed'));
    await this.worker.terminate();
  }

  private pump(): void {
    if (this.inFlight !== undefined || this.lost) return;
    const job = this.queries.shift() ?? this.documents.shift();
    if (job === undefined) return;
    const id = this.nextId++;
    this.inFlight = { id, job };
    this.worker.ref();
    this.worker.postMessage({ id, texts: job.texts, purpose: job.purpose } satisfies EmbedRequest);
  }

  private onReply(reply: EmbedReply): void {
    const current = this.inFlight;
    if (current === undefined || !('id' in reply) || reply.id !== current.id) return;
    this.inFlight = undefined;
    this.worker.unref();
    if (reply.kind === 'vectors') {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < reply.count; i++) {
        vectors.push(reply.data.subarray(i * this.dimensions, (i + 1) * this.dimensions));
      }
      current.job.resolve(vectors);
    } else if (reply.kind === 'error') {
      current.job.reject(new EmbeddingError(reply.code as EmbeddingErrorCode, reply.message));
    }
    this.pump();
  }

  private fail(error: Error): void {
    if (this.lost) return;
    this.lost = error;
    const pending = [...(this.inFlight ? [this.inFlight.job] : []), ...this.queries, ...this.documents];
    this.inFlight = undefined;
    this.queries.length = 0;
    this.documents.length = 0;
    for (const job of pending) job.reject(error);
  }
}
