/**
 * The HTTP provider against a real HTTP server on 127.0.0.1 speaking OpenAI's embeddings
 * protocol. Each test scripts the server's answers; unscripted requests get a correct answer, its
 * items in reverse order so only `index` tells them apart.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHttpProvider, type HttpProviderOptions } from './embed.http.ts';
import { EmbeddingError } from './embed.types.ts';

const DIMS = 4;
const KEY = 'sk-test-0123456789abcdef';

interface Seen {
  path: string;
  authorization: string | undefined;
  body: { model: string; input: string[] };
}

type Script = (req: Seen, res: ServerResponse) => void;

/** A vector the test can recompute from the text alone. */
function vectorOf(text: string): number[] {
  return [text.length + 1, [...text].reduce((s, c) => s + (c.codePointAt(0) ?? 0), 0) % 97, 3, -2];
}

function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function answer(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(typeof body === 'string' ? body : JSON.stringify(body));
}

function correct(req: Seen, res: ServerResponse): void {
  const data = req.body.input.map((text, index) => ({
    object: 'embedding',
    index,
    embedding: vectorOf(text),
  }));
  answer(res, 200, {
    object: 'list',
    model: req.body.model,
    data: data.reverse(),
    usage: { total_tokens: 1 },
  });
}

let server: Server;
let base: string;
const seen: Seen[] = [];
let scripts: Script[] = [];

