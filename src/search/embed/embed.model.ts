/**
 * The model folder that `npm run search:model` (scripts/search-model.sh) makes: where it is, and
 * reading it back with errors that say how to make or repair it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddingError } from './embed.types.ts';

export const SEARCH_MODEL_COMMAND = 'npm run search:model';
/** The folder the script writes unless told otherwise, relative to the repository root. */
export const DEFAULT_MODEL_FOLDER = '.models/all-MiniLM-L6-v2';

/** The files the provider reads; manifest.json is written last, so it marks a finished folder. */
const MODEL_FILES = ['model.onnx', 'tokenizer.json', 'tokenizer_config.json'] as const;

/**
 * The model folder: TAMS_SEARCH_MODEL_DIR when set, else `.models/all-MiniLM-L6-v2`. Relative
 * paths are taken from the repository root, as the script takes them, so both agree on one
 * setting whatever the working directory.
 */
export function searchModelDir(env: NodeJS.ProcessEnv = process.env): string {
  const setting = env.TAMS_SEARCH_MODEL_DIR;
  return resolve(repositoryRoot(), setting !== undefined && setting !== '' ? setting : DEFAULT_MODEL_FOLDER);
}

let root: string | undefined;

/** The folder of package.json above this module: src/ and the compiled dist/src/ sit at different depths. */
function repositoryRoot(): string {
  if (root !== undefined) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${import.meta.url}`);
    dir = parent;
  }
  root = dir;
  return dir;
}

export interface ModelManifest {
  modelId: string;
  dimensions: number;
  maxSeqLength: number;
}

export interface ModelFolder {
  dir: string;
  manifest: ModelManifest;
  onnxPath: string;
  tokenizerJson: object;
  tokenizerConfig: object;
}

/** Reads and checks a model folder; EmbeddingError 'model_missing' or 'model_invalid' otherwise. */
export async function readModelFolder(dir: string): Promise<ModelFolder> {
  const manifestPath = join(dir, 'manifest.json');
  if (!existsSync(manifestPath)) {
    const what = existsSync(dir) ? `${dir} has no manifest.json` : `${dir} does not exist`;
    throw new EmbeddingError(
      'model_missing',
      `no embedding model: ${what}. Run \`${SEARCH_MODEL_COMMAND}\` to make it (it writes ` +
        `TAMS_SEARCH_MODEL_DIR, or ${DEFAULT_MODEL_FOLDER} by default), or choose another embedding provider.`,
    );
  }
  const missing = MODEL_FILES.filter((f) => !existsSync(join(dir, f)));
  if (missing.length > 0) {
    throw invalid(dir, `${missing.join(', ')} missing`);
  }
  const manifest = parseManifest(dir, await readJson(dir, 'manifest.json'));
  return {
    dir,
    manifest,
    onnxPath: join(dir, 'model.onnx'),
    tokenizerJson: await readJson(dir, 'tokenizer.json'),
    tokenizerConfig: await readJson(dir, 'tokenizer_config.json'),
  };
}

export function invalid(dir: string, problem: string, cause?: unknown): EmbeddingError {
  return new EmbeddingError(
    'model_invalid',
    `the embedding model in ${dir} is incomplete or damaged (${problem}). Run \`${SEARCH_MODEL_COMMAND}\` ` +
      'to make it again.',
    cause === undefined ? undefined : { cause },
  );
}

async function readJson(dir: string, file: string): Promise<object> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, file), 'utf8'));
  } catch (error) {
    throw invalid(dir, `${file} is not readable JSON`, error);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw invalid(dir, `${file} is not a JSON object`);
  }
  return parsed;
}

function parseManifest(dir: string, raw: object): ModelManifest {
  const { modelId, dimensions, maxSeqLength } = raw as Partial<Record<keyof ModelManifest, unknown>>;
  const positive = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v > 0;
  if (typeof modelId !== 'string' || modelId === '' || !positive(dimensions) || !positive(maxSeqLength)) {
    throw invalid(dir, 'manifest.json lacks modelId, dimensions or maxSeqLength');
  }
  return { modelId, dimensions, maxSeqLength };
}
