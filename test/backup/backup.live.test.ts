/**
 * A backup of the running embedded store under live ingest (single and bulk segment POSTs
 * throughout), taken through the server with `tams-mgmt backup --server`, restored into a new
 * directory with `tams-mgmt restore`, verified, and served again: every segment acknowledged before
 * the backup began is there, none sent after it ended, every segment there has its object's bytes,
 * byte for byte. Then an incremental backup reuses the unchanged files of the first.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { allSegments, newFlow } from '../segments/helpers.ts';
import { type Acked, ingest, readFiles, readManifestFile, sha256 } from './backup.fixture.ts';

const data = tempDir('tams-backup-live-');
const restored = tempDir('tams-backup-restored-');
afterAll(() => {
  data.remove();
  restored.remove();
});

const env = { TAMS_DATA_DIR: data.path, TAMS_AUTH: 'none', TAMS_LOG_LEVEL: 'silent' };

describe('tams-mgmt backup of a running store, restore, verify', () => {
  it('holds every segment acknowledged before it began, each with its bytes, and restores them', async () => {
    const server: TestServer = await startServer({ dataDir: data.path, env });
    const acked: Acked[] = [];
    let flowId = '';
    let began = 0;
    let ended = 0;
    let done = false;
    try {
      flowId = await newFlow(server);
      // Ingest runs before, throughout and after the backup.
      const writers = [
        ingest(server, flowId, { batch: 1, slot: 0, stop: () => done, acked }),
        ingest(server, flowId, { batch: 1, slot: 100_000, stop: () => done, acked }),
        ingest(server, flowId, { batch: 25, slot: 200_000, stop: () => done, acked }),
      ];
      while (acked.length < 150) await new Promise((r) => setTimeout(r, 10));
      began = performance.now();
      const backup = await runCli(['backup', 'first', '--server', server.url], { env });
      ended = performance.now();
      expect(backup.code, backup.err).toBe(0);
      expect(backup.out).toMatch(/^Backup first /);
      // Some after its end too.
      const after = acked.length;
      while (acked.length < after + 30) await new Promise((r) => setTimeout(r, 10));
      done = true;
      await Promise.all(writers);
    } finally {
      done = true;
      await server.close();
    }
    const dir = join(data.path, 'backups', 'first');
    const manifest = readManifestFile(dir);
    // One database file (no write-ahead log beside it), the media, the lists.
    expect(readdirSync(dir).sort()).toEqual(['files.jsonl', 'manifest.json', 'media', 'tams.duckdb']);
    const before = acked.filter((s) => s.acked < began);
    const afterEnd = acked.filter((s) => s.sent > ended);
    expect(before.length).toBeGreaterThanOrEqual(150);
    expect(afterEnd.length).toBeGreaterThanOrEqual(30);
    expect(manifest.tables.segments).toBeGreaterThanOrEqual(before.length);
    expect(manifest.server_version).toMatch(/^\d+\.\d+\.\d+/);
    expect(manifest.schema_version).toBeGreaterThan(0);

    // Every file of the backup is byte for byte what was uploaded (SHA-256), and so says the manifest.
    const uploaded = new Map(acked.map((s) => [s.object_id, s.sha256]));
    const media = readFiles(dir).filter((f) => f.storage_id !== undefined);
    for (const f of media) {
      const objectId = f.key?.split('/').at(-1);
      const bytes = readFileSync(join(dir, f.path));
      expect(sha256(bytes)).toBe(f.sha256);
      if (objectId !== undefined && uploaded.has(objectId)) expect(f.sha256).toBe(uploaded.get(objectId));
    }

    const verified = await runCli(['verify', dir], { env });
    expect(verified.code, verified.out + verified.err).toBe(0);
    expect(verified.out).toContain('Every checksum matches.');

    const target = join(restored.path, 'store');
    const restore = await runCli(['restore', dir, '--data-dir', target], {
      env: { TAMS_LOG_LEVEL: 'silent' },
    });
    expect(restore.code, restore.err).toBe(0);
    expect(restore.out).toMatch(/^Restored backup first /);
    const check = await runCli(['verify', '--data-dir', target], {
      env: { TAMS_AUTH: 'none', TAMS_LOG_LEVEL: 'silent' },
    });
    expect(check.code, check.out + check.err).toBe(0);
    expect(check.out).toContain('No problems found.');

    const again = await startServer({ dataDir: target, env: { TAMS_AUTH: 'none' }, workers: false });
    try {
      const segments = await allSegments(again, flowId, { presigned: true });
      const present = new Set(segments.map((s) => s.object_id));
      for (const s of before)
        expect(present.has(s.object_id), `acknowledged before: ${s.timerange}`).toBe(true);
      for (const s of afterEnd) expect(present.has(s.object_id), `sent after: ${s.timerange}`).toBe(false);
      // Every segment there has its object's bytes, as uploaded.
      for (const s of segments) {
        const url = s.get_urls?.find((u) => u.presigned)?.url ?? s.get_urls?.[0]?.url;
        expect(url, s.object_id).toBeDefined();
        const res = await fetch(url as string);
        expect(res.status, s.object_id).toBe(200);
        expect(sha256(new Uint8Array(await res.arrayBuffer()))).toBe(uploaded.get(s.object_id));
      }
      expect(segments.length).toBe(manifest.tables.segments);
    } finally {
      await again.close();
    }
  });

  it('an incremental backup links the unchanged files of the previous one instead of reading them', async () => {
    const server = await startServer({ dataDir: data.path, env });
    const acked: Acked[] = [];
    try {
      const flowId = await newFlow(server);
      await ingest(server, flowId, { batch: 10, slot: 0, stop: () => false, rounds: 2, acked });
      const run = await runCli(
        ['backup', 'second', '--incremental-from', 'first', '--server', server.url, '--json'],
        {
          env,
        },
      );
      expect(run.code, run.err).toBe(0);
      const manifest = JSON.parse(run.out);
      const first = readManifestFile(join(data.path, 'backups', 'first'));
      const [id] = Object.keys(first.media);
      const previous = first.media[id as string];
      const counts = manifest.media[id as string];
      // Every object of the first backup reused; those registered since (after its end, and these
      // 20) linked from the media directory.
      expect(counts.reused).toBe((previous?.linked ?? 0) + (previous?.copied ?? 0) + (previous?.reused ?? 0));
      expect(manifest.incremental_from).toBe('first');
      const firstFiles = new Map(readFiles(join(data.path, 'backups', 'first')).map((f) => [f.path, f]));
      const secondMedia = readFiles(join(data.path, 'backups', 'second')).filter((f) => f.storage_id);
      const fresh = secondMedia.filter((f) => !firstFiles.has(f.path));
      expect(counts.linked + counts.copied).toBe(fresh.length);
      const freshIds = new Set(fresh.map((f) => f.key?.split('/').at(-1)));
      for (const s of acked) expect(freshIds.has(s.object_id)).toBe(true);
      // Reused: the same file (inode) as the first backup's, with its checksum.
      const reused = secondMedia.filter((f) => firstFiles.has(f.path));
      expect(reused.length).toBe(counts.reused);
      for (const f of reused.slice(0, 20)) {
        const a = statSync(join(data.path, 'backups', 'first', f.path));
        const b = statSync(join(data.path, 'backups', 'second', f.path));
        expect(b.ino).toBe(a.ino);
        expect(f.sha256).toBe(firstFiles.get(f.path)?.sha256);
      }
      const verified = await runCli(['verify', join(data.path, 'backups', 'second')], { env });
      expect(verified.code, verified.out).toBe(0);
    } finally {
      await server.close();
    }
  });
});
