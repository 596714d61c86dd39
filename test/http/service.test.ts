import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid, specExample } from '../helpers/spec-schemas.ts';
import { type Doc, expectError, getAndHead } from './fixtures.ts';

let server: TestServer;
beforeAll(async () => {
  server = await startServer({
    env: { TAMS_SERVICE_NAME: 'initial name', TAMS_SERVICE_DESCRIPTION: 'initial description' },
  });
});
afterAll(async () => {
  await server.close();
});

describe('GET / and HEAD /', () => {
  it('lists the root endpoints of this issue', async () => {
    const res = await getAndHead<string[]>(server, '/');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    expect(res.body).toEqual(expect.arrayContaining(['service', 'flows', 'sources']));
    for (const name of res.body) expect(typeof name).toBe('string');
  });
});

describe('GET /service and HEAD /service', () => {
  it('is a valid service.json for API 7.0 with the configured name and description', async () => {
    const res = await getAndHead<Doc>(server, '/service');
    expect(res.status).toBe(200);
    assertSpecValid('service.json', res.body);
    expect(res.body.api_version).toBe('7.0');
    expect(res.body.type).toMatch(/^urn:x-tams:service/);
    expect(res.body.name).toBe('initial name');
    expect(res.body.description).toBe('initial description');
  });
});

describe('POST /service', () => {
  it('changes the name and description (200, no body)', async () => {
    const res = await server.post('/service', specExample('service-post.json'));
    expect(res.status).toBe(200);
    expect(res.text).toBe('');
    const after = await server.get<Doc>('/service');
    assertSpecValid('service.json', after.body);
    expect(after.body).toMatchObject({ name: 'Updated Name', description: 'Updated description' });
    expect(after.body.api_version).toBe('7.0');
  });

  it('changes only what the body names', async () => {
    expect((await server.post('/service', { name: 'only the name' })).status).toBe(200);
    const a = await server.get<Doc>('/service');
    expect(a.body.name).toBe('only the name');
    expect(a.body.description).toBe('Updated description');
    expect((await server.post('/service', { description: 'only the description' })).status).toBe(200);
    const b = await server.get<Doc>('/service');
    expect(b.body).toMatchObject({ name: 'only the name', description: 'only the description' });
  });

  it('rejects invalid service JSON with 400 and the spec message', async () => {
    const before = (await server.get<Doc>('/service')).body;
    for (const body of [{ name: 5 }, { description: ['x'] }, '[1,2]', '"name"']) {
      expectError(await server.post('/service', body), 400, 'Bad request. Invalid service JSON.');
    }
    expectError(await server.post('/service', '{"name": '), 400, 'Bad request. Invalid service JSON.');
    expectError(
      await server.request('POST', '/service', { body: '', headers: { 'content-type': 'application/json' } }),
      400,
    );
    expect((await server.get<Doc>('/service')).body).toEqual(before);
  });
});

describe('GET /service/storage-backends and HEAD', () => {
  it('is a valid storage-backends-list.json', async () => {
    const res = await getAndHead<Doc[]>(server, '/service/storage-backends');
    expect(res.status).toBe(200);
    expect(Array.isArray(res.body)).toBe(true);
    assertSpecValid('storage-backends-list.json', res.body);
    // Not a paged listing in 7.0.
    expect(res.headers.get('link')).toBeNull();
  });
});
