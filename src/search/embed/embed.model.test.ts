/**
 * The model folder: where it is looked for, and what a missing or damaged one gives. Runs without
 * the real model: the folders here are made up, just far enough to reach each check.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { modelGate } from '../../../test/support/search/embed/embed.testkit.ts';
import { createOnnxProvider } from './embed.onnx.ts';
import { EmbeddingError } from './embed.types.ts';

const REPO = resolve(fileURLToPath(new URL('../../../', import.meta.url)));
const scratch = mkdtempSync(join(tmpdir(), 'tams-embed-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let folders = 0;
function folder(files: Record<string, string>): string {
  const dir = join(scratch, `m${folders++}`);
  mkdirSync(dir);
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
  return dir;
}

const MANIFEST = JSON.stringify({ modelId: 'test/model', dimensions: 4, maxSeqLength: 16 });
// A WordPiece tokenizer small enough to write here, laid out like the model's tokenizer.json.
const TOKENIZER = JSON.stringify({
  added_tokens: ['[PAD]', '[UNK]', '[CLS]', '[SEP]'].map((content, id) => ({ id, content, special: true })),
  normalizer: { type: 'BertNormalizer', lowercase: true, clean_text: true, handle_chinese_chars: true },
  pre_tokenizer: { type: 'BertPreTokenizer' },
  post_processor: {
    type: 'TemplateProcessing',
    single: [
      { SpecialToken: { id: '[CLS]', type_id: 0 } },
      { Sequence: { id: 'A', type_id: 0 } },
      { SpecialToken: { id: '[SEP]', type_id: 0 } },
    ],
    pair: [],
    special_tokens: {
      '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] },
      '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] },
    },
  },
  decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
  model: {
    type: 'WordPiece',
    unk_token: '[UNK]',
    continuing_subword_prefix: '##',
    max_input_chars_per_word: 100,
    vocab: { '[PAD]': 0, '[UNK]': 1, '[CLS]': 2, '[SEP]': 3, a: 4 },
  },
});
const CONFIG = JSON.stringify({ tokenizer_class: 'BertTokenizer', do_lower_case: true });

async function failure(modelDir: string): Promise<EmbeddingError> {
  const error = await createOnnxProvider({ modelDir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmbeddingError);
  return error as EmbeddingError;
}

describe('the model folder', () => {
  it('is .models/all-MiniLM-L6-v2 in the repository unless TAMS_SEARCH_MODEL_DIR says otherwise', () => {
    expect(modelGate({}).dir).toBe(join(REPO, '.models/all-MiniLM-L6-v2'));
    expect(modelGate({ TAMS_SEARCH_MODEL_DIR: '' }).dir).toBe(join(REPO, '.models/all-MiniLM-L6-v2'));
    expect(modelGate({ TAMS_SEARCH_MODEL_DIR: '/srv/models/minilm' }).dir).toBe('/srv/models/minilm');
    // Relative to the repository, as scripts/search-model.sh takes it.
    expect(modelGate({ TAMS_SEARCH_MODEL_DIR: 'models/x' }).dir).toBe(join(REPO, 'models/x'));
  });

  it('skips the model tests without the folder, unless TAMS_SEARCH_MODEL_REQUIRED=1', () => {
    const absent = join(scratch, 'absent');
    expect(modelGate({ TAMS_SEARCH_MODEL_DIR: absent })).toMatchObject({ skip: true });
    expect(modelGate({ TAMS_SEARCH_MODEL_DIR: absent }).note).toContain('npm run search:model');
    expect(modelGate({ TAMS_SEARCH_MODEL_DIR: absent, TAMS_SEARCH_MODEL_REQUIRED: '1' })).toMatchObject({
      skip: false,
      note: '',
    });
  });

  it('missing: model_missing, naming the command that makes it', async () => {
    for (const dir of [join(scratch, 'nowhere'), folder({})]) {
      const error = await failure(dir);
      expect(error.code).toBe('model_missing');
      expect(error.message).toContain('npm run search:model');
      expect(error.message).toContain(dir);
    }
  });

  it('incomplete: model_invalid, naming what is missing and the command', async () => {
    const error = await failure(folder({ 'manifest.json': MANIFEST, 'tokenizer.json': TOKENIZER }));
    expect(error.code).toBe('model_invalid');
    expect(error.message).toMatch(/model\.onnx, tokenizer_config\.json missing/);
    expect(error.message).toContain('npm run search:model');
  });

  it('damaged: model_invalid for unreadable JSON, a bare manifest or a model.onnx that is not one', async () => {
    const files = {
      'model.onnx': 'not a model',
      'tokenizer.json': TOKENIZER,
      'tokenizer_config.json': CONFIG,
    };
    const cases: [Record<string, string>, RegExp][] = [
      [{ ...files, 'manifest.json': '{"modelId": ' }, /manifest\.json is not readable JSON/],
      [{ ...files, 'manifest.json': '{"modelId": "x"}' }, /lacks modelId, dimensions or maxSeqLength/],
      [
        { ...files, 'manifest.json': MANIFEST, 'tokenizer.json': '[]' },
        /tokenizer\.json is not a JSON object/,
      ],
      [{ ...files, 'manifest.json': MANIFEST, 'tokenizer.json': '{}' }, /tokenizer\.json cannot be loaded: /],
      [{ ...files, 'manifest.json': MANIFEST }, /onnxruntime cannot load model\.onnx/],
    ];
    for (const [content, message] of cases) {
      const error = await failure(folder(content));
      expect(error.code).toBe('model_invalid');
      expect(error.message).toMatch(message);
      expect(error.message).toContain('npm run search:model');
    }
  });
});
