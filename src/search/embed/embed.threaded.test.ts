import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, modelGate } from '../../../test/support/search/embed/embed.testkit.ts';
import { createOnnxProvider } from './embed.onnx.ts';
import { createThreadedOnnxProvider } from './embed.threaded.ts';
import type { EmbeddingProvider } from './embed.types.ts';

const gate = modelGate();

describe.skipIf(gate.skip)(`the ONNX model on its own thread${gate.note}`, () => {
  let threaded: EmbeddingProvider;
  let inline: EmbeddingProvider;
  beforeAll(async () => {
    threaded = await createThreadedOnnxProvider({ modelDir: gate.dir });
    inline = await createOnnxProvider({ modelDir: gate.dir });
  });
  afterAll(async () => {
    await threaded?.close();
    await inline?.close();
  });

  it('gives the vectors the provider gives on the calling thread, in order, across chunks', async () => {
    const texts = Array.from(
      { length: 37 },
      (_, i) => `cue number ${i}: the minister spoke about item ${i * 7}`,
    );
    expect(threaded.id).toBe(inline.id);
    const [a, b] = await Promise.all([threaded.embed(texts, 'document'), inline.embed(texts, 'document')]);
    expect(a).toHaveLength(37);
    a.forEach((v, i) => {
      expect(maxAbsDiff(v, b[i] as Float32Array)).toBeLessThan(1e-5);
    });
  });

  it('answers a query queued after a backlog of documents before the backlog is done', async () => {
    const backlog = threaded.embed(
      Array.from(
        { length: 256 },
        (_, i) => `a long document about rivers, mountains and weather, number ${i}`,
      ),
      'document',
    );
    let backlogDone = false;
    void backlog.then(() => {
      backlogDone = true;
    });
    const [query] = await threaded.embed(['weather tomorrow'], 'query');
    expect(query).toHaveLength(threaded.dimensions);
    expect(backlogDone).toBe(false);
    expect(await backlog).toHaveLength(256);
  });

  it('fails calls once closed', async () => {
    const other = await createThreadedOnnxProvider({ modelDir: gate.dir });
    await other.close();
    await expect(other.embed(['x'], 'query')).rejects.toThrow(/closed/);
  });
});

describe('the embedding thread without a model', () => {
  it('reports the missing folder as the provider does', async () => {
    await expect(createThreadedOnnxProvider({ modelDir: '/nonexistent/model' })).rejects.toMatchObject({
      code: 'model_missing',
    });
  });
});
