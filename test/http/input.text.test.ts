/**
 * Request text that no store can keep as sent is refused at the HTTP boundary (issue 17, items 2
 * and 7): lone UTF-16 surrogates in any JSON body, query strings and path parameters that are not
 * valid percent-encoded UTF-8, and JSON nested deeper than MAX_JSON_DEPTH. Always a 4xx with
 * the TAMS error body, never a 500, and nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_JSON_DEPTH } from '../../src/http/json.guard.ts';
import { ADMIN_TOKEN, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import { eventServer } from '../events/events.fixture.ts';
import type { TestResponse, TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, expectError, getFlow, getSource, videoFlow } from './fixtures.ts';

let server: TestServer;
let flow: Doc;
let flowId: string;
let sourceId: string;
beforeAll(async () => {
  // The event server allows loopback webhook URLs, so a webhook body reaches the store.
  server = await eventServer();
  flow = await createFlow(server, videoFlow({ label: 'before', tags: { genre: 'news' } }));
  flowId = flow.id as string;
  sourceId = flow.source_id as string;
});
afterAll(() => server.close());

/** A JSON text with `"\ud800"`-style escapes, as a client sends them. */
const json = (value: unknown) => JSON.stringify(value);

function expectRefused(res: TestResponse<unknown>, status: number, summary: string | RegExp): void {
  expectError(res, status);
  expect((res.body as Doc).summary).toMatch(summary);
}

const LONE = /contains a lone UTF-16 surrogate \(\\u[0-9a-f]{4}\), which is not valid Unicode/;

describe('lone UTF-16 surrogates in JSON bodies', () => {
  it('are refused in Flow bodies and Flow properties, naming where, and nothing changes', async () => {
    const cases: [string, string, string, RegExp][] = [
      ['PUT', `/flows/${flowId}`, json({ ...flow, label: 'a\ud800' }), /^body\.label /],
      ['PUT', `/flows/${flowId}`, json({ ...flow, description: '\udfff' }), /^body\.description /],
      [
        'PUT',
        `/flows/${flowId}`,
        json({ ...flow, tags: { genre: ['news', '\udc00'] } }),
        /^body\.tags\.genre\.1 /,
      ],
      [
        'PUT',
        `/flows/${flowId}`,
        json({ ...flow, tags: { 'g\ud800': 'x' } }),
        /^body\.tags has a property name that/,
      ],
      ['PUT', `/flows/${flowId}/label`, json('\ud800'), /^body /],
      ['PUT', `/flows/${flowId}/description`, json('x\udbff'), /^body /],
      ['PUT', `/flows/${flowId}/tags/genre`, json('\ud800'), /^body /],
    ];
    for (const [method, path, body, where] of cases) {
      const res = await server.request(method, path, { body });
      expectRefused(res, 400, LONE);
      expect((res.body as Doc).summary, body).toMatch(where);
    }
    const after = await getFlow(server, flowId);
    expect([after.label, after.description, after.tags]).toEqual([
      'before',
      flow.description,
      { genre: 'news' },
    ]);
  });

  it('are refused in a Source label, the service name and a webhook URL', async () => {
    const source = await getSource(server, sourceId);
    const service = (await server.get<Doc>('/service')).body;
    expectRefused(await server.put(`/sources/${sourceId}/label`, json('src \ud800')), 400, LONE);
    expect(await getSource(server, sourceId)).toEqual(source);
    expectRefused(await server.post('/service', json({ name: 'tams \udc00' })), 400, /^body\.name /);
    expect((await server.get<Doc>('/service')).body).toEqual(service);
    const webhook = { url: 'http://127.0.0.1:1/hook\ud800', events: ['flows/created'] };
    expectRefused(await server.post('/service/webhooks', json(webhook)), 400, /^body\.url /);
    expect((await server.get<unknown[]>('/service/webhooks')).body).toEqual([]);
  });

  it('pass as valid pairs, escaped or not', async () => {
    const res = await server.put(`/flows/${flowId}/label`, '"\\ud83c\\udfac clap"');
    expect(res.status, res.text).toBe(204);
    expect((await getFlow(server, flowId)).label).toBe('🎬 clap');
    expect((await server.put(`/flows/${flowId}/label`, json('before'))).status).toBe(204);
  });
});

