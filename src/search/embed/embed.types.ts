/**
 * Sentence embeddings for semantic search: texts in, unit-length vectors out, from a local ONNX
 * model (embed.onnx.ts) or an OpenAI-compatible service (embed.http.ts); embed.factory.ts picks
 * one from the settings.
 */

/** What a text is for: query-prefixing models (e5, bge) embed the two differently. */
export type EmbeddingPurpose = 'query' | 'document';

export interface EmbeddingProvider {
  /**
   * The model behind the vectors, e.g. 'onnx:sentence-transformers/all-MiniLM-L6-v2'. Stored with
   * the vectors: vectors of another id are not comparable and must be recomputed.
   */
  readonly id: string;
  readonly dimensions: number;
  /** Unit-length vectors, one per text, in order. `purpose` lets providers that prefix queries (e5/bge) do so; MiniLM ignores it. */
  embed(texts: readonly string[], purpose: EmbeddingPurpose): Promise<Float32Array[]>;
  /** Frees the model or connections; embed() fails with 'unavailable' afterwards. */
  close(): Promise<void>;
}

export type EmbeddingErrorCode =
  /** No model where one was expected: the message names the command that makes it. */
  | 'model_missing'
  /** A model folder that is incomplete or unreadable. */
  | 'model_invalid'
  /** The service could not be reached or kept failing (after retries), or the provider is closed. */
  | 'unavailable'
  /** The service refused the request or answered something unusable. */
  | 'bad_response'
  /** Vectors of another width than configured. */
  | 'dimensions';

/** Why embedding failed; `message` says what to do about it and never carries a credential. */
export class EmbeddingError extends Error {
  override readonly name = 'EmbeddingError';

  constructor(
    readonly code: EmbeddingErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}
