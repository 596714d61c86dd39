/**
 * What the embedding tests share: whether the model folder is there (`npm run search:model`
 * makes it), and its reference.json, the Python oracle the TypeScript side must reproduce.
 *
 * Without the folder the model's tests are skipped, saying why; with TAMS_SEARCH_MODEL_REQUIRED=1
 * (CI) they run anyway and fail with the provider's own 'model_missing' error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEARCH_MODEL_COMMAND, searchModelDir } from '../../../../src/search/embed/embed.model.ts';

export interface ModelGate {
  dir: string;
  skip: boolean;
  /** Appended to the suite's title: why it is skipped, or nothing. */
  note: string;
}

export function modelGate(env: NodeJS.ProcessEnv = process.env): ModelGate {
  const dir = searchModelDir(env);
  const present = existsSync(join(dir, 'manifest.json'));
  const skip = !present && env.TAMS_SEARCH_MODEL_REQUIRED !== '1';
  return { dir, skip, note: skip ? ` (skipped: no model in ${dir}; run ${SEARCH_MODEL_COMMAND})` : '' };
}

export interface ReferenceText {
  text: string;
  ids: number[];
  truncated: boolean;
  embedding: number[];
}

export interface Reference {
  modelId: string;
  maxSeqLength: number;
  texts: ReferenceText[];
}

export function loadReference(dir: string): Reference {
  return JSON.parse(readFileSync(join(dir, 'reference.json'), 'utf8')) as Reference;
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] ?? 0;
    const y = b[i] ?? 0;
    dot += x * y;
    na += x * x;
    nb += y * y;
  }
  return dot / Math.sqrt(na * nb);
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs((a[i] ?? 0) - (b[i] ?? 0)));
  return worst;
}