beforeAll(async () => {
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let raw = '';
    req.on('data', (chunk: Buffer) => {
      raw += chunk.toString('utf8');
    });
    req.on('end', () => {
      const entry: Seen = {
        path: req.url ?? '',
        authorization: req.headers.authorization,
        body: JSON.parse(raw),
      };
      seen.push(entry);
      (scripts.shift() ?? correct)(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});
beforeEach(() => {
  seen.length = 0;
  scripts = [];
});

function provider(overrides: Partial<HttpProviderOptions> = {}) {
  return createHttpProvider({ url: base, model: 'test-embed', apiKey: KEY, dimensions: DIMS, ...overrides });
}

async function failure(promise: Promise<unknown>): Promise<EmbeddingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(EmbeddingError);
  const e = error as EmbeddingError;
  // Whatever went wrong, the key is nowhere in what the error carries.
  expect(`${e.message} ${e.stack} ${JSON.stringify(e)} ${String(e.cause)}`).not.toContain(KEY);
  return e;
}

describe('the OpenAI-compatible HTTP provider', () => {
  it('posts batches to <url>/embeddings and puts the vectors back in text order, unit length', async () => {
    const texts = ['alpha', 'beta', 'a much longer text than the others', '', 'é', 'last'];
    const p = createHttpProvider({ url: `${base}/`, model: 'test-embed', dimensions: DIMS, batchSize: 4 });
    const vectors = await p.embed(texts, 'query');
    expect(p.id).toBe('http:test-embed');
    expect(p.dimensions).toBe(DIMS);
    expect(seen.map((s) => s.path)).toEqual(['/v1/embeddings', '/v1/embeddings']);
    expect(seen.map((s) => s.body.input)).toEqual([
      ['alpha', 'beta', 'a much longer text than the others', ' '], // the empty text sent as a space
      ['é', 'last'],
    ]);
    expect(seen[0]?.body.model).toBe('test-embed');
    expect(seen[0]?.authorization).toBeUndefined();
    vectors.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array);
      const expected = unit(vectorOf(texts[i] === '' ? ' ' : (texts[i] ?? '')));
      expect([...v].map((x) => Number(x.toFixed(6)))).toEqual(expected.map((x) => Number(x.toFixed(6))));
    });
    expect(await p.embed([], 'document')).toEqual([]);
    expect(seen).toHaveLength(2);
  });

  it('sends the API key as a bearer token, and shows it nowhere else', async () => {
    const p = provider();
    await p.embed(['x'], 'document');
    expect(seen[0]?.authorization).toBe(`Bearer ${KEY}`);
    // A provider logged by mistake.
    expect(`${JSON.stringify(p)} ${inspect(p, { depth: 5, showHidden: true })}`).not.toContain(KEY);
  });

  it('waits out a 429 for its Retry-After, then succeeds', async () => {
    scripts.push((_, res) =>
      answer(res, 429, { error: { message: 'rate limited' } }, { 'retry-after': '1' }),
    );
    const started = performance.now();
    const [v] = await provider().embed(['x'], 'document');
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(v).toHaveLength(DIMS);
    expect(seen).toHaveLength(2);
  });

  it('retries a 500 with backoff, then succeeds', async () => {
    scripts.push((_, res) => answer(res, 500, 'upstream exploded'));
    const [v] = await provider().embed(['x'], 'document');
    expect(v).toHaveLength(DIMS);
    expect(seen).toHaveLength(2);
  });

  it('gives up as unavailable once the retries are spent', async () => {
    for (let i = 0; i < 3; i++) scripts.push((_, res) => answer(res, 503, 'busy', { 'retry-after': '0' }));
    const error = await failure(provider({ retries: 2 }).embed(['x'], 'document'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/answered 503 \(3 attempts\)/);
    expect(seen).toHaveLength(3);
  });

  it('does not retry a 400, and quotes the answer without the key', async () => {
    scripts.push((req, res) =>
      answer(res, 400, {
        error: { message: `bad input from ${req.authorization}: Incorrect API key ${KEY}` },
      }),
    );
    const error = await failure(provider().embed(['x'], 'document'));
    expect(error.code).toBe('bad_response');
    expect(error.message).toContain('refused the request with 400');
    expect(error.message).toContain('[redacted]');
    expect(seen).toHaveLength(1);
  });

  it('says to check the key on a 401', async () => {
    scripts.push((_, res) => answer(res, 401, { error: { message: 'invalid key' } }));
    const error = await failure(provider().embed(['x'], 'document'));
    expect(error.code).toBe('bad_response');
    expect(error.message).toContain('check the API key');
    expect(seen).toHaveLength(1);
  });

  it('times a silent server out', async () => {
    scripts.push(() => {}); // never answers
    const started = performance.now();
    const error = await failure(provider({ timeoutMs: 200, retries: 0 }).embed(['x'], 'document'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toContain('did not answer within 200 ms');
    expect(performance.now() - started).toBeLessThan(2_000);
  });

  it('retries an unreachable server, then says so', async () => {
    // A port that was just listening and is no longer: connections are refused.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const p = createHttpProvider({
      url: `http://127.0.0.1:${port}/v1`,
      model: 'm',
      apiKey: KEY,
      dimensions: DIMS,
      retries: 1,
    });
    const error = await failure(p.embed(['x'], 'document'));
    expect(error.code).toBe('unavailable');
    expect(error.message).toMatch(/could not be reached \(ECONNREFUSED\) \(2 attempts\)/);
  });

  it('refuses vectors of another width', async () => {
    scripts.push((req, res) =>
      answer(res, 200, { data: req.body.input.map((_, index) => ({ index, embedding: [1, 2, 3] })) }),
    );
    const error = await failure(provider().embed(['x'], 'document'));
    expect(error.code).toBe('dimensions');
    expect(error.message).toMatch(/gives 3-dimensional vectors .* configured for 4/);
  });

  it('refuses malformed answers without retrying', async () => {
    const malformed: Script[] = [
      (_, res) => answer(res, 200, '{"data": [ {"index": 0, "embed'),
      (_, res) => answer(res, 200, { object: 'list' }),
      (_, res) => answer(res, 200, { data: [] }),
      (_, res) => answer(res, 200, { data: [{ index: 1, embedding: [1, 0, 0, 0] }] }),
      (_, res) => answer(res, 200, { data: [{ index: 0, embedding: 'AAAAAA==' }] }),
      (_, res) => answer(res, 200, { data: [{ index: 0, embedding: [0, 0, 0, 0] }] }),
      (_, res) => answer(res, 200, { data: [{ index: 0, embedding: [1, 'x', 0, 0] }] }),
    ];
    const messages = [
      /malformed JSON/,
      /without a data array/,
      /0 embeddings for 1 texts/,
      /index \(1\)/,
      /float array/,
      /zero vector/,
      /non-numeric/,
    ];
    for (const [i, script] of malformed.entries()) {
      scripts.push(script);
      const error = await failure(provider().embed(['x'], 'document'));
      expect(error.code).toBe('bad_response');
      expect(error.message).toMatch(messages[i] as RegExp);
    }
    expect(seen).toHaveLength(malformed.length);
  });

  it('refuses to embed once closed, ending a backoff pause', async () => {
    scripts.push((_, res) => answer(res, 503, 'busy', { 'retry-after': '20' }));
    const p = provider();
    const pending = p.embed(['x'], 'document');
    while (seen.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await p.close();
    expect((await failure(pending)).code).toBe('unavailable');
    expect((await failure(p.embed(['x'], 'query'))).message).toContain('closed');
  });

  it('checks its settings', () => {
    expect(() => provider({ url: 'ftp://host/v1' })).toThrow(TypeError);
    expect(() => provider({ url: 'not a url' })).toThrow(TypeError);
    expect(() => provider({ model: '' })).toThrow(TypeError);
    expect(() => provider({ dimensions: 0 })).toThrow(RangeError);
    expect(() => provider({ retries: -1 })).toThrow(RangeError);
    // A query string (Azure's api-version) stays after the appended path.
    const seenUrls: string[] = [];
    const fake: typeof fetch = async (input) => {
      seenUrls.push(String(input));
      return new Response(JSON.stringify({ data: [{ index: 0, embedding: [1, 0, 0, 0] }] }));
    };
    return provider({ url: 'https://example.test/openai/v1?api-version=2024-02-01', fetch: fake })
      .embed(['x'], 'query')
      .then(() =>
        expect(seenUrls).toEqual(['https://example.test/openai/v1/embeddings?api-version=2024-02-01']),
      );
  });
});
