/** `deletion-request.json`, `deletion-requests-list.json`. */

import type { Static } from 'typebox';
import { Type } from 'typebox';
import { DateTime, describe, ErrorInfo, TimeRange, Uuid } from '../http/common.schemas.ts';

export const DeletionRequestStatus = Type.Enum(['created', 'started', 'done', 'error'], {
  type: 'string',
  description: 'Status of the delete request',
});
export type DeletionRequestStatus = Static<typeof DeletionRequestStatus>;

export const DeletionRequest = Type.Object(
  {
    id: describe(Uuid, 'Deletion Request ID'),
    flow_id: describe(Uuid, 'ID of the flow to which the deletion request relates'),
    timerange_to_delete: describe(TimeRange, 'The timerange of FlowSegments to be deleted in this request'),
    timerange_remaining: Type.Optional(
      describe(TimeRange, 'The timerange of FlowSegments not yet deleted by this request'),
    ),
    delete_flow: Type.Boolean({
      description: 'Whether the Flow should be deleted once the timerange has been',
    }),
    created: Type.Optional(describe(DateTime, 'Date/Time when this deletion request was created')),
    created_by: Type.Optional(
      Type.String({
        description:
          'A string identifier for the entity that created the deletion request. Implementations SHOULD set suitable default values for `created_by` based on the principal accessing the system, and MAY permit clients to edit the value, subject to suitable permissions-based limitations.',
      }),
    ),
    updated: Type.Optional(describe(DateTime, 'Date/Time when this deletion request was updated')),
    expiry: Type.Optional(describe(DateTime, 'Date/Time when this deletion request will be deleted')),
    status: DeletionRequestStatus,
    error: Type.Optional(ErrorInfo),
  },
  { title: 'Deletion Request', description: 'Describes an ongoing deletion request' },
);
export type DeletionRequest = Static<typeof DeletionRequest>;

export const DeletionRequestsList = Type.Array(DeletionRequest, { title: 'Deletion Requests List' });
export type DeletionRequestsList = Static<typeof DeletionRequestsList>;
