/**
 * The /search API beyond one phrase: metadata hits, SRT and TTML captions, transcripts posted and
 * published, filters, facets, paging, and the answers to bad requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import {
  type HitDoc,
  indexed,
  type Programme,
  programme,
  search,
  searchEnv,
  webvtt,
} from './search.fixtures.ts';

let server: TestServer;
let news: Programme;
let match: Programme;
let quiz: Programme;

const SRT = `1
00:00:02,000 --> 00:00:05,500
The striker curls it into the top corner!

2
00:00:07,000 --> 00:00:09,000
<i>What a goal in the second half.</i>
`;

const TTML = `<?xml version="1.0" encoding="UTF-8"?>
<tt xmlns="http://www.w3.org/ns/ttml" xmlns:ttm="http://www.w3.org/ns/ttml#metadata">
  <head><metadata><ttm:agent xml:id="host"><ttm:name>Quiz Host</ttm:name></ttm:agent></metadata></head>
  <body><div begin="10s">
    <p begin="1s" end="4s" ttm:agent="host">Which river flows through the capital?</p>
    <p begin="5s" end="8s">The answer is the Thames.</p>
  </div></body>
</tt>`;

beforeAll(async () => {
  server = await startServer({ env: { ...searchEnv(), TAMS_METRICS: 'true' } });
  news = await programme(server, {
    label: 'Evening news',
    description: 'National and international news with the weather.',
    tags: { genre: 'news', channel: 'one' },
    videoSeconds: 40,
    captions: [
      [
        0,
        40,
        webvtt([
          [2, 5, 'The finance minister presented the budget.'],
          [8, 12, 'Interest rates were left unchanged by the central bank.'],
          [15, 19, 'The budget includes new spending on schools.'],
          [22, 26, 'Economists welcomed the economic forecast.'],
          [30, 34, 'The minister said interest on the debt would fall.'],
        ]),
      ],
    ],
  });
  match = await programme(server, {
    label: 'Football: cup final',
    tags: { genre: 'sport', channel: 'two' },
    videoSeconds: 20,
    captions: [[0, 20, SRT]],
    captionsCodec: 'application/x-subrip',
  });
  quiz = await programme(server, {
    label: 'Friday quiz',
    tags: { genre: 'entertainment', channel: 'one' },
    videoSeconds: 30,
    captions: [[10, 30, TTML]],
    captionsCodec: 'application/ttml+xml',
  });
  await indexed(server);
});
afterAll(async () => {
  await server?.close();
});

const keyword = (q: string, more: Record<string, string | number> = {}) =>
  search(server, { q, mode: 'keyword', ...more });
const ranges = (hits: HitDoc[]) => hits.map((h) => h.timerange);

describe('what is indexed', () => {
  it('reports the index on /metrics', async () => {
    const res = await fetch(`${server.url}/metrics`);
    const text = await res.text();
    const documents = Number(/^tams_search_documents (\d+)$/m.exec(text)?.[1]);
    expect(documents).toBeGreaterThanOrEqual(15);
    expect(text).toMatch(/^tams_search_pending_events 0$/m);
    expect(Number(/^tams_search_documents_added_total (\d+)$/m.exec(text)?.[1])).toBeGreaterThanOrEqual(
      documents,
    );
  });

  it("finds captions of SRT and TTML data Flows on their Flows' timelines", async () => {
    const goal = await keyword('goal second half');
    expect(goal.body.hits[0]).toMatchObject({
      kind: 'caption',
      flow_id: match.video,
      timerange: '[7:0_9:0)',
    });
    expect(goal.body.hits[0]?.snippet.text).toBe('What a goal in the second half.');
    // TTML times are relative to the div (10 s), within a segment starting at 10 s.
    const river = await keyword('river capital');
    expect(river.body.hits[0]).toMatchObject({
      flow_id: quiz.video,
      timerange: '[11:0_14:0)',
      speaker: 'Quiz Host',
    });
  });

  it('finds Flows and Sources by their metadata', async () => {
    const res = await keyword('international weather', { kind: 'flow' });
    expect(res.body.hits.map((h) => h.flow_id)).toContain(news.video);
    const hit = res.body.hits.find((h) => h.flow_id === news.video);
    expect(hit?.reference).toMatch(new RegExp(`/flows/${news.video}$`));
    expect(hit?.timerange).toBe('[0:0_40:0)');
  });
});

describe('queries', () => {
  it('ranks by BM25: the cue with both words first', async () => {
    const res = await keyword('minister budget');
    expect(res.body.hits[0]?.timerange).toBe('[2:0_5:0)');
    expect(ranges(res.body.hits)).toEqual(expect.arrayContaining(['[15:0_19:0)', '[30:0_34:0)']));
    const scores = res.body.hits.map((h) => h.score);
    expect(scores).toEqual([...scores].sort((a, b) => b - a));
  });

  it('requires quoted phrases as written, and matches prefixes', async () => {
    const phrase = await keyword('"interest rates"');
    expect(ranges(phrase.body.hits)).toEqual(['[8:0_12:0)']);
    expect(phrase.body.hits[0]?.snippet.html).toContain('<mark>Interest rates</mark>');
    const prefix = await keyword('econom*');
    expect(ranges(prefix.body.hits)).toEqual(['[22:0_26:0)']);
    const excluded = await keyword('minister -budget');
    expect(ranges(excluded.body.hits)).toEqual(['[30:0_34:0)']);
  });

  it('filters by kind, Flow, Source, format, tags and timerange', async () => {
    expect((await keyword('minister', { flow_id: news.video })).body.hits).toHaveLength(2);
    expect((await keyword('minister', { flow_id: news.captions })).body.hits).toHaveLength(2);
    expect((await keyword('minister', { flow_id: match.video })).body.hits).toHaveLength(0);
    expect((await keyword('minister', { source_id: news.source })).body.hits).toHaveLength(2);
    expect((await keyword('minister', { 'tag.channel': 'one' })).body.hits).toHaveLength(2);
    expect((await keyword('minister', { 'tag.channel': 'two' })).body.hits).toHaveLength(0);
    expect(
      (await keyword('minister', { timerange: '[20:0_40:0)' })).body.hits.map((h) => h.timerange),
    ).toEqual(['[30:0_34:0)']);
    expect((await keyword('minister', { format: 'urn:x-nmos:format:audio' })).body.hits).toHaveLength(0);
    expect((await keyword('international', { kind: 'caption' })).body.hits).toHaveLength(0);
    expect((await keyword('international', { kind: 'flow,source' })).body.hits.length).toBeGreaterThan(0);
  });

  it('counts facets over the hits, and pages through them with Link', async () => {
    const all = await keyword('the', { limit: 2 });
    expect(all.status).toBe(400);
    const first = await keyword('minister OR budget OR interest OR economic', { limit: 2 });
    expect(first.status, first.text).toBe(200);
    expect(first.body.total).toBe(5);
    expect(first.body.facets.kind).toEqual({ caption: 5 });
    expect(first.body.facets.format).toEqual({ 'urn:x-nmos:format:video': 5 });
    expect(first.body.hits).toHaveLength(2);
    expect(first.headers.get('x-paging-limit')).toBe('2');
    const seen = [...first.body.hits];
    let link = first.headers.get('link');
    while (link) {
      const url = /<([^>]+)>; rel="next"/.exec(link)?.[1] ?? '';
      const res = await fetch(url);
      const body = (await res.json()) as { hits: HitDoc[] };
      seen.push(...body.hits);
      link = res.headers.get('link');
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen.map((h) => h.timerange)).size).toBe(5);
  });

  it('answers 400 with the TAMS error body for bad requests', async () => {
    const bad: Record<string, string>[] = [
      { q: '' },
      { q: 'x', mode: 'fuzzy' },
      { q: 'x', kind: 'video' },
      { q: 'x', page: 'not-a-key' },
      { q: 'x', timerange: 'yesterday' },
      { q: 'x', flow_id: 'nope' },
      { q: 'x'.repeat(1001) },
      { q: 'the and of', mode: 'keyword' },
    ];
    for (const query of bad) {
      const res = await search(server, query);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(Object.keys(res.body as object).sort()).toEqual(['message', 'summary', 'time', 'type']);
    }
  });
});

describe('transcripts posted through the API', () => {
  it('are searched once published; a newer version archives the older; deleting removes its hits', async () => {
    const post = (text: string) =>
      server.post<{ id: string; status: string }>('/search/transcripts', {
        flow_id: news.video,
        label: 'ASR',
        language: 'en-GB',
        generator: 'test-asr 1.0',
        cues: [{ timerange: '[36:0_39:0)', text, speaker: 'Reporter', confidence: 0.92 }],
      });
    const v1 = await post('Flooding closed the coastal railway line.');
    expect(v1.status, v1.text).toBe(201);
    expect(v1.body.status).toBe('STAGING');
    expect(v1.headers.get('location')).toMatch(new RegExp(`/search/transcripts/${v1.body.id}$`));
    await indexed(server);
    expect((await keyword('railway')).body.hits).toHaveLength(0);

    const published = await server.post<{ status: string }>(
      `/search/transcripts/${v1.body.id}/publish`,
      undefined,
    );
    expect(published.body.status).toBe('ACTIVE');
    await indexed(server);
    expect((await keyword('railway')).body.hits[0]).toMatchObject({
      kind: 'transcript',
      flow_id: news.video,
      timerange: '[36:0_39:0)',
      speaker: 'Reporter',
    });

    const v2 = await post('Flooding closed the coastal road.');
    await server.post(`/search/transcripts/${v2.body.id}/publish`, undefined);
    await indexed(server);
    expect((await keyword('railway')).body.hits).toHaveLength(0);
    expect((await keyword('coastal road')).body.hits[0]?.kind).toBe('transcript');
    const versions = await server.get<{ id: string; status: string }[]>('/search/transcripts', {
      query: { flow_id: news.video },
    });
    expect(versions.body.map((v) => [v.id, v.status])).toEqual([
      [v2.body.id, 'ACTIVE'],
      [v1.body.id, 'ARCHIVED'],
    ]);
    const withCues = await server.get<{ cues: unknown[] }>(`/search/transcripts/${v2.body.id}`, {
      query: { include_cues: 'true' },
    });
    expect(withCues.body.cues).toEqual([
      {
        timerange: '[36:0_39:0)',
        text: 'Flooding closed the coastal road.',
        speaker: 'Reporter',
        confidence: 0.92,
      },
    ]);

    expect((await server.delete(`/search/transcripts/${v2.body.id}`)).status).toBe(204);
    await indexed(server);
    expect((await keyword('coastal')).body.hits).toHaveLength(0);
    expect((await server.get(`/search/transcripts/${v2.body.id}`)).status).toBe(404);
  });

  it('refuses a transcript of a missing Flow, or with bad cues', async () => {
    const missing = await server.post('/search/transcripts', {
      flow_id: '3ba8e5b6-6f7c-4c8e-9b77-2c0f8f3f1d11',
      cues: [{ timerange: '[0:0_1:0)', text: 'x' }],
    });
    expect(missing.status).toBe(404);
    for (const cues of [
      [],
      [{ timerange: '_', text: 'x' }],
      [{ timerange: '[0:0_1:0)', text: '' }],
      [{ timerange: '[0:0_1:0)', text: 'x', confidence: 2 }],
    ]) {
      const res = await server.post('/search/transcripts', { flow_id: news.video, cues });
      expect(res.status, JSON.stringify(cues)).toBe(400);
    }
  });
});
