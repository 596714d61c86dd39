import { describe, expect, it } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
  serverAjv,
} from '../../test/helpers/schema-parity.ts';
import { specValidator } from '../../test/helpers/spec-schemas.ts';
import * as storage from './storage.schemas.ts';
import { FlowStorage, FlowStoragePost, HttpRequest } from './storage.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });

const STORAGE_ID = '60af2ab4-e8a5-4c65-a09b-d35983680315';
const putUrl = { url: 'https://store.example.com/b/o?sig=1', 'content-type': 'video/mp2t' };

describe('storage schemas', () => {
  compilesForFastify(storage);

  parityExamples('flow-storage-post.json', FlowStoragePost);
  parityCases('flow-storage-post.json', FlowStoragePost, [
    ok('empty', {}),
    ok('limit', { limit: 5 }),
    ok('object_ids', { object_ids: ['a', 'b/c'] }),
    ok('storage_id', { storage_id: STORAGE_ID }),
    ok('limit and storage_id', { limit: 5, storage_id: STORAGE_ID }),
    ok('object_ids and storage_id', { object_ids: [], storage_id: STORAGE_ID }),
    ok('extra property', { foo: 1 }),
    bad('limit and object_ids', { limit: 5, object_ids: ['a'] }),
    bad('limit, object_ids and storage_id', { limit: 1, object_ids: [], storage_id: STORAGE_ID }),
    bad('fractional limit', { limit: 1.5 }),
    bad('limit a string', { limit: '5' }),
    bad('object_ids with a number', { object_ids: [1] }),
    bad('object_ids a string', { object_ids: 'a' }),
    bad('bad storage_id', { storage_id: 'default' }),
    bad('not an object', [5]),
  ]);

  it('is coerced by the server Ajv where the spec is strict (limit "5")', () => {
    const validate = serverAjv().compile(FlowStoragePost);
    const doc: Record<string, unknown> = { limit: '5' };
    expect([specValidator('flow-storage-post.json')(doc), validate(doc)]).toEqual([false, true]);
    expect(doc).toEqual({ limit: 5 });
  });

  parityCases('http-request.json', HttpRequest, [
    ok('url only', { url: 'u' }),
    ok('everything', { ...putUrl, body: '<xml/>', headers: { 'x-amz-acl': 'private' }, method: 'PUT' }),
    bad('without url', { body: 'x' }),
    bad('content-type a number', { url: 'u', 'content-type': 1 }),
    bad('header value a number', { url: 'u', headers: { a: 1 } }),
    bad('headers an array', { url: 'u', headers: ['a'] }),
  ]);

  parityExamples('flow-storage.json', FlowStorage);
  parityCases('flow-storage.json', FlowStorage, [
    ok('empty', {}),
    ok('media objects', {
      media_objects: [
        { object_id: 'a', put_url: putUrl, put_cors_url: { url: 'c' } },
        { object_id: 'b', put_url: putUrl },
      ],
    }),
    ok('pre action', { pre: [{ action: 'create_bucket', bucket_id: 'b', put_url: { url: 'u' } }] }),
    bad('extra top-level property', { media_objects: [], limit: 1 }),
    bad('media object without put_url', { media_objects: [{ object_id: 'a' }] }),
    bad('media object without object_id', { media_objects: [{ put_url: putUrl }] }),
    bad('put_url without url', { media_objects: [{ object_id: 'a', put_url: { 'content-type': 'x' } }] }),
    bad('put_url header value a number', {
      media_objects: [{ object_id: 'a', put_url: { url: 'u', headers: { a: 1 } } }],
    }),
    bad('unknown pre action', { pre: [{ action: 'delete_bucket' }] }),
    bad('pre item without action', { pre: [{ bucket_id: 'b' }] }),
    bad('media_objects not an array', { media_objects: { object_id: 'a', put_url: putUrl } }),
  ]);
});
