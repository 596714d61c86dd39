/**
 * The embedding provider the settings choose. The ONNX provider is imported only when chosen: it
 * loads onnxruntime's native library, which servers using a service or no search never need.
 */
import { createHttpProvider } from './embed.http.ts';
import type { EmbeddingProvider } from './embed.types.ts';

export interface EmbeddingSettings {
  provider: 'onnx' | 'http' | 'none';
  /** The ONNX model folder (searchModelDir() gives the usual one). */
  modelDir: string;
  /** http: the API base, e.g. 'https://api.openai.com/v1'. */
  url?: string;
  /** http: the model name the service knows. */
  model?: string;
  apiKey?: string;
  /** http: the width of the model's vectors. */
  dimensions?: number;
  /** onnx: onnxruntime threads. */
  threads?: number;
  /** onnx: run the model on a worker thread of its own (servers: its runs hold their thread). */
  thread?: boolean;
}

/** undefined for 'none'; throws EmbeddingError when the model is missing or broken. */
export async function createEmbeddingProvider(
  settings: EmbeddingSettings,
): Promise<EmbeddingProvider | undefined> {
  switch (settings.provider) {
    case 'none':
      return undefined;
    case 'onnx': {
      const options = { modelDir: settings.modelDir, threads: settings.threads };
      if (settings.thread) {
        const { createThreadedOnnxProvider } = await import('./embed.threaded.ts');
        return createThreadedOnnxProvider(options);
      }
      const { createOnnxProvider } = await import('./embed.onnx.ts');
      return createOnnxProvider(options);
    }
    case 'http': {
      const { url, model, dimensions } = settings;
      const missing = Object.entries({ url, model, dimensions })
        .filter(([, v]) => v === undefined || v === '')
        .map(([k]) => k);
      if (url === undefined || model === undefined || dimensions === undefined || missing.length > 0) {
        throw new TypeError(`the http embedding provider needs ${missing.join(', ')}`);
      }
      return createHttpProvider({ url, model, dimensions, apiKey: settings.apiKey });
    }
    default:
      throw new TypeError(
        `unknown embedding provider ${String((settings as { provider: unknown }).provider)}`,
      );
  }
}
