/**
 * While a backup holds media deletion (from before its snapshot until its objects are in), the
 * garbage collector deletes no bytes: objects the snapshot names stay until they are copied; the
 * deletions happen once the hold ends.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { startServer, tempDir } from '../helpers/server.ts';
import {
  addSegments,
  allocate,
  bytesExist,
  contiguous,
  FAST_WORKERS,
  newFlow,
  storedBytes,
  upload,
  waitBytesGone,
  waitFor,
} from '../segments/helpers.ts';

const data = tempDir('tams-backup-gc-');
afterAll(() => data.remove());

describe('media deletion during a backup', () => {
  it('waits for the backup to let go, then deletes the bytes', async () => {
    const server = await startServer({ dataDir: data.path, env: { TAMS_AUTH: 'none', ...FAST_WORKERS } });
    try {
      const flowId = await newFlow(server);
      const objects = await allocate(server, flowId, { limit: 3 });
      for (const o of objects) await upload(o);
      await addSegments(server, flowId, contiguous(objects.map((o) => o.object_id)));
      const stored = await Promise.all(objects.map((o) => storedBytes(server, o.object_id)));

      const held = server.runtime.backups.holdDeletions();
      const deleted = await server.delete(`/flows/${flowId}/segments`);
      expect([202, 204]).toContain(deleted.status);
      // The collector reached the bytes and waits at the hold rather than deleting them.
      await waitFor('a deletion waiting for the hold', async () => held.waiting() > 0);
      for (const where of stored) expect(await bytesExist(server, where)).toBe(true);

      held.release();
      for (const where of stored) await waitBytesGone(server, where);
    } finally {
      await server.close();
    }
  });
});
