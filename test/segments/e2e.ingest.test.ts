/**
 * The end-to-end ingest/outgest test of issue 3 (e2e.scenario.ts), unchanged, on each media
 * backend: the embedded fs store (the server serves its own signed media URLs), and S3 as the
 * default backend (an s3rver started here), where put_url and get_urls point at the S3 server and
 * no media byte passes through the API.
 */
import { describe, expect, it } from 'vitest';
import { startS3Server } from '../helpers/s3.server.ts';
import { startServer } from '../helpers/server.ts';
import { describeIngestOutgest } from './e2e.scenario.ts';

describeIngestOutgest('fs', async (env) => {
  const server = await startServer({ env });
  return { server, mediaOrigin: server.url, close: () => server.close() };
});

describeIngestOutgest('S3', async (env) => {
  const { server, s3, close } = await startS3Server({ env });
  return { server, mediaOrigin: s3.endpoint, close };
});

describe('the S3-backed server of the end-to-end test', () => {
  it('has S3 as its only, default backend and serves no media route of its own', async () => {
    const { server, s3, entries, close } = await startS3Server();
    try {
      expect(new URL(s3.endpoint).origin).not.toBe(new URL(server.url).origin);
      expect(server.runtime.media.descriptors()).toMatchObject([
        { id: entries[0]?.id, provider: 's3rver', default_storage: true },
      ]);
      expect(server.runtime.mediaRoutes).toBeUndefined();
    } finally {
      await close();
    }
  });
});
