/**
 * TAMS 8.2's Flow schemas: `flow-common.json`, `flow-technical.json`, the five formats,
 * `flow-get.json` (answers), `flow-put.json` (bodies), `flow-status.json` and
 * `flow-collection.json`. Each is written as the spec writes it, the common properties beside a
 * `oneOf` of the formats (validation.ts checks both, and a body against the branch its `format`
 * names). The single-essence formats are flows.technical.v8.schemas.ts's (Profiles hold them too).
 */

import { Type } from 'typebox';
import { ContainerMapping, DateTime, describe, TimeRange, Uuid } from '../http/common.schemas.ts';
import { CollectionItem82 } from '../http/common.v8.schemas.ts';
import { Tags82 } from '../http/tags.version.ts';
import type { FlowDocument } from './flows.mapper.ts';
import {
  FlowAudioV8,
  FlowDataV8,
  FlowImageV8,
  FlowTechnicalProperties,
  FlowVideoV8,
} from './flows.technical.v8.schemas.ts';

const MANAGED =
  'Service implementations SHOULD ignore this if given in a PUT request, and instead manage it internally';

const FLOW_STATUSES = ['awaiting_content', 'ingesting', 'replication_in_progress', 'closed_complete'];

export const FlowStatus = Type.Enum(FLOW_STATUSES, {
  type: 'string',
  title: 'Flow Status',
  description:
    'The current ingest status of a Flow, maintained by clients: indicative, not authoritative. `awaiting_content` - expecting, but not receiving content. `ingesting` - content is being ingested. `replication_in_progress` - content is being ingested from another service instance. `closed_complete` - the Flow will not receive any more content.',
});

export const FlowCollection82 = Type.Array(
  Type.Object(
    {
      ...CollectionItem82.properties,
      container_mapping: Type.Optional(
        describe(
          ContainerMapping,
          "Describes the mapping of the Flow essence from this Flow collection's container",
        ),
      ),
    },
    { title: 'Flow Collection Item' },
  ),
  {
    title: 'Flow Collection',
    description: 'Describes how Flows are collected into another Flow. Note that this is an ordered list.',
  },
);

const principal = (field: string) =>
  `Service implementations SHOULD set suitable default values for \`${field}\` based on the principal accessing the system, and MAY permit clients to edit the value, subject to suitable permissions-based limitations.`;

/** `flow-common.json`'s properties. */
const CommonProperties = {
  id: describe(Uuid, 'Flow identifier'),
  source_id: describe(Uuid, 'Source identifier'),
  label: Type.Optional(Type.String({ description: 'Freeform string label for the Flow.' })),
  description: Type.Optional(Type.String({ description: 'Freeform text describing the Flow.' })),
  created_by: Type.Optional(
    Type.String({ description: `The entity that created the Flow. ${principal('created_by')}` }),
  ),
  updated_by: Type.Optional(
    Type.String({
      description: `The entity that updated the Flow metadata most recently. ${principal('updated_by')}`,
    }),
  ),
  tags: Type.Optional(
    describe(
      Tags82,
      'Replaced, never merged, by a PUT of the Flow; unset when the PUT has none. Single tags: PUT /flows/{flowId}/tags/{name}.',
    ),
  ),
  metadata_version: Type.Optional(
    Type.String({
      description:
        'A change to the Flow metadata results in a new version. This service sets a new one at every change; a client MAY set it when it creates the Flow (e.g. when replicating it from another service instance).',
    }),
  ),
  generation: Type.Optional(
    Type.Integer({ minimum: 0, description: 'How many lossy encodings the Flow content has been through.' }),
  ),
  created: Type.Optional(describe(DateTime, `The date-time the Flow was created. ${MANAGED}`)),
  metadata_updated: Type.Optional(
    describe(DateTime, `The date-time the Flow metadata was updated. ${MANAGED}`),
  ),
  segments_updated: Type.Optional(
    describe(DateTime, `The date-time the Flow Segments were updated. ${MANAGED}`),
  ),
  status: Type.Optional(FlowStatus),
  read_only: Type.Optional(
    Type.Boolean({
      description:
        "If 'true', this service rejects changes of the Flow's metadata (other than read_only) and Segments, storage allocation and deletion.",
    }),
  ),
  max_bit_rate: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'The maximum bit rate of the Flow Segments in 1000 bits/second.',
    }),
  ),
  timerange: Type.Optional(
    describe(TimeRange, 'The timerange of samples available in the Flow. Ignored in a PUT request.'),
  ),
  flow_collection: Type.Optional(FlowCollection82),
  collected_by: Type.Optional(
    Type.Array(Uuid, {
      description: `Flows that reference this Flow to include it in a collection. ${MANAGED}`,
    }),
  ),
};

const InitSegments = Type.Optional(
  Type.Boolean({
    description:
      'Whether the Flow makes use of initialisation segments: if true, all Media Objects MUST have `init_object` populated. Assume `false` if omitted.',
  }),
);

/** `flow-multi.json`: flow-technical's properties; its essence parameters are init_segments only. */
export const FlowMulti82 = Type.Object(
  {
    ...FlowTechnicalProperties,
    format: Type.Enum(['urn:x-nmos:format:multi'], {
      type: 'string',
      description: 'The primary content type URN for the Flow.',
    }),
    essence_parameters: Type.Optional(
      Type.Object(
        { init_segments: InitSegments },
        {
          title: 'Multi Flow Essence Parameters',
          description: 'Describes the parameters of the essence inside this multi Flow',
          additionalProperties: false,
        },
      ),
    ),
  },
  { title: 'Multi-essence Flow', description: 'Describes a multi-essence Flow' },
);

/** The format branches (flow-video.json ... flow-multi.json; the single-essence ones are Profiles' too). */
const FORMATS = [FlowVideoV8, FlowAudioV8, FlowImageV8, FlowDataV8, FlowMulti82];

const profileId = (description: string) => describe(Uuid, description);

/** `flow-get.json`: a Flow as 8.2 answers it. */
export const FlowGet82 = Type.Unsafe<FlowDocument>({
  type: 'object',
  title: 'Flow',
  description: 'Describes a Flow',
  required: ['id', 'source_id'],
  properties: {
    ...CommonProperties,
    profile_id: Type.Optional(profileId('Profile identifier that was used to create the flow.')),
  },
  oneOf: FORMATS,
});

/**
 * `flow-put.json`: a Flow as 8.2 takes it, in full or made from a Profile (`profile_id` and no
 * technical metadata: a body with both matches two branches, which `oneOf` refuses).
 */
export const FlowPut82 = Type.Unsafe<FlowDocument>({
  type: 'object',
  title: 'Flow',
  description: 'Describes a Flow',
  required: ['id', 'source_id'],
  properties: CommonProperties,
  oneOf: [
    Type.Unsafe({
      type: 'object',
      title: 'Flow Profile',
      required: ['profile_id'],
      properties: {
        profile_id: profileId(
          'Profile identifier that was used to create the flow. With a profile_id no metadata a Profile holds may be given (400), nor a Profile ID that does not exist (400).',
        ),
      },
    }),
    ...FORMATS,
  ],
});
