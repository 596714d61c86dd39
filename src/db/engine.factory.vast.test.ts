/**
 * TAMS_DB=vast as the server opens it (loadConfig, then openEngine): the keep-alive interval of
 * open transactions is TAMS_VAST_KEEP_ALIVE_MS, the interval `tams-mgmt vast check` holds the
 * cluster's idle timeout against.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { loadConfig } from '../config.ts';
import { openEngine } from './engine.factory.ts';
import { TableManager } from './manager.ts';

let vast: FakeVast;

beforeAll(async () => {
  vast = await startFakeVast();
});

afterAll(async () => {
  await vast?.close();
});

describe('TAMS_DB=vast', () => {
  it('keeps an open transaction alive every TAMS_VAST_KEEP_ALIVE_MS', async () => {
    const config = loadConfig({
      TAMS_DB: 'vast',
      TAMS_VAST_ENDPOINTS: vast.url,
      TAMS_VAST_ACCESS_KEY: vast.keys.access,
      TAMS_VAST_SECRET_KEY: vast.keys.secret,
      TAMS_VAST_BUCKET: vast.bucket,
      TAMS_VAST_KEEP_ALIVE_MS: '100',
    });
    const db = await TableManager.open(await openEngine(config), [
      { name: 'items', columns: [{ name: 'id', type: 'int64' }] },
    ]);
    try {
      await db.transaction(async (tx) => {
        await tx.insert('items', [{ id: 1n }]);
        const before = vast.stats.calls.keepalive;
        // At the default interval (20 s) none would come within waitFor's second.
        await vi.waitFor(() => expect(vast.stats.calls.keepalive).toBeGreaterThan(before + 1));
      });
      expect(await db.count('items')).toBe(1);
    } finally {
      await db.close();
    }
  });
});
