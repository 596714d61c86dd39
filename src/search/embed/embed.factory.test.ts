import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createEmbeddingProvider } from './embed.factory.ts';
import { EmbeddingError } from './embed.types.ts';

const empty = mkdtempSync(join(tmpdir(), 'tams-embed-factory-'));
afterAll(() => rmSync(empty, { recursive: true, force: true }));

describe('createEmbeddingProvider', () => {
  it("gives no provider for 'none'", async () => {
    expect(await createEmbeddingProvider({ provider: 'none', modelDir: empty })).toBeUndefined();
  });

  it('builds the HTTP provider from its settings, and says which are missing', async () => {
    const p = await createEmbeddingProvider({
      provider: 'http',
      modelDir: empty,
      url: 'http://127.0.0.1:1/v1',
      model: 'text-embedding-3-small',
      dimensions: 1536,
    });
    expect(p).toMatchObject({ id: 'http:text-embedding-3-small', dimensions: 1536 });
    await p?.close();
    await expect(createEmbeddingProvider({ provider: 'http', modelDir: empty, model: 'm' })).rejects.toThrow(
      /needs url, dimensions/,
    );
  });

  it("fails with model_missing for 'onnx' without a model folder", async () => {
    const error = await createEmbeddingProvider({ provider: 'onnx', modelDir: empty }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error).toMatchObject({ code: 'model_missing' });
    expect((error as Error).message).toContain('npm run search:model');
  });
});
