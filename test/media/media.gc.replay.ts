/**
 * Shared by the S3 suites (s3rver, MinIO): a put_url replayed after its object is gone writes
 * bytes nothing tracks (an S3 server knows nothing of allocations); the media GC deletes the key
 * again once every PUT URL issued for the object has expired, so those bytes go too. The server
 * runs on an injected clock that the test moves past that instant: nothing sleeps.
 */
import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Clock } from '../../src/common/clock.ts';
import { UPLOAD_GRACE_MS } from '../../src/media/media.gc.ts';
import type { TestServer } from '../helpers/server.ts';
import {
  type AllocatedObject,
  addSegments,
  allocate,
  bytesExist,
  newFlow,
  storedBytes,
  upload,
  waitFor,
} from '../segments/helpers.ts';

/** A clock the test moves forward. */
export class MovableClock implements Clock {
  offsetMs = 0;
  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
}

/** The media_gc row of an object, if any (read through the table manager). */
async function gcRow(server: TestServer, objectId: string) {
  const rows = await server.runtime.db.select('media_gc');
  return rows.find((r) => r.object_id === objectId);
}

export async function replayedPutIsCollected(server: TestServer, clock: MovableClock): Promise<void> {
  const flowId = await newFlow(server);
  const [object] = (await allocate(server, flowId, { limit: 1 })) as [AllocatedObject];
  await upload(object, randomBytes(5000));
  const where = await storedBytes(server, object.object_id);
  await addSegments(server, flowId, { object_id: object.object_id, timerange: '[0:0_10:0)' });
  expect((await server.delete(`/flows/${flowId}`)).status).toBe(204);

  // The bytes are deleted at once; the row stays, due again when the PUT URL has expired.
  const row = await waitFor('the first deletion', async () => {
    const r = await gcRow(server, object.object_id);
    return r?.deleted instanceof Date && r;
  });
  expect(await bytesExist(server, where)).toBe(false);
  const expiry = server.runtime.config.TAMS_PRESIGN_EXPIRY_SECONDS * 1000;
  const again = (row.next_attempt as Date).getTime();
  expect(again).toBeGreaterThanOrEqual(clock.now().getTime() + expiry - 60_000);
  expect(await server.runtime.store.mediaGc.backlog()).toBe(0);

  // The URL is still valid: a replay writes bytes that no object row tracks.
  await upload(object, randomBytes(5000));
  expect(await bytesExist(server, where)).toBe(true);
  expect(await gcRow(server, object.object_id)).toBeDefined();

  clock.offsetMs += expiry + UPLOAD_GRACE_MS + 1000;
  await waitFor('the row done', async () => (await gcRow(server, object.object_id)) === undefined);
  expect(await bytesExist(server, where)).toBe(false);
}
