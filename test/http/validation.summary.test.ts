/**
 * A 400 for a request its schema refuses names what is wrong by its full path (issue 45, item 5):
 * a property that is not allowed and a missing one are named themselves, not only the object
 * holding them; the other checks give the path of the value. The TAMS error body is kept.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { createFlow, type Doc, expectError, putValue, videoFlow } from './fixtures.ts';

let server: TestServer;
let flow: Doc;
let id: string;
beforeAll(async () => {
  server = await startServer({ workers: false });
  flow = await createFlow(server, videoFlow({ label: 'kept' }));
  id = flow.id as string;
});
afterAll(async () => {
  await server?.close();
});

const essence = () => flow.essence_parameters as Doc;

async function summary(res: Promise<{ status: number }>, status = 400): Promise<string> {
  const answer = (await res) as Parameters<typeof expectError>[0];
  expectError(answer, status);
  return (answer.body as Doc).summary as string;
}

describe('validation summaries', () => {
  it('name a property that is not allowed, with its full path', async () => {
    const put = server.put(`/flows/${id}`, {
      ...flow,
      essence_parameters: { ...essence(), vertical_chroma_subs: 2 },
    });
    expect(await summary(put)).toBe(
      'body.essence_parameters.vertical_chroma_subs is not an allowed property',
    );
    // Names that do not read as one step are quoted.
    const odd = server.put(`/flows/${id}`, { ...flow, essence_parameters: { ...essence(), 'x.y/z': 1 } });
    expect(await summary(odd)).toBe('body.essence_parameters["x.y/z"] is not an allowed property');
    // Nothing was stored.
    expect((await server.get<Doc>(`/flows/${id}`)).body.essence_parameters).toEqual(essence());
  });

  it('name a missing property, with its full path', async () => {
    const { source_id: _gone, ...noSource } = flow;
    expect(await summary(server.put(`/flows/${id}`, noSource))).toBe('body.source_id is required');
    const { frame_width: _w, ...noWidth } = essence();
    expect(await summary(server.put(`/flows/${id}`, { ...flow, essence_parameters: noWidth }))).toBe(
      'body.essence_parameters.frame_width is required',
    );
    const segment = server.post(`/flows/${id}/segments`, [{ timerange: '[0:0_1:0)' }]);
    expect(await summary(segment)).toBe('body.0.object_id is required');
  });

  it('give the path of a value of the wrong type, enum, pattern or format', async () => {
    const wide = server.put(`/flows/${id}`, {
      ...flow,
      essence_parameters: { ...essence(), frame_width: 'x' },
    });
    expect(await summary(wide)).toBe('body.essence_parameters.frame_width must be an integer');
    const mode = server.put(`/flows/${id}`, {
      ...flow,
      essence_parameters: { ...essence(), interlace_mode: 'weird' },
    });
    expect(await summary(mode)).toBe(
      'body.essence_parameters.interlace_mode must be one of: progressive, interlaced_tff, interlaced_bff, interlaced_psf',
    );
    expect(await summary(server.put(`/flows/${id}`, { ...flow, tags: { 'a.b': 1 } }))).toBe(
      'body.tags["a.b"] must be a string',
    );
    expect(await summary(putValue(server, `/flows/${id}/read_only`, 'yes'))).toBe('body must be a boolean');
    expect(await summary(server.put(`/flows/${id}`, { ...flow, source_id: 'abc' }))).toMatch(
      /^body\.source_id must match pattern "/,
    );
    // Query parameters are `query.<name>`.
    expect(await summary(server.get('/flows', { query: { format: 'bogus' } }))).toMatch(
      /^query\.format must be one of: urn:x-nmos:format:video, /,
    );
    expect(await summary(server.get('/flows', { query: { limit: 'abc' } }))).toBe(
      'query.limit must be an integer',
    );
    expect(await summary(server.get('/flows', { query: { limit: '0' } }))).toBe('query.limit must be >= 1');
    expect(await summary(server.get('/flows', { query: { source_id: 'abc' } }))).toMatch(
      /^query\.source_id must match pattern "/,
    );
  });
});
