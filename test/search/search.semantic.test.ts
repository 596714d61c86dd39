/**
 * Semantic and hybrid search with the real embedding model (all-MiniLM-L6-v2, made by
 * `npm run search:model`): a question that shares no word with the words spoken finds them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { modelGate } from '../support/search/embed/embed.testkit.ts';
import { indexed, type Programme, programme, search, searchEnv, webvtt } from './search.fixtures.ts';

const gate = modelGate();

describe.skipIf(gate.skip)(`semantic and hybrid search${gate.note}`, () => {
  let server: TestServer;
  let football: Programme;
  let cookery: Programme;
  beforeAll(async () => {
    server = await startServer({ env: searchEnv(true) });
    football = await programme(server, {
      label: 'Saturday football',
      videoSeconds: 30,
      captions: [
        [
          0,
          30,
          webvtt([
            [2, 6, "Welcome to the stadium for this afternoon's match."],
            [10, 14, 'He blasts it past the keeper in the ninetieth minute, what a winner!'],
            [18, 22, 'The referee has shown a yellow card for that tackle.'],
          ]),
        ],
      ],
    });
    cookery = await programme(server, {
      label: 'Kitchen stories',
      videoSeconds: 30,
      captions: [
        [
          0,
          30,
          webvtt([
            [3, 7, 'Knead the dough until it is smooth and elastic.'],
            [12, 16, 'Bake the loaf in a hot oven for forty minutes.'],
          ]),
        ],
      ],
    });
    await indexed(server);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('finds a moment by meaning where keyword search finds nothing', async () => {
    const q = 'late goal decides the game';
    expect((await search(server, { q, mode: 'keyword', kind: 'caption' })).body.hits).toHaveLength(0);
    const res = await search(server, { q, mode: 'semantic', kind: 'caption' });
    expect(res.status, res.text).toBe(200);
    expect(res.body.mode).toBe('semantic');
    expect(res.body.hits[0]).toMatchObject({ flow_id: football.video, timerange: '[10:0_14:0)' });
    expect(res.body.hits[0]?.score).toBeGreaterThan(0.3);
    const bread = await search(server, { q: 'making bread at home', mode: 'semantic', kind: 'caption' });
    expect(bread.body.hits[0]?.flow_id).toBe(cookery.video);
  });

  it('fuses both rankings in hybrid mode, the default with a model', async () => {
    const res = await search(server, { q: 'yellow card for a foul', kind: 'caption' });
    expect(res.body.mode).toBe('hybrid');
    expect(res.body.hits[0]).toMatchObject({ flow_id: football.video, timerange: '[18:0_22:0)' });
    const weighted = await search(server, {
      q: 'yellow card for a foul',
      kind: 'caption',
      fusion: 'weighted',
      weight: 1,
    });
    const semantic = await search(server, { q: 'yellow card for a foul', kind: 'caption', mode: 'semantic' });
    expect(weighted.body.hits.map((h) => h.timerange)).toEqual(semantic.body.hits.map((h) => h.timerange));
    const status = await server.get<{ embeddings: string; default_mode: string }>('/search/status');
    expect(status.body).toMatchObject({
      embeddings: 'onnx:sentence-transformers/all-MiniLM-L6-v2',
      default_mode: 'hybrid',
    });
  });
});

describe('without an embedding model', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startServer({ env: searchEnv(false) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('searches by keyword by default and refuses semantic and hybrid with a reason', async () => {
    const keyword = await search(server, { q: 'anything' });
    expect(keyword.status).toBe(200);
    expect(keyword.body.mode).toBe('keyword');
    for (const mode of ['semantic', 'hybrid']) {
      const res = await search(server, { q: 'anything', mode });
      expect(res.status).toBe(400);
      expect(res.text).toMatch(/needs an embedding model/);
    }
  });
});
