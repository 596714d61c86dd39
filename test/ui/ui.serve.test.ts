/**
 * Serving the web UI (src/ui/ui.routes.ts) from a build folder made here, laid out as Vite lays
 * out ui/dist: the page and deep links answer index.html revalidated on every load, hashed assets
 * are cached for good and sent in the compressed copy the client accepts, a missing file is a 404
 * (never the page), and everything is public with authentication required. The real build is
 * served in the browser tests (ui.browser.test.ts) and by the compiled server (smoke:dist).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthServer } from '../auth/auth.fixture.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { stopAll } from '../helpers/stop.ts';

const PAGE =
  '<!doctype html><html><head><script type="module" src="/ui/assets/index-AbC123.js"></script></head><body><div id="app"></div></body></html>';
/** Long enough to be worth compressing, as the build's copies are. */
const SCRIPT = `console.log(${JSON.stringify('x'.repeat(4000))});\n`;

function writeBuild(dir: string): void {
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), PAGE);
  writeFileSync(join(dir, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  const script = join(dir, 'assets/index-AbC123.js');
  writeFileSync(script, SCRIPT);
  writeFileSync(`${script}.br`, brotliCompressSync(SCRIPT));
  writeFileSync(`${script}.gz`, gzipSync(SCRIPT));
}

describe('the web UI at /ui', () => {
  let build: ReturnType<typeof tempDir>;
  let server: TestServer;

  beforeAll(async () => {
    build = tempDir('tams-ui-build-');
    writeBuild(build.path);
    server = await startAuthServer({ TAMS_UI_DIR: build.path });
  });

  afterAll(() => stopAll(server, build));

  /** GET without credentials, without following redirects. */
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers, redirect: 'manual' });

  it('answers the page without credentials, revalidated on every load, with its security headers', async () => {
    const res = await get('/ui/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(await res.text()).toBe(PAGE);
  });

  it('redirects /ui to /ui/, keeping the query', async () => {
    const res = await get('/ui?q=news');
    expect(res.status).toBe(301);
    expect(res.headers.get('location')).toBe('/ui/?q=news');
  });

  it('answers the page for deep links, so that reloads work', async () => {
    for (const path of [
      '/ui/flows',
      '/ui/flows/0b5e8b2e-9a4c-4a36-9c59-2a8f1f6f3c11?timerange=_',
      '/ui/search?q=a',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-cache');
      expect(await res.text()).toBe(PAGE);
    }
  });

  it('sends hashed assets cached for good, brotli or gzip as the client accepts', async () => {
    for (const [accept, encoding] of [
      ['br, gzip', 'br'],
      ['gzip', 'gzip'],
      ['identity', null],
    ] as const) {
      const res = await get('/ui/assets/index-AbC123.js', { 'accept-encoding': accept });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-encoding')).toBe(encoding);
      expect(res.headers.get('content-type')).toMatch(/javascript/);
      expect(res.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(res.headers.get('vary')).toMatch(/accept-encoding/i);
      // fetch decodes the encoding: the same script whatever was sent.
      expect(await res.text()).toBe(SCRIPT);
    }
  });

  it('revalidates files that are not hashed assets', async () => {
    const res = await get('/ui/favicon.svg');
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-cache');
  });

  it('answers 404 for a missing file, never the page', async () => {
    for (const path of ['/ui/assets/index-Gone99.js', '/ui/robots.txt', '/ui/assets/x']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type')).toBe('application/json');
      expect(await res.json()).toMatchObject({ type: 'NotFound' });
    }
  });

  it('serves nothing outside the build folder', async () => {
    // Sent as written (fetch would resolve the dots itself).
    const raw = (path: string) =>
      new Promise<number>((resolve, reject) => {
        request(`${server.url}${path}`, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });
    for (const path of [
      '/ui/../package.json',
      '/ui/%2e%2e/package.json',
      '/ui/assets/..%2f..%2fpackage.json',
    ]) {
      // Refused one way or another (a path the router does not take is a 401 without credentials).
      expect([400, 401, 403, 404], path).toContain(await raw(path));
    }
  });

  it('keeps the UI out of the OpenAPI document', async () => {
    const doc = (await get('/openapi.json').then((r) => r.json())) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths).filter((p) => p.startsWith('/ui'))).toEqual([]);
  });
});

describe('the web UI switched off or not built', () => {
  it('is not served with TAMS_UI=false', async () => {
    const build = tempDir('tams-ui-build-');
    writeBuild(build.path);
    const server = await startServer({ env: { TAMS_UI: 'false', TAMS_UI_DIR: build.path } });
    try {
      expect((await fetch(`${server.url}/ui/`)).status).toBe(404);
      expect((await fetch(`${server.url}/ui/assets/index-AbC123.js`)).status).toBe(404);
    } finally {
      await server.close();
      build.remove();
    }
  });

  it('answers 503 saying how to build it when the folder holds no build', async () => {
    const empty = tempDir('tams-ui-empty-');
    const server = await startServer({ env: { TAMS_UI_DIR: empty.path } });
    try {
      for (const path of ['/ui', '/ui/', '/ui/flows']) {
        const res = await fetch(`${server.url}${path}`, { redirect: 'manual' });
        expect(res.status, path).toBe(503);
        expect((await res.json()) as { summary: string }).toMatchObject({
          summary: expect.stringContaining('npm run build:ui'),
        });
      }
    } finally {
      await server.close();
      empty.remove();
    }
  });
});
