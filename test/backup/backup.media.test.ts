/**
 * How a backup finds the media: it joins the objects the snapshot names with the files the media
 * directory holds. Objects allocated but never uploaded count as missing and cost no file; files
 * the snapshot does not name (a stray, one with a name no key can have) stay out; each object's
 * sidecar (content type, ETag) goes into the file list and comes back at restore.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { addSegments, allocate, allSegments, contiguous, newFlow, upload } from '../segments/helpers.ts';
import { readFiles, readManifestFile } from './backup.fixture.ts';

const data = tempDir('tams-backup-media-');
const restored = tempDir('tams-backup-media-restored-');
afterAll(() => {
  data.remove();
  restored.remove();
});

const env = { TAMS_DATA_DIR: data.path, TAMS_AUTH: 'none', TAMS_LOG_LEVEL: 'silent' };

describe('the media of a backup', () => {
  it('are the files there are of the objects the snapshot names, with their sidecars', async () => {
    const server = await startServer({ dataDir: data.path, env, workers: false });
    let flowId = '';
    let uploaded: string[] = [];
    let contentType = '';
    try {
      flowId = await newFlow(server);
      const objects = await allocate(server, flowId, { limit: 6 });
      for (const object of objects.slice(0, 4)) await upload(object);
      uploaded = objects.slice(0, 4).map((o) => o.object_id);
      contentType = objects[0]?.put_url['content-type'] ?? '';
      await addSegments(server, flowId, contiguous(objects.map((o) => o.object_id)));
    } finally {
      await server.close();
    }
    mkdirSync(join(data.path, 'media', 'zz'), { recursive: true });
    writeFileSync(join(data.path, 'media', 'zz', 'stray'), 'not an object of the store');
    writeFileSync(join(data.path, 'media', 'zz', 'no key has spaces'), 'nor this');

    const run = await runCli(['backup', 'joined'], { env });
    expect(run.code, run.err).toBe(0);
    const dir = join(data.path, 'backups', 'joined');
    const manifest = readManifestFile(dir);
    expect(Object.keys(manifest.phases_ms ?? {})).toEqual([
      'database',
      'object_list',
      'media_files',
      'media',
    ]);
    for (const ms of Object.values(manifest.phases_ms ?? {})) expect(ms).toBeGreaterThanOrEqual(0);
    const [counts, ...others] = Object.values(manifest.media);
    expect(others).toEqual([]);
    expect(counts?.objects).toBeGreaterThanOrEqual(6);
    expect((counts?.linked ?? 0) + (counts?.copied ?? 0)).toBe(4);
    expect(counts?.missing).toBe((counts?.objects ?? 0) - 4);
    const media = readFiles(dir).filter((f) => f.storage_id !== undefined);
    expect(media.map((f) => f.key?.split('/').at(-1)).sort()).toEqual([...uploaded].sort());
    expect(contentType).not.toBe('');
    for (const f of media) {
      expect(f.content_type, f.path).toBe(contentType);
      expect(f.etag, f.path).toMatch(/^"[0-9a-f]{32}"$/);
    }

    const target = join(restored.path, 'store');
    const restore = await runCli(['restore', dir, '--data-dir', target], {
      env: { TAMS_LOG_LEVEL: 'silent' },
    });
    expect(restore.code, restore.err).toBe(0);
    const again = await startServer({ dataDir: target, env: { TAMS_AUTH: 'none' }, workers: false });
    try {
      const segments = await allSegments(again, flowId, { presigned: true });
      const served = segments.filter((s) => uploaded.includes(s.object_id));
      expect(served.length).toBe(4);
      for (const s of served) {
        const url = s.get_urls?.find((u) => u.presigned)?.url ?? s.get_urls?.[0]?.url;
        const res = await fetch(url as string);
        await res.arrayBuffer();
        expect(res.status, s.object_id).toBe(200);
        expect(res.headers.get('content-type'), s.object_id).toBe(contentType);
        expect(res.headers.get('etag'), s.object_id).toBe(
          media.find((f) => f.key?.endsWith(s.object_id))?.etag,
        );
      }
    } finally {
      await again.close();
    }
  });
});
