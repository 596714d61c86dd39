/**
 * Embeddings from a service speaking OpenAI's embeddings protocol (OpenAI, Azure OpenAI's
 * compatible endpoint, Ollama, vLLM, text-embeddings-inference, LiteLLM...): POST
 * `<url>/embeddings` with `{ model, input: [...] }`, answered by `{ data: [{ index, embedding }] }`.
 *
 * Busy or failing services (429, 408, 5xx, network errors, timeouts) are retried with exponential
 * backoff, or after their Retry-After; other refusals are not, as sending again changes nothing.
 * The API key goes in the Authorization header only: error messages name the endpoint without
 * credentials and redact the key from anything quoted from a response.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { EmbeddingError, type EmbeddingProvider, type EmbeddingPurpose } from './embed.types.ts';

export interface HttpProviderOptions {
  /** The API base, e.g. 'https://api.openai.com/v1'; `/embeddings` is appended. */
  url: string;
  model: string;
  apiKey?: string;
  /** The width of the model's vectors; a service answering another width is an error. */
  dimensions: number;
  /** Per request, reading the answer included. */
  timeoutMs?: number;
  /** Texts per request. */
  batchSize?: number;
  /** Further attempts after a retryable failure. */
  retries?: number;
  /** For tests and proxies; the global fetch otherwise. */
  fetch?: typeof fetch;
}

const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 8_000;
/** A Retry-After longer than this is not waited out in full: the caller is waiting too. */
const RETRY_AFTER_MAX_MS = 30_000;
const QUOTED_CHARS = 200;

type Attempt = { vectors: Float32Array[] } | { retry: string; afterMs?: number };

export function createHttpProvider(options: HttpProviderOptions): EmbeddingProvider {
  return new HttpProvider(options);
}

class HttpProvider implements EmbeddingProvider {
  readonly id: string;
  readonly dimensions: number;
  private readonly endpoint: string;
  /** The endpoint as error messages show it: no user info, no query string. */
  private readonly shown: string;
  private readonly model: string;
  // Private fields (#): neither JSON.stringify nor util.inspect shows them, so logging the
  // provider cannot leak the key.
  readonly #headers: Record<string, string>;
  readonly #apiKey: string | undefined;
  private readonly timeoutMs: number;
  private readonly batchSize: number;
  private readonly retries: number;
  private readonly fetch: typeof fetch;
  /** Aborts requests and backoff pauses in flight when the provider closes. */
  private readonly closing = new AbortController();

  constructor(options: HttpProviderOptions) {
    let base: URL;
    try {
      base = new URL(options.url);
    } catch {
      throw new TypeError('embedding url must be an absolute http(s) URL');
    }
    if (base.protocol !== 'http:' && base.protocol !== 'https:') {
      throw new TypeError('embedding url must be an absolute http(s) URL');
    }
    if (typeof options.model !== 'string' || options.model === '')
      throw new TypeError('embedding model is required');
    base.pathname = `${base.pathname.replace(/\/+$/, '')}/embeddings`;
    this.endpoint = base.href;
    this.shown = `${base.origin}${base.pathname}`;
    this.model = options.model;
    this.id = `http:${options.model}`;
    this.dimensions = count('dimensions', options.dimensions, 1);
    this.timeoutMs = count('timeoutMs', options.timeoutMs ?? 30_000, 1);
    this.batchSize = count('batchSize', options.batchSize ?? 32, 1);
    this.retries = count('retries', options.retries ?? 3, 0);
    this.fetch = options.fetch ?? globalThis.fetch;
    this.#apiKey = options.apiKey || undefined;
    this.#headers = { 'content-type': 'application/json', accept: 'application/json' };
    if (this.#apiKey) this.#headers.authorization = `Bearer ${this.#apiKey}`;
  }

  // OpenAI-protocol models take no instruction: query and document texts are sent alike.
  async embed(texts: readonly string[], _purpose?: EmbeddingPurpose): Promise<Float32Array[]> {
    for (const text of texts) if (typeof text !== 'string') throw new TypeError('embed() takes strings');
    const out: Float32Array[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) {
      out.push(...(await this.request(texts.slice(start, start + this.batchSize))));
    }
    return out;
  }

  async close(): Promise<void> {
    this.closing.abort();
  }

  private async request(batch: readonly string[]): Promise<Float32Array[]> {
    // OpenAI refuses empty strings; a space embeds the same absence of content.
    const body = JSON.stringify({ model: this.model, input: batch.map((t) => (t === '' ? ' ' : t)) });
    for (let attempt = 0; ; attempt++) {
      this.assertOpen();
      const outcome = await this.attempt(body, batch.length);
      if ('vectors' in outcome) return outcome.vectors;
      this.assertOpen();
      if (attempt >= this.retries) {
        const tries = attempt + 1;
        throw new EmbeddingError(
          'unavailable',
          `embedding service ${this.shown} ${outcome.retry} (${tries} attempt${tries > 1 ? 's' : ''})`,
        );
      }
      const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_FIRST_MS * 2 ** attempt) * (0.5 + Math.random() / 2);
      try {
        await sleep(outcome.afterMs ?? backoff, undefined, { signal: this.closing.signal });
      } catch {
        this.assertOpen();
      }
    }
  }

