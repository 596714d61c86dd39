/**
 * A store written before TAMS 8.2's webhooks (its webhooks table has no api_version, status,
 * tags or suspended_at) opens with the columns added and no row rewritten: its webhooks are 7.0's,
 * listed by 7.0 as before, and by 8.2 with their ids, `started`, or `error` when suspended.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { TableManager } from '../../src/db/manager.ts';
import { storeTables, T } from '../../src/store/tables.ts';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import { spec82 } from '../helpers/spec82-schemas.ts';

const ADDED = ['api_version', 'status', 'tags', 'suspended_at'];

describe('webhooks of a store from before 8.2', () => {
  const dir = tempDir('tams-webhooks-upgrade-');
  afterAll(() => dir.remove());

  it('gain the 8.2 columns; read as 7.0 webhooks, started unless suspended', async () => {
    const earlier = storeTables.map((t) =>
      t.name === T.webhooks ? { ...t, columns: t.columns.filter((c) => !ADDED.includes(c.name)) } : t,
    );
    const db = await TableManager.open(await openEngine(loadConfig({ TAMS_DATA_DIR: dir.path })), earlier);
    const [plain, suspended] = [randomUUID(), randomUUID()];
    const created = new Date('2026-01-02T03:04:05.000Z');
    const row = { events: ['flows/created'], filters: { presigned: true }, created, cursor: 0n, attempts: 0 };
    await db.insert(T.webhooks, [
      { ...row, id: plain, url: 'http://127.0.0.1:1/a', api_key_name: 'X-Key', api_key_value: 'v' },
      {
        ...row,
        id: suspended,
        url: 'http://127.0.0.1:1/b',
        owner: 'erin',
        suspended: 'token revoked',
        created: new Date(created.getTime() + 1000),
      },
    ]);
    await db.close();

    const server = await startServer({
      dataDir: dir.path,
      workers: false,
      env: { TAMS_WEBHOOK_ALLOW: '127.0.0.1' },
    });
    try {
      const seven = await server.get<Record<string, unknown>[]>('/service/webhooks');
      assertSpecValid('webhook.json[]', seven.body);
      expect(seven.body).toEqual([
        { url: 'http://127.0.0.1:1/a', events: ['flows/created'], presigned: true, api_key_name: 'X-Key' },
        {
          url: 'http://127.0.0.1:1/b',
          events: ['flows/created'],
          presigned: true,
          owner: 'erin',
          delivery_suspended: 'token revoked',
        },
      ]);
      const v8 = mountClient(server, '/tams/v8.2');
      const eight = await v8.get<Record<string, unknown>[]>('/service/webhooks');
      spec82.assertSpecValid('webhook-get.json[]', eight.body);
      expect(eight.body.map((w) => [w.id, w.status])).toEqual([
        [plain, 'started'],
        [suspended, 'error'],
      ]);
      // Suspended before its time was recorded: the webhook's creation stands for it.
      expect(eight.body[1]?.error).toMatchObject({
        type: 'DeliveriesSuspended',
        time: '2026-01-02T03:04:06.000Z',
      });
      // Nothing was written to the rows: the new columns stay empty until a write sets them.
      const rows = await server.runtime.db.select(T.webhooks, {});
      for (const r of rows) for (const column of ADDED) expect(r[column], column).toBeNull();

      // 8.2 changes one, which stays a 7.0 webhook (its payloads' version is for life).
      const put = { id: plain, url: 'http://127.0.0.1:1/a', events: ['flows/created'], status: 'created' };
      expect((await v8.put(`/service/webhooks/${plain}`, { ...put, api_key_name: 'X-Key' })).status).toBe(
        201,
      );
      expect((await server.runtime.store.webhooks.get(plain))?.api_version).toBe('7.0');
      expect((await server.get<unknown[]>('/service/webhooks')).body).toHaveLength(2);
    } finally {
      await server.close();
    }
  });
});
