import { describe, expect, it } from 'vitest';
import type { WebhookRecord } from '../store/webhooks.repo.ts';
import {
  decodeWebhookCursor,
  encodeWebhookCursor,
  webhookGetDocument,
  webhookPage,
  webhookStatus,
} from './webhooks.v8.mapper.ts';

const record = (url: string, id: string, over: Partial<WebhookRecord> = {}): WebhookRecord => ({
  id,
  url,
  events: ['flows/created'],
  filters: {},
  api_version: '8.2',
  status: 'created',
  tags: {},
  created: new Date(0),
  cursor: 0n,
  attempts: 0,
  ...over,
});

const ids = (page: { items: WebhookRecord[] }) => page.items.map((w) => w.id);

describe('the 8.2 listing', () => {
  const all = [record('b', '2'), record('a', '9'), record('b', '1'), record('B', '5'), record('c', '3')];

  it('orders by url, then id, in code-unit order, and pages after a key', () => {
    const first = webhookPage(all, { reverse: false, limit: 2 });
    expect(ids(first)).toEqual(['5', '9']);
    const second = webhookPage(all, { reverse: false, limit: 2, ...(first.next && { after: first.next }) });
    expect(ids(second)).toEqual(['1', '2']);
    const last = webhookPage(all, { reverse: false, limit: 2, ...(second.next && { after: second.next }) });
    expect([ids(last), last.next]).toEqual([['3'], undefined]);
  });

  it('reverses, and pages backwards after a key', () => {
    const first = webhookPage(all, { reverse: true, limit: 3 });
    expect(ids(first)).toEqual(['3', '2', '1']);
    expect(ids(webhookPage(all, { reverse: true, limit: 3, after: { url: 'b', id: '1' } }))).toEqual([
      '9',
      '5',
    ]);
  });

  it('keys a page by url and id; a key of another kind is none', () => {
    const key = { url: 'http://x/a,b', id: '1' };
    expect(decodeWebhookCursor(encodeWebhookCursor(key))).toEqual(key);
    for (const other of ['12', '["flows","a","b"]', '["webhooks",1,"b"]', 'not json']) {
      expect(decodeWebhookCursor(other)).toBeUndefined();
    }
  });
});

describe('8.2 status', () => {
  it('is the stored one, disabled over error, error while suspended', () => {
    expect(webhookStatus(record('a', '1', { status: 'started' }))).toBe('started');
    expect(webhookStatus(record('a', '1', { status: 'started', suspended: 'revoked' }))).toBe('error');
    expect(webhookStatus(record('a', '1', { status: 'disabled', suspended: 'revoked' }))).toBe('disabled');
    const doc = webhookGetDocument(
      record('a', '1', { suspended: 'revoked', suspended_at: new Date(1000), api_key_value: 'secret' }),
    );
    expect(doc).toMatchObject({
      status: 'error',
      error: { type: 'DeliveriesSuspended', time: '1970-01-01T00:00:01.000Z' },
    });
    expect(doc).not.toHaveProperty('api_key_value');
  });
});
