import type { EmbeddingProvider, EmbeddingPurpose } from './embed.types.ts';

/**
 * A provider made on first use: the id and width are known from the settings (the model's
 * manifest, or the service's configuration) while the model itself (~90 MB, a third of a second
 * to load) is loaded only by a process that embeds something. A failed load is tried again at
 * the next call rather than remembered.
 */
export class LazyEmbeddingProvider implements EmbeddingProvider {
  private made: Promise<EmbeddingProvider> | undefined;
  private closed = false;

  constructor(
    readonly id: string,
    readonly dimensions: number,
    private readonly make: () => Promise<EmbeddingProvider>,
  ) {}

  /** Loads the provider now (a server warms it up at start); failures are left for the first call. */
  warm(): void {
    this.provider().catch(() => undefined);
  }

  async embed(texts: readonly string[], purpose: EmbeddingPurpose): Promise<Float32Array[]> {
    return (await this.provider()).embed(texts, purpose);
  }

  async close(): Promise<void> {
    this.closed = true;
    const made = this.made;
    this.made = undefined;
    if (made) await (await made.catch(() => undefined))?.close();
  }

  private provider(): Promise<EmbeddingProvider> {
    if (this.closed) return Promise.reject(new Error('the embedding provider is closed'));
    if (this.made === undefined) {
      const made = this.make().then((p) => {
        if (p.id !== this.id || p.dimensions !== this.dimensions) {
          void p.close();
          throw new Error(
            `the embedding model is ${p.id} (${p.dimensions}), expected ${this.id} (${this.dimensions})`,
          );
        }
        return p;
      });
      made.catch(() => {
        if (this.made === made) this.made = undefined;
      });
      this.made = made;
    }
    return this.made;
  }
}
