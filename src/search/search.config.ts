import { Type } from 'typebox';
import type { SettingsOf, WorkerSettings } from '../feature/feature.types.ts';

/** The TAMS_* settings of media search (spread into the one config schema). */
export const searchSettings = {
  TAMS_SEARCH: Type.Boolean({
    default: true,
    description:
      'Media search (`/search`): index the store (Flow and Source metadata, the timed text of data Flows, posted transcripts) as it changes, following the event outbox.',
  }),
  TAMS_SEARCH_EMBEDDINGS: Type.Union(
    [Type.Literal('auto'), Type.Literal('onnx'), Type.Literal('http'), Type.Literal('none')],
    {
      default: 'auto',
      description:
        'Sentence embeddings for semantic and hybrid search: `onnx` runs the model of `TAMS_SEARCH_MODEL_DIR` in process (made by `npm run search:model`), `http` asks an OpenAI-compatible embeddings endpoint, `none` leaves keyword search only, `auto` is `onnx` when the model folder is there and `none` otherwise.',
    },
  ),
  TAMS_SEARCH_MODEL_DIR: Type.String({
    default: '',
    description:
      'The embedding model folder (`npm run search:model` writes all-MiniLM-L6-v2 to `.models/all-MiniLM-L6-v2`, the default); relative to the repository.',
  }),
  TAMS_SEARCH_EMBEDDINGS_URL: Type.String({
    default: '',
    description:
      "The OpenAI-compatible endpoint's base URL (`https://host/v1`) for `TAMS_SEARCH_EMBEDDINGS=http`.",
  }),
  TAMS_SEARCH_EMBEDDINGS_MODEL: Type.String({
    default: '',
    description: 'The model the endpoint is asked for (`TAMS_SEARCH_EMBEDDINGS=http`).',
  }),
  TAMS_SEARCH_EMBEDDINGS_API_KEY: Type.String({
    default: '',
    description: 'Bearer token for the endpoint (never logged).',
  }),
  TAMS_SEARCH_EMBEDDINGS_DIMENSIONS: Type.Integer({
    default: 384,
    minimum: 1,
    maximum: 8192,
    description: "The width of the endpoint's vectors (checked on every answer).",
  }),
  TAMS_SEARCH_THREADS: Type.Integer({
    default: 1,
    minimum: 1,
    maximum: 64,
    description: 'Threads the in-process embedding model runs on.',
  }),
  TAMS_SEARCH_NPROBE: Type.Integer({
    default: 64,
    minimum: 1,
    maximum: 4096,
    description:
      'Semantic search: clusters of the vector index read per query. The index trains about √N clusters for N vectors (1,000 at a million, at most 2,048); more probes: better recall, slower. At a million vectors 64 find 95% of the exact ten nearest, as the index of 164 clusters did probing 16, reading 7% of the vectors instead of 11%.',
  }),
  TAMS_SEARCH_VECTOR_CACHE_MB: Type.Integer({
    default: 512,
    minimum: 0,
    maximum: 65_536,
    description:
      'Semantic search: the vector index kept in memory, decoded (about 400 bytes a vector: 512 MB holds 1,300,000), loaded at start as far as it fits, then least recently used out first; 0: none (every query reads its rows from the database). Rows never change once written, so the cache is safe with replicas on a shared database.',
  }),
};

/** The settings media search reads: its own, and the workers'. */
export type SearchConfig = SettingsOf<typeof searchSettings> & WorkerSettings;

/** What makes the search settings unusable. */
export function searchConfigProblems(config: {
  TAMS_SEARCH_EMBEDDINGS: string;
  TAMS_SEARCH_EMBEDDINGS_URL: string;
  TAMS_SEARCH_EMBEDDINGS_MODEL: string;
}): string[] {
  if (config.TAMS_SEARCH_EMBEDDINGS !== 'http') return [];
  const problems: string[] = [];
  let url: URL | undefined;
  try {
    url = new URL(config.TAMS_SEARCH_EMBEDDINGS_URL);
  } catch {
    url = undefined;
  }
  if (
    url === undefined ||
    (url.protocol !== 'http:' && url.protocol !== 'https:') ||
    url.username ||
    url.password
  ) {
    problems.push(
      'TAMS_SEARCH_EMBEDDINGS_URL: an http(s) URL without credentials is required with TAMS_SEARCH_EMBEDDINGS=http',
    );
  }
  if (config.TAMS_SEARCH_EMBEDDINGS_MODEL.trim() === '') {
    problems.push('TAMS_SEARCH_EMBEDDINGS_MODEL: required with TAMS_SEARCH_EMBEDDINGS=http');
  }
  return problems;
}
