import type { EmbeddingProvider } from '../embed/embed.types.ts';
import { EmbeddingError } from '../embed/embed.types.ts';
import { TransientFailure } from './search.failure.ts';

/** A text any embedding service takes: embedded when a refusal is to be told apart. */
const PROBE = 'harbour lights at dusk';

/**
 * The documents' vectors, undefined for a text the embedding service refuses (an answer such as
 * 400 for a text past its model's context): that document is indexed for keyword search only.
 * A refused batch is split in halves until the texts refused are found, so the others keep their
 * vectors. When the service refuses a probe text too, it refuses everything (a wrong model name,
 * a key without access): a TransientFailure, the batch waits.
 */
export async function embedEach(
  embedder: EmbeddingProvider,
  texts: readonly string[],
): Promise<(Float32Array | undefined)[]> {
  let probed: Promise<void> | undefined;
  const probe = () => {
    probed ??= embedder.embed([PROBE], 'document').then(
      () => undefined,
      (error: unknown) => {
        throw refused(error)
          ? new TransientFailure(`the embedding service refuses every text: ${(error as Error).message}`)
          : error;
      },
    );
    return probed;
  };
  const embed = async (part: readonly string[]): Promise<(Float32Array | undefined)[]> => {
    try {
      return await embedder.embed(part, 'document');
    } catch (error) {
      if (!refused(error)) throw error;
      if (part.length === 1) {
        await probe();
        return [undefined];
      }
      const half = Math.ceil(part.length / 2);
      return [...(await embed(part.slice(0, half))), ...(await embed(part.slice(half)))];
    }
  };
  return texts.length === 0 ? [] : embed(texts);
}

function refused(error: unknown): boolean {
  return error instanceof EmbeddingError && error.code === 'bad_response';
}