describe('query strings and path parameters that are not valid percent-encoded UTF-8', () => {
  const BAD = ['%ED%A0%80', '%C0', '%FF'];

  it('are a 400 in filters, whoever asks', async () => {
    for (const bad of BAD) {
      for (const path of [
        `/flows?label=${bad}`,
        `/flows?tag.genre=${bad}`,
        `/flows?tag.${bad}=news`,
        `/flows?tag_exists.${bad}=true`,
        `/sources?label=${bad}`,
        `/flows/${flowId}/segments?object_id=${bad}`,
        `/flows?access_token=${bad}`,
      ]) {
        const res = await server.get(path);
        expectRefused(res, 400, /^query parameter .* is not valid percent-encoded UTF-8$/);
        expect((res.body as Doc).summary).not.toContain(`=${bad}`);
      }
    }
    // Well-formed escapes still filter.
    const ok = await server.get<Doc[]>('/flows?tag.genre=%6Eews');
    expect(ok.body.map((f) => f.id)).toEqual([flowId]);
  });

  it("are the spec's 404 for an invalid path, in tag names, labels' Sources and object ids", async () => {
    for (const bad of BAD) {
      for (const [method, path] of [
        ['GET', `/flows/${flowId}/tags/${bad}`],
        ['PUT', `/flows/${flowId}/tags/${bad}`],
        ['DELETE', `/flows/${flowId}/tags/${bad}`],
        ['PUT', `/sources/${bad}/label`],
        ['GET', `/objects/${bad}`],
        ['GET', `/flows/${bad}`],
      ] as const) {
        const res = await server.request(method, path, method === 'PUT' ? { body: '"v"' } : {});
        expectRefused(res, 404, /The path is invalid/);
      }
    }
    expect((await getFlow(server, flowId)).tags).toEqual({ genre: 'news' });
  });
});

describe('an auth token name with a lone surrogate', () => {
  it('is refused (400) and no token is issued', async () => {
    const auth = await startAuthServer({});
    try {
      const res = await auth.post('/auth/tokens', json({ name: 'ci \ud800', scopes: ['read'] }), {
        headers: bearer(ADMIN_TOKEN),
      });
      expectRefused(res, 400, /^body\.name /);
      const tokens = await auth.get<{ name: string }[]>('/auth/tokens', { headers: bearer(ADMIN_TOKEN) });
      expect(tokens.body.map((t) => t.name)).not.toContain('ci \ufffd');
      expectRefused(await auth.get(`/flows?access_token=%ED%A0%80`), 400, /access_token/);
    } finally {
      await auth.close();
    }
  });
});

describe('deep, wide and long JSON', () => {
  const nest = (depth: number): unknown => {
    let value: unknown = 'bottom';
    for (let i = 0; i < depth; i++) value = i % 2 ? [value] : { level: value };
    return value;
  };
  /** The JSON text of `depth` levels (JSON.stringify itself overflows the stack at ~4,000). */
  const nestText = (depth: number) => `${'{"level":['.repeat(depth / 2)}"bottom"${']}'.repeat(depth / 2)}`;
  /** A Flow's JSON text with `extra` (JSON text) as an open property. */
  const flowText = (flow: Doc, extra: string) => json(flow).replace(/}$/, `,"extra":${extra}}`);

  it(`refuses a Flow nested 10,000 levels deep in an open property (400), keeps ${MAX_JSON_DEPTH}`, async () => {
    const deep = videoFlow();
    const res = await server.put(`/flows/${deep.id}`, flowText(deep, nestText(10_000)));
    expectRefused(res, 400, `more than ${MAX_JSON_DEPTH} levels deep (at body.extra.`);
    expect((await server.get(`/flows/${deep.id}`)).status).toBe(404);
    // The Flow itself is level 1: an open property may nest MAX_JSON_DEPTH - 1 more.
    const limit = videoFlow({ extra: nest(MAX_JSON_DEPTH - 1) });
    expect((await server.put(`/flows/${limit.id}`, limit)).status).toBe(201);
    expect((await getFlow(server, limit.id as string)).extra).toEqual(nest(MAX_JSON_DEPTH - 1));
    const over = videoFlow({ extra: nest(MAX_JSON_DEPTH) });
    expectRefused(await server.put(`/flows/${over.id}`, over), 400, 'levels deep');
    // The same limit on every body: a segments POST, a tag value.
    expectRefused(await server.post(`/flows/${flowId}/segments`, nestText(10_000)), 400, 'levels deep');
    expectRefused(await server.put(`/flows/${flowId}/tags/genre`, nest(200)), 400, 'levels deep');
  });

  it('stores wide values, refuses long ones (400 on every engine) without crashing', async () => {
    const wide = videoFlow({
      extra: Object.fromEntries(Array.from({ length: 8_000 }, (_, i) => [`k${i}`, i])),
    });
    expect((await server.put(`/flows/${wide.id}`, wide)).status).toBe(201);
    expect(Object.keys((await getFlow(server, wide.id as string)).extra as Doc)).toHaveLength(8_000);
    // Past what one database value holds (CELL_MAX_BYTES, VAST DataBase's cell limit, kept by
    // DuckDB too): the field is named, nothing is stored (test/http/cells.test.ts has the rest).
    const long = videoFlow({ label: 'é'.repeat(4_000_000) });
    expectRefused(await server.put(`/flows/${long.id}`, long), 400, /^label is 8,000,002 bytes as JSON/);
    const longer = videoFlow({ extra: Array.from({ length: 200_000 }, (_, i) => i) });
    expectRefused(await server.put(`/flows/${longer.id}`, longer), 400, /^extra is [\d,]+ bytes as JSON/);
    for (const id of [long.id, longer.id]) expect((await server.get(`/flows/${id}`)).status).toBe(404);
    // Past the body limit: the spec's 413 wording aside, a 4xx with the TAMS body.
    const huge = await server.put(`/flows/${wide.id}/label`, json('x'.repeat(65 * 1024 * 1024)));
    expectRefused(huge, 413, /too large/i);
  });
});
