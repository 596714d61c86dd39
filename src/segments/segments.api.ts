/**
 * What `/flows/{flowId}/segments` differs in per API version (segments.routes.ts registers the
 * operations once, from the mount's entry): schemas, texts, the get_urls filter, what answers
 * add to 7.0's fields, and the registration rules. 8.2 adds the objects' timeranges
 * (`include_object_timerange`, `object_timerange` in bodies: ADR 0036), init objects (ADR
 * 0045), storage-backend tags (ADR 0055) and 8.2's registration rules (segments.objects.ts).
 */
import type { FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import type { ApiVersion } from '../http/api.version.ts';
import type { SegmentView } from './segments.mapper.ts';
import type { RegistrationVersion } from './segments.objects.ts';
import { getUrlFilter, getUrlFilter82, type ListParams, ListQuery, ListQueryV8 } from './segments.query.ts';
import { FlowSegment, FlowSegmentPostBody } from './segments.schemas.ts';
import type { GetUrlFilter } from './segments.urls.ts';
import { FlowSegmentPostBodyV8, FlowSegmentV8 } from './segments.v8.schemas.ts';

/** What a GET reads from its query: the get_urls filter, and the view (7.0's when left out). */
export interface SegmentsRead {
  urls: GetUrlFilter;
  view?: SegmentView;
}

export interface SegmentsApi {
  list: {
    description: string;
    querystring: TSchema;
    /** A segment as the answer's items are. */
    item: TSchema;
    notFound: string;
  };
  read(request: FastifyRequest, query: ListParams): SegmentsRead;
  post: {
    description: string;
    body: TSchema;
    partial: string;
    created: string;
    invalid: string;
    notFound: string;
    /** The registration rules of the version (segments.objects.ts). */
    version: RegistrationVersion;
  };
  delete: {
    description: string;
    deleted: string;
    notFound: string;
  };
}

export const SEGMENTS_API: Record<ApiVersion, SegmentsApi> = {
  '7.0': {
    list: {
      description:
        'Returns the flow segments. A request for segments from a non-existent flow will return an empty list, not a 404.',
      querystring: ListQuery,
      item: FlowSegment,
      notFound: 'The flow ID in the path is invalid.',
    },
    read: (_request, query) => ({ urls: getUrlFilter(query) }),
    post: {
      description:
        'Register either a single new flow segment or an array of segments, attaching the object id given to a point in the flow timeline. For successful creation of all segments in the request a 201 response is given. If an error is detected when processing a list of segments, processing continues with the remaining segments and a 200 response lists the failed segments. A segment is kept whole as JSON in its event: one of more than 126,000 bytes less 2 KB (the maximum cell size of VAST DataBase, kept on every engine) is a failed segment naming its largest field; a registration too large for one event comes in several flows/segments_added events.',
      body: FlowSegmentPostBody,
      partial: 'Partial success creating segments returning list of failed segments.',
      created: 'Success. All segments have been created.',
      invalid: "Bad request. Invalid flow segment JSON or the flow 'container' is not set.",
      notFound: 'The flow does not exist.',
      version: '7.0',
    },
    delete: {
      description:
        'Delete flow segments. If the deletion takes longer than the configured limit, this request returns 202 Accepted and the `Location` header points to a Flow Delete Request to monitor its progress.',
      deleted: 'No content. The flow segments have been or will be deleted.',
      notFound: 'The requested flow ID in the path is invalid.',
    },
  },
  '8.2': {
    list: {
      description:
        "Returns the Flow Segments, sorted by timerange. With `include_object_timerange=true` each gives its Object's timerange (`object_timerange`), to identify the samples of the Object it uses. A request for Segments from a non-existent Flow will return an empty list, not a 404.",
      querystring: ListQueryV8,
      item: FlowSegmentV8,
      notFound: 'The Flow ID in the path is invalid.',
    },
    read: (request, query) => ({
      urls: getUrlFilter82(request, query),
      view: { objectTimerange: query.include_object_timerange === true, initObject: true },
    }),
    post: {
      description:
        "Register either a single new Flow Segment or an array of Segments. A new Object takes the timerange `object_timerange` gives (which must hold the Segment's `timerange - ts_offset`), else the Segment's `timerange - ts_offset`, and the Segment's `key_frame_count`; a Segment that starts inside a new Object (`sample_offset`) must give `object_timerange`. A re-used Object's Segment must lie within its timerange once offset by `ts_offset`, and may not give another `object_timerange` or `key_frame_count`. 201 when all are created; 200 listing the failed ones otherwise.",
      body: FlowSegmentPostBodyV8,
      partial: 'Partial success creating Segments returning list of failed Segments.',
      created: 'created. The flow Segment or list of Segments has been created.',
      invalid: "Bad request. Invalid Flow Segment JSON or the Flow 'container' is not set.",
      notFound: 'The Flow does not exist.',
      version: '8.2',
    },
    delete: {
      description:
        'Deletes the Flow Segments. If the deletion takes too long then this request will return 202 Accepted and the `Location` header will point to a Flow Delete Request to monitor deletion progress.',
      deleted: 'No content. The Flow Segments have been or will be deleted.',
      notFound: 'The requested Flow ID in the path is invalid.',
    },
  },
};
