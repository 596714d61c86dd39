import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.ts';
import { openEngine } from '../db/engine.factory.ts';
import { TableManager } from '../db/manager.ts';
import { storeTables } from './tables.ts';
import { type WebhookRecord, WebhooksRepo } from './webhooks.repo.ts';

const opened: TableManager[] = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
});

async function repo(): Promise<WebhooksRepo> {
  const db = await TableManager.open(await openEngine(loadConfig({}), { memory: true }), storeTables);
  opened.push(db);
  return new WebhooksRepo(db);
}

const webhook: WebhookRecord = {
  id: 'w1',
  url: 'http://receiver.example/hook',
  events: ['flows/created'],
  filters: {},
  api_version: '7.0',
  status: 'started',
  tags: {},
  owner: 'alice',
  credential: { scheme: 'token', id: 't1', scopes: ['read'] },
  suspended: 'token revoked',
  last_error: 'deliveries suspended: token revoked',
  created: new Date(0),
  cursor: 10n,
  attempts: 0,
};

describe('webhook registrations saved again', () => {
  it('keep the delivery state a dispatcher wrote after they were read', async () => {
    const webhooks = await repo();
    await webhooks.insert(webhook);
    const read = (await webhooks.get('w1')) as WebhookRecord;
    // A replica's delivery moves on meanwhile.
    const lease = new Date(60_000);
    await webhooks.saveDelivery({
      ...read,
      cursor: 42n,
      attempts: 2,
      lease_owner: 'replica-b',
      lease_until: lease,
    });

    await webhooks.saveRegistration(
      { ...read, events: ['flows/deleted'], filters: { flow_ids: ['f'] } },
      false,
    );
    expect(await webhooks.get('w1')).toMatchObject({
      events: ['flows/deleted'],
      filters: { flow_ids: ['f'] },
      cursor: 42n,
      attempts: 2,
      lease_owner: 'replica-b',
      lease_until: lease,
      suspended: 'token revoked',
    });

    // Registered again by its owner with a new credential: the suspension goes, nothing else.
    const renewed: WebhookRecord = { ...read, credential: { scheme: 'token', id: 't2', scopes: ['read'] } };
    delete renewed.suspended;
    delete renewed.last_error;
    await webhooks.saveRegistration(renewed, true);
    const after = (await webhooks.get('w1')) as WebhookRecord;
    expect(after).toMatchObject({ cursor: 42n, lease_owner: 'replica-b', credential: { id: 't2' } });
    expect(after.suspended).toBeUndefined();
    expect(after.last_error).toBeUndefined();
  });
});
