/** TAMS 8.2's `service.json`: 7.0's, plus the two timeouts a store advertises. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { describe, Timestamp } from '../http/common.schemas.ts';
import { EventStreamMechanism } from './service.schemas.ts';

export const ServiceV8 = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        description:
          'The service instance name: a very short, human-readable name for listings of service instances.',
      }),
    ),
    description: Type.Optional(
      Type.String({ description: 'The service instance description: longer and more detailed than `name`.' }),
    ),
    type: Type.String({
      description:
        "The type identifier for the service instance. The value must start with 'urn:x-tams:service'",
    }),
    api_version: Type.String({
      description: 'The version of the TAMS API specification this service instance implements',
      pattern: '^(0|[1-9]\\d*)\\.(0|[1-9]\\d*)$',
    }),
    service_version: Type.Optional(
      Type.String({
        description:
          'The version of software providing this service: informative only, clients should not use it to determine compatibility.',
      }),
    ),
    event_stream_mechanisms: Type.Optional(
      Type.Array(EventStreamMechanism, {
        description: 'List the types of event stream that this service implementation supports',
      }),
    ),
    min_object_timeout: describe(
      Timestamp,
      'How long, at least, an Object allocated by `POST /flows/{flowId}/storage` is kept before it must be registered against a Flow segment (TAMS_UNUSED_OBJECT_GRACE_SECONDS).',
    ),
    min_presigned_url_timeout: Type.Optional(
      describe(
        Timestamp,
        'How long the presigned URLs this service issues stay valid, for writing and reading (TAMS_PRESIGN_EXPIRY_SECONDS).',
      ),
    ),
  },
  { title: 'Service', description: 'Provides information about the service instance' },
);
export type ServiceV8 = Static<typeof ServiceV8>;
