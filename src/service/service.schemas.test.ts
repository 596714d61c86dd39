import { describe } from 'vitest';
import {
  type Case,
  compilesForFastify,
  parityCases,
  parityExamples,
} from '../../test/helpers/schema-parity.ts';
import * as service from './service.schemas.ts';
import { Service, ServicePost, StorageBackend, StorageBackendsList } from './service.schemas.ts';

const ok = (name: string, doc: unknown): Case => ({ name, doc, valid: true });
const bad = (name: string, doc: unknown): Case => ({ name, doc, valid: false });

const info = { type: 'urn:x-tams:service.example', api_version: '7.0' };
const backend = {
  id: '60af2ab4-e8a5-4c65-a09b-d35983680315',
  store_type: 'http_object_store',
  provider: 'minio',
  store_product: 'minio',
};

describe('service schemas', () => {
  compilesForFastify(service);

  parityExamples('service.json', Service);
  parityCases('service.json', Service, [
    ok('minimal', info),
    ok('everything', {
      ...info,
      name: 'n',
      description: 'd',
      service_version: 'tams-server 0.1.0',
      event_stream_mechanisms: [
        { name: 'webhooks', docs: 'https://example.com', config: { a: [1] } },
        { name: 'x' },
      ],
      extra: 1,
    }),
    bad('without type', { api_version: '7.0' }),
    bad('without api_version', { type: info.type }),
    bad('api_version without minor', { ...info, api_version: '7' }),
    bad('api_version with leading zero', { ...info, api_version: '07.0' }),
    bad('api_version with patch', { ...info, api_version: '7.0.1' }),
    bad('api_version with v prefix', { ...info, api_version: 'v7.0' }),
    bad('name a number', { ...info, name: 1 }),
    bad('event stream mechanism without name', { ...info, event_stream_mechanisms: [{ docs: 'x' }] }),
    bad('event stream config not an object', {
      ...info,
      event_stream_mechanisms: [{ name: 'x', config: 'y' }],
    }),
    bad('event_stream_mechanisms not an array', { ...info, event_stream_mechanisms: { name: 'x' } }),
  ]);

  parityExamples('service-post.json', ServicePost);
  parityCases('service-post.json', ServicePost, [
    ok('empty', {}),
    ok('name and description', { name: 'n', description: 'd' }),
    ok('extra property', { type: 'x' }),
    bad('name a number', { name: 1 }),
    bad('description null', { description: null }),
    bad('not an object', 'name'),
  ]);

  parityCases('storage-backend.json', StorageBackend, [
    ok('empty', {}),
    ok('everything', { ...backend, region: 'r', availability_zone: 'a', extra: 1 }),
    bad('unknown store_type', { store_type: 's3' }),
    bad('provider a number', { provider: 1 }),
  ]);

  parityExamples('storage-backends-list.json', StorageBackendsList);
  parityCases(
    'storage-backends-list.json',
    StorageBackendsList,
    [
      ok('empty', []),
      ok('minimal backend', [backend]),
      ok('everything', [
        { ...backend, label: 'l', region: 'r', availability_zone: 'a', default_storage: true, x: 1 },
      ]),
      bad('backend without id', [{ ...backend, id: undefined }]),
      bad('backend without provider', [{ ...backend, provider: undefined }]),
      bad('backend without store_product', [{ ...backend, store_product: undefined }]),
      bad('backend without store_type', [{ ...backend, store_type: undefined }]),
      bad('backend with a bad id', [{ ...backend, id: 'default' }]),
      bad('backend with unknown store_type', [{ ...backend, store_type: 's3' }]),
      bad('default_storage a string', [{ ...backend, default_storage: 'yes' }]),
      bad('label a number', [{ ...backend, label: 1 }]),
      bad('not an array', backend),
    ].map((c) => ({ ...c, doc: JSON.parse(JSON.stringify(c.doc)) })),
  );
});
