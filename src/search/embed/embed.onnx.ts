/**
 * Embeddings from the local ONNX model (`npm run search:model` makes it): the tokenizer in
 * JavaScript, the graph (BERT, mean pooling, L2 normalisation) in onnxruntime-node on the CPU.
 *
 * onnxruntime-node runs a batch synchronously on the JavaScript thread (its async run() only
 * defers the call with setImmediate), so each batch holds the event loop for its duration:
 * batches are kept small, and the loop gets a turn between them.
 */
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { invalid, readModelFolder } from './embed.model.ts';
import { createTextTokenizer, type TextTokenizer } from './embed.tokenize.ts';
import { EmbeddingError, type EmbeddingProvider, type EmbeddingPurpose } from './embed.types.ts';

export interface OnnxProviderOptions {
  /** A folder made by `npm run search:model` (see searchModelDir()). */
  modelDir: string;
  /** onnxruntime's intra-op threads; 1 leaves the other cores to the server. */
  threads?: number;
  /** Texts per model run. */
  batchSize?: number;
  /** Tokens kept per text, special tokens included; at most the model's max_seq_length (the default). */
  maxTokens?: number;
}

const OUTPUT = 'sentence_embedding';

export async function createOnnxProvider(options: OnnxProviderOptions): Promise<EmbeddingProvider> {
  const threads = positiveInteger('threads', options.threads ?? 1);
  const batchSize = positiveInteger('batchSize', options.batchSize ?? 32);
  const folder = await readModelFolder(options.modelDir);
  const { manifest, dir } = folder;
  const maxTokens = positiveInteger('maxTokens', options.maxTokens ?? manifest.maxSeqLength);
  if (maxTokens > manifest.maxSeqLength) {
    throw new RangeError(
      `maxTokens ${maxTokens} exceeds the model's max_seq_length ${manifest.maxSeqLength}`,
    );
  }

  let tokenizer: TextTokenizer;
  try {
    tokenizer = createTextTokenizer(folder.tokenizerJson, folder.tokenizerConfig, maxTokens);
  } catch (error) {
    throw invalid(dir, `tokenizer.json cannot be loaded: ${(error as Error).message}`, error);
  }

  let session: InferenceSession;
  try {
    session = await InferenceSession.create(folder.onnxPath, {
      executionProviders: ['cpu'],
      graphOptimizationLevel: 'all',
      intraOpNumThreads: threads,
      interOpNumThreads: 1,
      executionMode: 'sequential',
    });
  } catch (error) {
    throw invalid(dir, `onnxruntime cannot load model.onnx: ${(error as Error).message}`, error);
  }
  const missingNames = ['input_ids', 'attention_mask']
    .filter((n) => !session.inputNames.includes(n))
    .concat(session.outputNames.includes(OUTPUT) ? [] : [OUTPUT]);
  if (missingNames.length > 0) {
    await session.release();
    throw invalid(dir, `model.onnx has no ${missingNames.join(', ')}`);
  }

  // Defaults keep the id the vectors were made with; a shorter truncation makes other vectors.
  const suffix = maxTokens === manifest.maxSeqLength ? '' : `?max_tokens=${maxTokens}`;
  const provider = new OnnxProvider(`onnx:${manifest.modelId}${suffix}`, manifest.dimensions, session, {
    tokenizer,
    batchSize,
    feedsTokenTypes: session.inputNames.includes('token_type_ids'),
  });
  try {
    // Loads the kernels now rather than on the first query, and checks the width of the output.
    await provider.embed([''], 'document');
  } catch (error) {
    await provider.close();
    throw error;
  }
  return provider;
}

class OnnxProvider implements EmbeddingProvider {
  private closed = false;
  /** Batches being run, of any call: close() waits for them before freeing the session. */
  private readonly running = new Set<Promise<unknown>>();

  constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly session: InferenceSession,
    private readonly settings: { tokenizer: TextTokenizer; batchSize: number; feedsTokenTypes: boolean },
  ) {}

  // MiniLM embeds queries and documents alike.
  async embed(texts: readonly string[], _purpose?: EmbeddingPurpose): Promise<Float32Array[]> {
    this.assertOpen();
    const { tokenizer, batchSize } = this.settings;
    const ids = texts.map((text) => {
      if (typeof text !== 'string') throw new TypeError('embed() takes strings');
      return tokenizer.encode(text);
    });
    // Texts of similar length share a batch, so little of each batch is padding.
    const order = ids.map((_, i) => i).sort((a, b) => (ids[a]?.length ?? 0) - (ids[b]?.length ?? 0));
    const out = new Array<Float32Array>(texts.length);
    for (let start = 0; start < order.length; start += batchSize) {
      const chunk = order.slice(start, start + batchSize);
      this.assertOpen();
      const run = this.runBatch(chunk.map((i) => ids[i] ?? []));
      this.running.add(run);
      const vectors = await run.finally(() => this.running.delete(run));
      chunk.forEach((original, k) => {
        out[original] = vectors[k] as Float32Array;
      });
    }
    return out;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.allSettled(this.running);
    await this.session.release();
  }

  private assertOpen(): void {
    if (this.closed) throw new EmbeddingError('unavailable', 'the ONNX embedding provider is closed');
  }

  private async runBatch(batch: readonly number[][]): Promise<Float32Array[]> {
    const rows = batch.length;
    const width = Math.max(...batch.map((ids) => ids.length));
    const inputIds = new BigInt64Array(rows * width);
    const mask = new BigInt64Array(rows * width);
    batch.forEach((ids, row) => {
      ids.forEach((id, col) => {
        inputIds[row * width + col] = BigInt(id);
        mask[row * width + col] = 1n;
      });
    });
    const dims = [rows, width];
    const feeds: Record<string, Tensor> = {
      input_ids: new Tensor('int64', inputIds, dims),
      attention_mask: new Tensor('int64', mask, dims),
    };
    // Single-text inputs are all segment 0.
    if (this.settings.feedsTokenTypes)
      feeds.token_type_ids = new Tensor('int64', new BigInt64Array(rows * width), dims);

    let output: Tensor | undefined;
    try {
      output = (await this.session.run(feeds, [OUTPUT]))[OUTPUT];
    } catch (error) {
      throw new EmbeddingError('unavailable', `the ONNX model failed to run: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const dim = this.dimensions;
    if (
      output?.type !== 'float32' ||
      output.dims.length !== 2 ||
      output.dims[0] !== rows ||
      output.dims[1] !== dim
    ) {
      throw new EmbeddingError(
        'dimensions',
        `model.onnx gives ${OUTPUT} of shape [${output?.dims.join(', ')}] (${output?.type}), manifest.json ` +
          `says ${dim} float32 dimensions: run \`npm run search:model\` to make the folder again`,
      );
    }
    const data = output.data as Float32Array;
    // Copies: the output buffer is the runtime's, and callers keep vectors for long.
    return batch.map((_, row) => data.slice(row * dim, (row + 1) * dim));
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer, not ${value}`);
  return value;
}
