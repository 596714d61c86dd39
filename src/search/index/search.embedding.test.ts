import { describe, expect, it } from 'vitest';
import { EmbeddingError, type EmbeddingProvider } from '../embed/embed.types.ts';
import { embedEach } from './search.embedding.ts';
import { TransientFailure } from './search.failure.ts';

/** A provider that refuses (400, as embed.http.ts reports it) any request holding a refused text. */
function provider(refuses: (text: string) => boolean): EmbeddingProvider & { calls: string[][] } {
  const calls: string[][] = [];
  return {
    id: 'test',
    dimensions: 2,
    calls,
    async embed(texts) {
      calls.push([...texts]);
      if (texts.some(refuses)) throw new EmbeddingError('bad_response', 'refused the request with 400');
      return texts.map((t) => Float32Array.of(t.length, 1));
    },
    async close() {},
  };
}

describe('embedEach', () => {
  it('embeds a batch in one call when the service takes it', async () => {
    const p = provider(() => false);
    const vectors = await embedEach(p, ['a', 'bb', 'ccc']);
    expect(vectors.map((v) => v?.[0])).toEqual([1, 2, 3]);
    expect(p.calls).toHaveLength(1);
  });

  it('finds the texts the service refuses; the others keep their vectors', async () => {
    const texts = Array.from({ length: 9 }, (_, i) => (i === 2 || i === 7 ? `refused ${i}` : `t${i}`));
    const p = provider((t) => t.startsWith('refused'));
    const vectors = await embedEach(p, texts);
    expect(vectors.map((v) => v === undefined)).toEqual(texts.map((t) => t.startsWith('refused')));
    expect(vectors[0]?.[0]).toBe(2);
  });

  it('waits (TransientFailure) when the service refuses even a probe text', async () => {
    const p = provider(() => true);
    await expect(embedEach(p, ['a', 'b'])).rejects.toBeInstanceOf(TransientFailure);
  });

  it('passes on an unavailable service as it is', async () => {
    const p: EmbeddingProvider = {
      id: 'down',
      dimensions: 2,
      embed: async () => {
        throw new EmbeddingError('unavailable', 'could not be reached');
      },
      close: async () => {},
    };
    await expect(embedEach(p, ['a'])).rejects.toMatchObject({ code: 'unavailable' });
  });
});
