/** `service.json`, `service-post.json`, `event-stream-common.json`, `storage-backend.json`, `storage-backends-list.json`. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, Uuid } from '../http/common.schemas.ts';

export const EventStreamMechanism = Type.Object(
  {
    name: Type.String({
      description:
        'Name of this type of event stream mechanism. Must be unique. Any name defined in this specification is reserved',
    }),
    docs: Type.Optional(
      Type.String({
        description:
          'Location (e.g. a URL) at which documentation for this event stream mechanism may be found',
      }),
    ),
    config: Type.Optional(
      Type.Unsafe<Record<string, unknown>>({
        type: 'object',
        description: 'Configuration options required to make use of this mechanism',
      }),
    ),
  },
  {
    title: 'Event Stream Mechanism',
    description: 'Describes an event stream mechanism available in this implementation of TAMS',
  },
);
export type EventStreamMechanism = Static<typeof EventStreamMechanism>;

export const Service = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'The service instance name' })),
    description: Type.Optional(Type.String({ description: 'The service instance description' })),
    type: Type.String({
      description: "The type identifier for the service. The value must start with 'urn:x-tams:service'",
    }),
    api_version: Type.String({
      description: 'The version of the TAMS API specification this deployment implements',
      pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)$',
    }),
    service_version: Type.Optional(
      Type.String({
        description:
          'The version of software providing this service. Different implementations may use different conventions for their version identification, so this field is intentionally permissive and informative only. Implementations should avoid using this field to determine compatibility.',
      }),
    ),
    event_stream_mechanisms: Type.Optional(
      Type.Array(EventStreamMechanism, {
        description: 'List the types of event stream that this implementation supports',
      }),
    ),
  },
  { title: 'Service', description: 'Provides information about the store service' },
);
export type Service = Static<typeof Service>;

export const ServicePost = Type.Object(
  {
    name: Type.Optional(Type.String({ description: 'The service instance name' })),
    description: Type.Optional(Type.String({ description: 'The service instance description' })),
  },
  { title: 'Update Service Info', description: 'Post update to the service info' },
);
export type ServicePost = Static<typeof ServicePost>;

const storeType = Type.Enum(['http_object_store'], {
  type: 'string',
  description:
    'The generic store type. Used to identify the required workflow for reading and writing media. Any `store_product` should be compatible, as much is required for basic interoperability between TAMS implementations, with their associated generic `store_type`.',
});
const provider = Type.String({ description: 'The cloud (or other) provider of the storage' });
const storeProduct = Type.String({ description: 'The storage product name.' });

/** The properties of `storage-backend.json`; also the storage metadata of segment `get_urls`. */
export const StorageBackendProperties = {
  store_type: Type.Optional(storeType),
  provider: Type.Optional(provider),
  region: Type.Optional(Type.String({ description: 'The region in the cloud this storage backend resides' })),
  availability_zone: Type.Optional(
    Type.String({
      description:
        'The availability zone in the cloud region this storage backend resides. Note that many cloud providers randomize availability zone identifiers such that they are consistent within a cloud account, but not necessarily between accounts. Caution should be exercised when using this parameter.',
    }),
  ),
  store_product: Type.Optional(storeProduct),
};

export const StorageBackend = Type.Object(StorageBackendProperties, {
  title: 'Storage Backend',
  description: 'Provides technical, and logic metadata about a storage backend',
});
export type StorageBackend = Static<typeof StorageBackend>;

/**
 * One item of `storage-backends-list.json`. The spec writes it as `allOf` of storage-backend.json,
 * a `required` list and the extra properties; with no `additionalProperties` anywhere, the merged
 * object accepts exactly the same documents.
 */
export const StorageBackendsListItem = Type.Object(
  {
    ...StorageBackendProperties,
    store_type: storeType,
    provider,
    store_product: storeProduct,
    id: describe(Uuid, 'Storage backend identifier'),
    label: Type.Optional(Type.String({ description: 'Freeform string label for a storage backend.' })),
    default_storage: Type.Optional(
      Type.Boolean({
        description:
          'If set to `true`, this is the default storage backend. The default storage backend will be used if the client does not specify a storage backend id when requesting the allocation of storage. If this parameter is not set, assume `false`. Instances may either set one storage backend as default, or none - indicating that clients must always specify a storage backend.',
      }),
    ),
  },
  { title: 'Storage Backend', description: 'Provides technical, and logic metadata about a storage backend' },
);
export type StorageBackendsListItem = Static<typeof StorageBackendsListItem>;

// The spec also puts `additionalProperties: false` on this array schema, where it has no effect.
export const StorageBackendsList = Type.Array(StorageBackendsListItem, {
  title: 'Storage Backends List',
  description: 'Information about the storage backends available on this service instance.',
});
export type StorageBackendsList = Static<typeof StorageBackendsList>;