  private async attempt(body: string, expected: number): Promise<Attempt> {
    let status: number;
    let retryAfter: string | null;
    let text: string;
    try {
      const signal = AbortSignal.any([AbortSignal.timeout(this.timeoutMs), this.closing.signal]);
      const res = await this.fetch(this.endpoint, { method: 'POST', headers: this.#headers, body, signal });
      status = res.status;
      retryAfter = res.headers.get('retry-after');
      text = await res.text();
    } catch (error) {
      this.assertOpen();
      if ((error as Error).name === 'TimeoutError')
        return { retry: `did not answer within ${this.timeoutMs} ms` };
      // fetch says only 'fetch failed'; the reason (ECONNREFUSED, a TLS error...) is its cause.
      const cause = (error as Error).cause as { code?: unknown; message?: unknown } | undefined;
      const why = [cause?.code, cause?.message, (error as Error).message].find((v) => typeof v === 'string');
      return { retry: `could not be reached (${why})` };
    }
    if (status === 408 || status === 429 || status >= 500) {
      return { retry: `answered ${status}`, afterMs: retryAfterMs(retryAfter) };
    }
    if (status < 200 || status > 299) {
      throw new EmbeddingError(
        'bad_response',
        `embedding service ${this.shown} refused the request with ${status}${advice(status)}: ${this.quote(text)}`,
      );
    }
    return { vectors: this.parse(text, expected) };
  }

  private parse(text: string, expected: number): Float32Array[] {
    let data: unknown;
    try {
      data = (JSON.parse(text) as { data?: unknown } | null)?.data;
    } catch {
      throw this.bad(`answered malformed JSON: ${this.quote(text)}`);
    }
    if (!Array.isArray(data)) throw this.bad(`answered without a data array: ${this.quote(text)}`);
    if (data.length !== expected) throw this.bad(`answered ${data.length} embeddings for ${expected} texts`);
    const out = new Array<Float32Array | undefined>(expected);
    for (const item of data as { index?: unknown; embedding?: unknown }[]) {
      const { index, embedding } = item ?? {};
      if (
        typeof index !== 'number' ||
        !Number.isInteger(index) ||
        index < 0 ||
        index >= expected ||
        out[index]
      ) {
        throw this.bad(`answered a missing, repeated or out-of-range index (${String(index)})`);
      }
      if (!Array.isArray(embedding)) throw this.bad(`answered item ${index} without a float array embedding`);
      if (embedding.length !== this.dimensions) {
        throw new EmbeddingError(
          'dimensions',
          `embedding service ${this.shown} gives ${embedding.length}-dimensional vectors for model ` +
            `"${this.model}", configured for ${this.dimensions}: set the dimensions to ` +
            `${embedding.length} (stored vectors are then recomputed) or choose another model`,
        );
      }
      out[index] = this.unit(embedding, index);
    }
    return out as Float32Array[];
  }

  /** Scaled to unit length, in float64 before rounding to float32. */
  private unit(values: unknown[], index: number): Float32Array {
    let sum = 0;
    for (const v of values) {
      if (typeof v !== 'number' || !Number.isFinite(v))
        throw this.bad(`answered a non-numeric value in item ${index}`);
      sum += v * v;
    }
    if (sum === 0) throw this.bad(`answered a zero vector for item ${index}`);
    const scale = 1 / Math.sqrt(sum);
    return Float32Array.from(values as number[], (v) => v * scale);
  }

  private bad(what: string): EmbeddingError {
    return new EmbeddingError('bad_response', `embedding service ${this.shown} ${what}`);
  }

  /** A bounded, key-free excerpt of a response (some services echo the key back in a 401). */
  private quote(text: string): string {
    let shown = text.replace(/\s+/g, ' ').trim();
    const key = this.#apiKey;
    if (key) shown = shown.split(key).join('[redacted]');
    if (shown.length > QUOTED_CHARS) shown = `${shown.slice(0, QUOTED_CHARS)}…`;
    return shown === '' ? '(empty body)' : shown;
  }

  private assertOpen(): void {
    if (this.closing.signal.aborted)
      throw new EmbeddingError('unavailable', 'the HTTP embedding provider is closed');
  }
}

function advice(status: number): string {
  if (status === 401 || status === 403) return ' (check the API key)';
  if (status === 404) return ' (check the URL, which should end before /embeddings, and the model name)';
  return '';
}

/** Retry-After as delay-seconds or an HTTP date, capped; undefined when absent or unreadable. */
function retryAfterMs(header: string | null): number | undefined {
  if (header === null) return undefined;
  const value = header.trim();
  const ms = /^\d+(\.\d+)?$/.test(value) ? Number(value) * 1000 : Date.parse(value) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(RETRY_AFTER_MAX_MS, Math.max(0, ms));
}

function count(name: string, value: number, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new RangeError(`${name} must be an integer >= ${min}, not ${value}`);
  return value;
}
