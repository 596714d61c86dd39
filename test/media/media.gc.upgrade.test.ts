/**
 * A store written by an earlier version upgrades: its media_gc table (without `allocated` and
 * `deleted`) gains the columns at start, and rows it queued are worked through. Those rows do not
 * know when their objects were allocated, so the time they were queued (later) stands in: a row
 * queued long ago is deleted once and done; one queued just now is deleted at once and again
 * when any put_url issued before it was queued has expired.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { TableManager } from '../../src/db/manager.ts';
import { UPLOAD_GRACE_MS } from '../../src/media/media.gc.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { FAST_WORKERS, waitFor } from '../segments/helpers.ts';

const FS_ID = '3f0c9a1e-5b7d-4c2e-8a6f-1d2e3f4a5b6c';
const NEW_COLUMNS = ['allocated', 'deleted'];

describe('media_gc of an earlier version', () => {
  const dir = tempDir('tams-gc-upgrade-');
  afterAll(() => dir.remove());

  it('gains its new columns, and its rows are collected with the queueing time as allocation time', async () => {
    // The tables as the earlier version created them.
    const earlier = storeTables.map((t) =>
      t.name === T.mediaGc ? { ...t, columns: t.columns.filter((c) => !NEW_COLUMNS.includes(c.name)) } : t,
    );
    const db = await TableManager.open(await openEngine(loadConfig({ TAMS_DATA_DIR: dir.path })), earlier);
    const now = new Date();
    const longAgo = new Date(now.getTime() - 2 * 86_400_000);
    const row = (path: string, queued: Date) => ({
      storage_id: FS_ID,
      storage_path: path,
      object_id: path,
      queued,
      attempts: 0,
      next_attempt: queued,
      last_error: null,
    });
    await db.insert(T.mediaGc, [row('old/a', longAgo), row('old/b', now)]);
    await db.close();
    await mkdir(join(dir.path, 'media', 'old'), { recursive: true });
    for (const name of ['a', 'b']) await writeFile(join(dir.path, 'media', 'old', name), name);

    const server = await startServer({
      dataDir: dir.path,
      env: { ...FAST_WORKERS, TAMS_FS_STORAGE_ID: FS_ID },
    });
    try {
      const [store] = server.runtime.media.stores;
      const rows = async () => server.runtime.db.select(T.mediaGc, { orderBy: [{ column: 'storage_path' }] });
      await waitFor('both deleted once', async () => {
        const left = await rows();
        return left.length === 1 && left[0]?.deleted instanceof Date && left;
      });
      expect(await store?.head('old/a')).toBeNull();
      expect(await store?.head('old/b')).toBeNull();
      const [waiting] = await rows();
      if (!waiting) throw new Error('the row of old/b is gone');
      expect(waiting).toMatchObject({ storage_path: 'old/b', allocated: null, attempts: 0 });
      const expiry = server.runtime.config.TAMS_PRESIGN_EXPIRY_SECONDS * 1000;
      expect((waiting.next_attempt as Date).getTime()).toBe(
        (waiting.queued as Date).getTime() + expiry + UPLOAD_GRACE_MS,
      );
      expect(await server.runtime.store.mediaGc.backlog()).toBe(0);
    } finally {
      await server.close();
    }
  });
});
