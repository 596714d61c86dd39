import { Type } from 'typebox';
import { UUID_PATTERN } from '../common/ids.ts';

const list = (pattern: string) => `^(${pattern}(,${pattern})*)?$`;
const UUID = UUID_PATTERN.slice(1, -1);

/** The query of GET /events: the webhook filters and transformations, as comma lists. */
export const StreamQuery = Type.Object({
  events: Type.Optional(
    Type.String({ pattern: list('[a-z_]+/[a-z_]+'), description: 'Event types to receive (default: all).' }),
  ),
  flow_ids: Type.Optional(Type.String({ pattern: list(UUID), description: 'Only events of these Flows.' })),
  source_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'Only events of these Sources.' }),
  ),
  flow_collected_by_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'Only events of Flows collected by these Flows.' }),
  ),
  source_collected_by_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'Only events of Sources collected by these Sources.' }),
  ),
  accept_get_urls: Type.Optional(
    Type.String({ description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  accept_storage_ids: Type.Optional(
    Type.String({ pattern: list(UUID), description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  presigned: Type.Optional(
    Type.Boolean({ description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  verbose_storage: Type.Optional(
    Type.Boolean({ description: 'As the segments endpoint, for flows/segments_added.' }),
  ),
  api_version: Type.Optional(
    Type.Union([Type.Literal('7.0'), Type.Literal('8.2')], {
      description:
        "The TAMS version of the event bodies, as a webhook registered through that version's API receives them (default: 7.0).",
    }),
  ),
  include_object_timerange: Type.Optional(
    Type.Boolean({
      description:
        'With `api_version=8.2`: segments in flows/segments_added carry `object_timerange`, as the 8.2 segments endpoint gives it.',
    }),
  ),
});

/** One event of the stream, as OpenAPI 3.1 describes a `text/event-stream` (one item). */
export const StreamEvent = {
  type: 'object',
  properties: {
    id: { type: 'string', description: 'Send it back as `Last-Event-ID` to resume after a reconnection.' },
    event: { type: 'string', description: 'The event type, as `event_type` in the data.' },
    data: {
      type: 'string',
      contentMediaType: 'application/json',
      description: 'The body a webhook would receive: `{event_timestamp, event_type, event}`.',
    },
  },
  required: ['id', 'event', 'data'],
};
