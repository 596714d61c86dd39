/**
 * One bad item never stops the search index (docs/search.md, "When an item cannot be
 * indexed"): a caption object whose read fails every time, one that is not timed text, and a cue
 * the embedding service refuses each fail alone, are reported (the Flow's search status, the
 * index's status, one log line each, /metrics), and the captions after them are indexed. A
 * restart neither reads them again nor forgets them. Storage that is briefly away is a transient
 * failure: the index waits for it, with its reason in the status, and reads the object once it is
 * back, failing nothing.
 *
 * The embedding service is a real HTTP server here (OpenAI's protocol) that refuses, as real
 * ones do, a text longer than its model's context. On the `vast` and `postgres` projects the media are on S3,
 * where a file cannot be swapped under the store: the two cases that do so run on the fs store.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { createServer, type Server as HttpServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createSocketServer, type Server as SocketServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SLOW_TEST_MS, WAIT_MS } from '../helpers/deadlines.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { createFlow, dataFlow } from '../http/fixtures.ts';
import { addSegments, allocate, upload, waitFor } from '../segments/helpers.ts';
import { indexed, search, searchEnv, webvtt } from './search.fixtures.ts';

/** Characters the fake embedding service takes in one text (its "context length"). */
const CONTEXT = 500;
const DIMENSIONS = 8;
/** The longest pause of the indexer between attempts after a transient failure (search.feature.ts). */
const RETRY_PAUSE_CAP_MS = 60_000;

/** An OpenAI-compatible /embeddings endpoint: a vector per text from its characters' codes. */
function embeddingService(): Promise<{ url: string; server: HttpServer }> {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      const input = (JSON.parse(body) as { input: string[] }).input;
      if (input.some((t) => t.length > CONTEXT)) {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(
          JSON.stringify({ error: { message: `input is longer than the ${CONTEXT}-character context` } }),
        );
        return;
      }
      const data = input.map((text, index) => {
        const v = new Array<number>(DIMENSIONS).fill(1);
        for (let i = 0; i < text.length; i++)
          v[i % DIMENSIONS] = (v[i % DIMENSIONS] ?? 0) + text.charCodeAt(i);
        return { index, embedding: v };
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data }));
    });
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve({ url: `http://127.0.0.1:${port}/v1`, server });
    });
  });
}

interface Failure {
  kind: string;
  timerange?: string;
  object_id?: string;
  reason: string;
}

interface Status {
  up_to_date: boolean;
  failed_items: number;
  unembedded: number;
  retrying?: { reason: string; since: string; attempts: number };
  flow?: { failed: number; failures: Failure[]; unembedded: number; cues_indexed: number };
}

const dir = tempDir('tams-search-poison-');
const logs: string[] = [];
let embeddings: { url: string; server: HttpServer };
let server: TestServer;
let socket: SocketServer | undefined;
let flowId: string;
const objects = new Map<string, string>();

async function start(): Promise<TestServer> {
  return startServer({
    dataDir: dir.path,
    env: {
      ...searchEnv(),
      TAMS_METRICS: 'true',
      TAMS_SEARCH_EMBEDDINGS: 'http',
      TAMS_SEARCH_EMBEDDINGS_URL: embeddings.url,
      TAMS_SEARCH_EMBEDDINGS_MODEL: 'fake-embed',
      TAMS_SEARCH_EMBEDDINGS_DIMENSIONS: String(DIMENSIONS),
    },
    logLines: (line) => logs.push(line),
  });
}

/** Uploads `bytes` as a new object of the Flow; returns its id. */
async function uploaded(bytes: string): Promise<string> {
  const [object] = await allocate(server, flowId, { limit: 1 });
  if (object === undefined) throw new Error('no object allocated');
  await upload(object, Buffer.from(bytes, 'utf8'));
  return object.object_id;
}

async function register(name: string, timerange: string, objectId: string): Promise<void> {
  objects.set(name, objectId);
  await addSegments(server, flowId, { object_id: objectId, timerange });
}

async function status(): Promise<Status> {
  await indexed(server);
  const res = await server.get<Status>('/search/status', { query: { flow_id: flowId } });
  expect(res.status, res.text).toBe(200);
  return res.body;
}

const found = async (q: string) =>
  (await search(server, { q, mode: 'keyword', flow_id: flowId })).body.hits.map((h) => h.timerange);

/** Log lines (level warn or above) naming an object. */
const linesOf = (objectId: string | undefined) =>
  logs
    .map((line) => JSON.parse(line) as { level: number; object_id?: string; msg: string })
    .filter((l) => l.level >= 40 && l.object_id === objectId && /could not be indexed/.test(l.msg));

beforeAll(async () => {
  embeddings = await embeddingService();
  server = await start();
  const flow = dataFlow({ label: 'Harbour (captions)', codec: 'text/vtt', container: 'text/vtt' });
  await createFlow(server, flow);
  flowId = flow.id as string;
}, 60_000);
afterAll(async () => {
  await server?.close();
  await new Promise((resolve) => embeddings?.server.close(resolve));
  socket?.close();
  dir.remove();
});

