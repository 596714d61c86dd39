import { Type } from 'typebox';

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
    default: 16,
    minimum: 1,
    maximum: 4096,
    description:
      'Semantic search: clusters of the vector index read per query, of up to 256 (more: better recall, slower).',
  }),
};

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
