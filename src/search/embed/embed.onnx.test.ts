/**
 * The ONNX provider against reference.json, written by scripts/search-model-onnx.py from Python's
 * `tokenizers` (ids) and onnxruntime (embeddings, one text per run, so no padding): the
 * TypeScript tokenizer and the batched, padded, length-sorted runs must reproduce both.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cosine,
  loadReference,
  maxAbsDiff,
  modelGate,
  type Reference,
} from '../../../test/support/search/embed/embed.testkit.ts';
import { createOnnxProvider } from './embed.onnx.ts';
import { createTextTokenizer, type TextTokenizer } from './embed.tokenize.ts';
import { EmbeddingError, type EmbeddingProvider } from './embed.types.ts';

const gate = modelGate();
const TOLERANCE = 1e-4;

describe.skipIf(gate.skip)(`the ONNX embedding provider${gate.note}`, () => {
  let reference: Reference;
  let provider: EmbeddingProvider;

  beforeAll(async () => {
    provider = await createOnnxProvider({ modelDir: gate.dir });
    reference = loadReference(gate.dir);
  });
  afterAll(async () => {
    await provider?.close();
  });

  const readJson = (file: string): object => JSON.parse(readFileSync(join(gate.dir, file), 'utf8'));

  describe('tokenizer', () => {
    let tokenizer: TextTokenizer;
    beforeAll(() => {
      tokenizer = createTextTokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'), 256);
    });

    it('gives the ids of Python tokenizers for every reference text, truncation included', () => {
      expect(reference.texts.length).toBeGreaterThanOrEqual(40);
      expect(reference.texts.filter((t) => t.truncated).length).toBeGreaterThanOrEqual(2);
      for (const { text, ids } of reference.texts) {
        expect(tokenizer.encode(text), JSON.stringify(text.slice(0, 60))).toEqual(ids);
      }
    });

    it('keeps the ids of a whole-text encoding when a long text is cut short first', () => {
      const bare = new Tokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'));
      const whole = (text: string) => [
        101,
        ...bare.encode(text, { add_special_tokens: false }).ids.slice(0, 254),
        102,
      ];
      const cases = [
        // Tokens spread thin: the cut text holds too few of them and the whole text is used.
        Array.from({ length: 400 }, (_, i) => `w${i}${' '.repeat(60)}`).join(''),
        // No space to cut at.
        'abc,'.repeat(5000),
        // The cut lands inside a word and inside a special token typed as text.
        `${'lorem ipsum '.repeat(682)}dolorsitametconsectetur [MASK] tail`,
        // Dense text well past the cut.
        'The quick brown fox jumps over the lazy dog. '.repeat(400),
      ];
      for (const text of cases) {
        expect(text.length).toBeGreaterThan(256 * 32);
        expect(tokenizer.encode(text)).toEqual(whole(text));
      }
    });

    it('refuses a token budget with no room for text', () => {
      expect(() =>
        createTextTokenizer(readJson('tokenizer.json'), readJson('tokenizer_config.json'), 2),
      ).toThrow(RangeError);
    });
  });

  it('names the model and its width', () => {
    expect(provider.id).toBe('onnx:sentence-transformers/all-MiniLM-L6-v2');
    expect(provider.dimensions).toBe(384);
  });

  it('reproduces the reference embeddings in one call (batched, sorted by length, padded)', async () => {
    const vectors = await provider.embed(
      reference.texts.map((t) => t.text),
      'document',
    );
    expect(vectors).toHaveLength(reference.texts.length);
    vectors.forEach((v, i) => {
      const expected = reference.texts[i]?.embedding ?? [];
      expect(v).toBeInstanceOf(Float32Array);
      expect(maxAbsDiff(v, expected), `text ${i}`).toBeLessThan(TOLERANCE);
      expect(cosine(v, expected), `text ${i}`).toBeGreaterThan(0.9999);
      expect(Math.hypot(...v)).toBeCloseTo(1, 5);
    });
  });

  it('gives the same vector alone as among longer and shorter texts (padding changes nothing)', async () => {
    const texts = reference.texts.map((t) => t.text);
    const alone: Float32Array[] = [];
    for (const text of texts) alone.push(...(await provider.embed([text], 'query')));
    // Small batches of a shuffled order: each batch mixes lengths differently.
    const shuffled = texts.map((_, i) => (i * 17) % texts.length);
    const small = await createOnnxProvider({ modelDir: gate.dir, batchSize: 3 });
    try {
      const mixed = await small.embed(
        shuffled.map((i) => texts[i] ?? ''),
        'document',
      );
      shuffled.forEach((original, k) => {
        expect(maxAbsDiff(mixed[k] ?? [], alone[original] ?? []), `text ${original}`).toBeLessThan(1e-5);
        expect(maxAbsDiff(alone[original] ?? [], reference.texts[original]?.embedding ?? [])).toBeLessThan(
          TOLERANCE,
        );
      });
    } finally {
      await small.close();
    }
  });

  it('scores paraphrases above unrelated texts', async () => {
    const pairs: [string, string][] = [
      ['The minister resigned this morning.', 'A government official quit his job today.'],
      ['Heavy rain is expected tomorrow.', 'Tomorrow will be very wet.'],
      ['The striker scored twice in the second half.', 'He got two goals after the break.'],
      ['How do I reset my password?', 'I forgot my password, how can I change it?'],
    ];
    const vectors = await provider.embed(pairs.flat(), 'document');
    const at = (i: number) => vectors[i] ?? new Float32Array();
    const related = pairs.map((_, p) => cosine(at(2 * p), at(2 * p + 1)));
    const unrelated: number[] = [];
    for (let a = 0; a < vectors.length; a++) {
      for (let b = a + 1; b < vectors.length; b++) {
        if (Math.floor(a / 2) !== Math.floor(b / 2)) unrelated.push(cosine(at(a), at(b)));
      }
    }
    expect(Math.min(...related)).toBeGreaterThan(Math.max(...unrelated));
  });

  it('embeds queries and documents alike, and nothing for no texts', async () => {
    const [query] = await provider.embed(['breaking news'], 'query');
    const [document] = await provider.embed(['breaking news'], 'document');
    expect(query).toEqual(document);
    expect(await provider.embed([], 'query')).toEqual([]);
  });

  it('refuses to embed once closed', async () => {
    const own = await createOnnxProvider({ modelDir: gate.dir, threads: 2 });
    await own.close();
    await own.close();
    await expect(own.embed(['x'], 'query')).rejects.toMatchObject({ code: 'unavailable' });
    await expect(own.embed(['x'], 'query')).rejects.toBeInstanceOf(EmbeddingError);
  });

  it('marks a shorter truncation in its id', async () => {
    const short = await createOnnxProvider({ modelDir: gate.dir, maxTokens: 128 });
    try {
      expect(short.id).toBe('onnx:sentence-transformers/all-MiniLM-L6-v2?max_tokens=128');
    } finally {
      await short.close();
    }
    await expect(createOnnxProvider({ modelDir: gate.dir, maxTokens: 512 })).rejects.toThrow(RangeError);
  });
});