describe('a bad item of the search index', () => {
  it.skipIf(onSharedEngine)(
    'an object whose read fails every time fails alone; the next is indexed',
    async () => {
      const objectId = await uploaded(webvtt([[1, 3, 'Never read: the file is not a file.']]));
      // The object's file becomes a socket: every open() of it fails (ENXIO), as a damaged file
      // would, while the store itself is fine. Bound at a short path (a socket's path has at most
      // 107 bytes), then moved into place.
      const file = join(dir.path, 'media', flowId, objectId);
      expect(existsSync(file)).toBe(true);
      rmSync(file);
      const bound = join(dir.path, 's.sock');
      socket = createSocketServer();
      await new Promise<void>((resolve) => socket?.listen(bound, resolve));
      renameSync(bound, file);
      await register('unreadable', '[0:0_10:0)', objectId);
      await register(
        'after-unreadable',
        '[50:0_60:0)',
        await uploaded(webvtt([[51, 53, 'The ferry leaves at noon.']])),
      );

      const s = await status();
      expect(await found('ferry')).toEqual(['[51:0_53:0)']);
      expect(s.flow?.failures).toContainEqual(
        expect.objectContaining({ kind: 'segment', timerange: '[0:0_10:0)', object_id: objectId }),
      );
      expect(s.flow?.failures.find((f) => f.object_id === objectId)?.reason).toMatch(/could not be read/);
      expect(linesOf(objectId)).toHaveLength(1);
    },
  );

  it('an object that is not timed text, and a cue the embedding service refuses, fail alone', async () => {
    const before = (await status()).failed_items;
    await register('not-timed-text', '[10:0_20:0)', await uploaded('This is not a caption file at all.'));
    const long = `Seaweed ${'and kelp '.repeat(100)}covers the rocks.`;
    expect(long.length).toBeGreaterThan(CONTEXT);
    await register('too-long', '[20:0_30:0)', await uploaded(webvtt([[21, 23, long]])));
    await register('good', '[30:0_40:0)', await uploaded(webvtt([[31, 33, 'The lighthouse keeper waves.']])));

    const s = await status();
    // Everything after them is indexed.
    expect(await found('lighthouse')).toEqual(['[31:0_33:0)']);
    // The refused cue is found by its words, without a vector.
    expect(await found('seaweed')).toEqual(['[21:0_23:0)']);
    expect(s.failed_items).toBe(before + 1);
    expect(s.unembedded).toBeGreaterThanOrEqual(1);
    expect(s.flow?.unembedded).toBe(1);
    const failure = s.flow?.failures.find((f) => f.object_id === objects.get('not-timed-text'));
    expect(failure).toMatchObject({ kind: 'segment', timerange: '[10:0_20:0)' });
    expect(failure?.reason).toMatch(/could not be parsed as timed text: .*WEBVTT signature/);
    expect(linesOf(objects.get('not-timed-text'))).toHaveLength(1);

    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    expect(Number(/^tams_search_failed_items (\d+)$/m.exec(metrics)?.[1])).toBe(s.failed_items);
    expect(metrics).toMatch(/^tams_search_documents_unembedded [1-9]\d*$/m);
  });

  it('a restart neither reads the failed items again nor forgets them, and goes on', async () => {
    const before = await status();
    const seen = logs.length;
    await server.close();
    server = await start();
    const after = await status();
    expect(after.failed_items).toBe(before.failed_items);
    expect(after.flow?.failures).toEqual(before.flow?.failures);
    await register(
      'after-restart',
      '[40:0_50:0)',
      await uploaded(webvtt([[41, 43, 'An anchor chain rattles.']])),
    );
    await status();
    expect(await found('anchor')).toEqual(['[41:0_43:0)']);
    const again = logs.slice(seen).filter((line) => /could not be indexed/.test(line));
    expect(again).toEqual([]);
  });

  it.skipIf(onSharedEngine)(
    'storage briefly away is waited for, not failed',
    { timeout: SLOW_TEST_MS },
    async () => {
      const before = await status();
      const objectId = await uploaded(webvtt([[61, 63, 'Fog rolls in from the sea.']]));
      const media = join(dir.path, 'media');
      renameSync(media, `${media}-away`);
      try {
        await register('storage-away', '[60:0_70:0)', objectId);
        // Waited for by its reason: a retry of another cause (an embedding call slow on a loaded
        // machine) may show first.
        const waiting = await waitFor('the index to report that it waits for storage', async () => {
          const res = await server.get<Status>('/search/status');
          return res.body.retrying !== undefined && /storage/.test(res.body.retrying.reason)
            ? res.body.retrying
            : undefined;
        });
        expect(waiting.attempts).toBeGreaterThanOrEqual(1);
      } finally {
        renameSync(`${media}-away`, media);
      }
      // The retry comes after a pause that doubles with each failed attempt up to a minute (the
      // indexer's cap): on a loaded machine storage may be away for enough attempts to reach it, so
      // the wait for its outcome outlasts the longest pause.
      await waitFor(
        'the caption read once storage is back',
        async () => ((await found('fog')).includes('[61:0_63:0)') ? true : undefined),
        RETRY_PAUSE_CAP_MS + WAIT_MS,
      );
      const s = await status();
      expect(await found('fog')).toEqual(['[61:0_63:0)']);
      expect(s.failed_items).toBe(before.failed_items);
      expect(s.retrying).toBeUndefined();
      expect(linesOf(objectId)).toEqual([]);
    },
  );
});
