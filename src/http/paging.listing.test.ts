import { describe, expect, it } from 'vitest';
import { BadRequestError } from '../common/errors.ts';
import { V7_MOUNT, V8_MOUNT } from './api.version.ts';
import { decodeListingKey, encodeListingKey, listingScope } from './paging.listing.ts';
import { encodePageKey } from './paging.ts';

const scope = listingScope(V8_MOUNT, 'flow-delete-requests', 'created', false);
const forged = (json: unknown) => encodePageKey(JSON.stringify(json));

describe('page keys of sorted listings', () => {
  it('carry the cursor: a date-time, a string or no value, and the id', () => {
    const at = new Date('2025-06-01T12:00:00.001Z');
    expect(decodeListingKey(encodeListingKey(scope, { value: at, id: 'a' }), scope, 'datetime')).toEqual({
      value: at,
      id: 'a',
    });
    expect(decodeListingKey(encodeListingKey(scope, { value: null, id: 'b' }), scope, 'datetime')).toEqual({
      value: null,
      id: 'b',
    });
    const labels = listingScope(V8_MOUNT, 'storage-backends', 'label', true);
    expect(decodeListingKey(encodeListingKey(labels, { value: 'ä,b', id: 'c' }), labels, 'string')).toEqual({
      value: 'ä,b',
      id: 'c',
    });
    expect(decodeListingKey(undefined, scope, 'datetime')).toBeUndefined();
  });

  it('are refused by another listing order or mount', () => {
    const key = encodeListingKey(scope, { value: new Date(0), id: 'a' });
    for (const other of [
      listingScope(V8_MOUNT, 'flow-delete-requests', 'expiry', false),
      listingScope(V8_MOUNT, 'flow-delete-requests', 'created', true),
      listingScope(V7_MOUNT, 'flow-delete-requests', 'created', false),
    ]) {
      expect(() => decodeListingKey(key, other, 'datetime')).toThrow(/another listing order/);
    }
  });

  it('refuse with 400 what this server did not make: a value of another kind, a bad date, no id', () => {
    for (const page of [
      forged({ k: scope, v: ['s', 'x'], i: 'a' }),
      forged({ k: scope, v: ['d', 1.5], i: 'a' }),
      forged({ k: scope, v: ['d', 9e15], i: 'a' }),
      forged({ k: scope, v: ['d', '5'], i: 'a' }),
      forged({ k: scope, v: 5, i: 'a' }),
      forged({ k: scope, v: null }),
      forged([scope]),
      forged('text'),
      encodePageKey('not json'),
      'not a key!',
    ]) {
      expect(() => decodeListingKey(page, scope, 'datetime'), page).toThrow(BadRequestError);
    }
    const labels = listingScope(V8_MOUNT, 'storage-backends', 'label', false);
    expect(() => decodeListingKey(forged({ k: labels, v: ['d', 5], i: 'a' }), labels, 'string')).toThrow(
      BadRequestError,
    );
  });
});
