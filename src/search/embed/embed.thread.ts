/**
 * The embedding model's worker thread: onnxruntime-node runs a batch synchronously on the thread
 * that calls it, for tens of milliseconds, which on the server's main thread would hold every
 * request meanwhile. Here it holds only this thread. One message at a time: texts in, the
 * vectors back as one transferred buffer.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { createOnnxProvider, type OnnxProviderOptions } from './embed.onnx.ts';
import { EmbeddingError, type EmbeddingPurpose } from './embed.types.ts';

export interface EmbedRequest {
  id: number;
  texts: string[];
  purpose: EmbeddingPurpose;
}

export type EmbedReply =
  | { kind: 'ready'; id: string; dimensions: number }
  | { kind: 'failed'; code: string; message: string }
  | { id: number; kind: 'vectors'; data: Float32Array; count: number }
  | { id: number; kind: 'error'; code: string; message: string };

export interface EmbedThreadData {
  entry: string;
  options: OnnxProviderOptions;
}

const port = parentPort;
if (port === null) throw new Error('embed.thread.ts runs as a worker thread');

function codeOf(error: unknown): string {
  return error instanceof EmbeddingError ? error.code : 'unavailable';
}

const provider = await createOnnxProvider((workerData as EmbedThreadData).options).catch((error: unknown) => {
  port.postMessage({
    kind: 'failed',
    code: codeOf(error),
    message: (error as Error).message,
  } satisfies EmbedReply);
  return undefined;
});

if (provider !== undefined) {
  port.postMessage({ kind: 'ready', id: provider.id, dimensions: provider.dimensions } satisfies EmbedReply);
  port.on('message', (request: EmbedRequest | { kind: 'close' }) => {
    if ('kind' in request) {
      void provider.close().then(() => port.close());
      return;
    }
    provider.embed(request.texts, request.purpose).then(
      (vectors) => {
        const data = new Float32Array(vectors.length * provider.dimensions);
        vectors.forEach((v, i) => {
          data.set(v, i * provider.dimensions);
        });
        port.postMessage(
          { id: request.id, kind: 'vectors', data, count: vectors.length } satisfies EmbedReply,
          [data.buffer],
        );
      },
      (error: unknown) => {
        port.postMessage({
          id: request.id,
          kind: 'error',
          code: codeOf(error),
          message: (error as Error).message,
        } satisfies EmbedReply);
      },
    );
  });
}
