/**
 * GET /support/bundle makes one bundle at a time: asked while another is being made it answers
 * 503 with `Retry-After` and the TAMS error body, and once that one is sent the next is made.
 * The bundle being made is held open by a gate (the server's own bundle would be made too fast to
 * be asked for twice at once); the route, the service and the app are the server's.
 */
import { afterEach, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { loadConfig } from '../../src/config.ts';
import { buildRuntime } from '../../src/deps.ts';
import { SupportBundles } from '../../src/support/support.service.ts';
import { tempDir } from '../helpers/server.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

it('answers 503 with Retry-After while another bundle is being made, then makes the next', async () => {
  const dir = tempDir();
  const config = loadConfig({ TAMS_LOG_LEVEL: 'silent', TAMS_DATA_DIR: dir.path, TAMS_AUTH: 'none' });
  const runtime = await buildRuntime(config, { memory: true });
  let open!: () => void;
  const gate = new Promise<void>((resolve) => {
    open = resolve;
  });
  let begun!: () => void;
  const making = new Promise<void>((resolve) => {
    begun = resolve;
  });
  let made = 0;
  const support = new SupportBundles(async () => {
    made++;
    begun();
    await gate;
    return { archive: Buffer.from(`bundle ${made}`), folder: `tams-support-${made}`, parts: [] };
  });
  const app = await buildApp({ ...runtime, support, logger: false });
  cleanups.push(async () => {
    open();
    await app.close();
    await runtime.close();
    dir.remove();
  });

  const first = app.inject({ method: 'GET', url: '/support/bundle' });
  await making;
  const busy = await app.inject({ method: 'GET', url: '/support/bundle' });
  expect(busy.statusCode).toBe(503);
  expect(busy.headers['retry-after']).toBe('30');
  expect(busy.json()).toMatchObject({
    type: 'ServiceUnavailable',
    summary: 'Another support bundle is being made',
  });
  expect(made).toBe(1);

  open();
  const sent = await first;
  expect(sent.statusCode).toBe(200);
  expect(sent.headers['content-disposition']).toBe('attachment; filename="tams-support-1.tar.gz"');
  expect(sent.body).toBe('bundle 1');
  const next = await app.inject({ method: 'GET', url: '/support/bundle' });
  expect(next.statusCode).toBe(200);
  expect(next.body).toBe('bundle 2');
});
