import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createEmbeddingProvider } from './embed/embed.factory.ts';
import { LazyEmbeddingProvider } from './embed/embed.lazy.ts';
import { searchModelDir } from './embed/embed.model.ts';
import type { SearchConfig } from './search.config.ts';

/** The embedding provider the settings ask for, loaded on first use; undefined for none. */
export function searchEmbedder(
  config: SearchConfig,
  env: Record<string, string | undefined>,
): LazyEmbeddingProvider | undefined {
  const choice = config.TAMS_SEARCH_EMBEDDINGS;
  const modelDir = searchModelDir({
    ...env,
    TAMS_SEARCH_MODEL_DIR: config.TAMS_SEARCH_MODEL_DIR || env.TAMS_SEARCH_MODEL_DIR,
  });
  const manifestPath = join(modelDir, 'manifest.json');
  if (choice === 'none' || (choice === 'auto' && !existsSync(manifestPath))) return undefined;
  if (choice === 'http') {
    const settings = {
      provider: 'http' as const,
      modelDir,
      url: config.TAMS_SEARCH_EMBEDDINGS_URL,
      model: config.TAMS_SEARCH_EMBEDDINGS_MODEL,
      apiKey: config.TAMS_SEARCH_EMBEDDINGS_API_KEY || undefined,
      dimensions: config.TAMS_SEARCH_EMBEDDINGS_DIMENSIONS,
    };
    return new LazyEmbeddingProvider(`http:${settings.model}`, settings.dimensions, async () => {
      const made = await createEmbeddingProvider(settings);
      if (made === undefined) throw new Error('no embedding provider');
      return made;
    });
  }
  // onnx (asked for, or found by auto): the manifest names the model; a missing one fails now.
  if (!existsSync(manifestPath)) {
    throw new Error(
      `TAMS_SEARCH_EMBEDDINGS=onnx: no embedding model in ${modelDir}; run \`npm run search:model\``,
    );
  }
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as {
    modelId?: string;
    dimensions?: number;
  };
  return new LazyEmbeddingProvider(
    `onnx:${manifest.modelId ?? 'unknown'}`,
    manifest.dimensions ?? 0,
    async () => {
      // On a worker thread of its own: loading the session (~160 ms) and every batch the indexer
      // embeds run synchronously in onnxruntime, and on the server's thread they held HTTP.
      const made = await createEmbeddingProvider({
        provider: 'onnx',
        modelDir,
        threads: config.TAMS_SEARCH_THREADS,
        thread: true,
      });
      if (made === undefined) throw new Error('no embedding provider');
      return made;
    },
  );
}
