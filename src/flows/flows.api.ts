/**
 * What the Flows routes (flows.routes.ts) differ in per API version: the schemas of a Flow and of
 * a PUT body, the listing's query and how it pages, and the words each spec uses. 7.0 lists by
 * id; 8.2 sorts (ADR 0052) and has more filters (docs/api-versions.md, "Listings").
 */
import type { FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import { isUuid } from '../common/ids.ts';
import type { ApiVersion } from '../http/api.version.ts';
import {
  annotate,
  ContentFormat,
  describe,
  MimeTypeQuery,
  TimeRange as TimeRangeSchema,
  Uuid,
} from '../http/common.schemas.ts';
import { ContentFormat82, MimeType82, UuidListEmpty, uuidList } from '../http/common.v8.schemas.ts';
import { type ListingRequest, type SortedListing, sortedListingPage } from '../http/listing.sorted.ts';
import { ListingHeaders, reverseOrderQuery, sortByQuery } from '../http/paging.listing.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  setPagingHeaders,
} from '../http/paging.ts';
import { timerangeParam } from '../http/params.ts';
import { TagQuery, tagFilters, tagQuery82 } from '../http/tags.version.ts';
import { type FlowDocument, SERVER_MANAGED } from './flows.mapper.ts';
import { Flow } from './flows.schemas.ts';
import type { FlowFilters, FlowSortKey, FlowsService } from './flows.service.ts';
import { FlowGet82, FlowPut82, FlowStatus } from './flows.v8.schemas.ts';

/** What a listing handler is given. */
export interface ListContext extends ListingRequest {
  flows: FlowsService;
}

export interface FlowsApi {
  /** A Flow as answered, and as a PUT takes it. */
  flow: TSchema;
  body: TSchema;
  /** Properties of a PUT body the server manages: dropped before the body is validated. */
  managed: ReadonlySet<string>;
  listQuery: TSchema;
  listHeaders: Record<string, TSchema>;
  /** Lists the page the request asks for, and sets its paging headers. */
  list(ctx: ListContext): Promise<FlowDocument[]>;
  /** How the spec writes a Flow in running text ('flow' in 7.0's, 'Flow' in 8.2's). */
  noun: string;
  text: { list: string; put: string; delete: string; deleted: string };
}

const timerange = Type.Optional(
  annotate(TimeRangeSchema, {
    description:
      'Filter on flows that overlap the given timerange. An empty timerange returns flows with no content.',
    default: '_',
  }),
);
const dimension = (name: string) =>
  Type.Optional(Type.Integer({ description: `Filter on video flows that have the given frame ${name}.` }));

const ListQuery70 = Type.Object(
  {
    source_id: Type.Optional(describe(Uuid, 'Filter on source identifier.')),
    timerange,
    format: Type.Optional(describe(ContentFormat, 'Filter on flow format.')),
    codec: Type.Optional(describe(MimeTypeQuery, 'Filter on flow codec.')),
    label: Type.Optional(Type.String({ description: 'Filter on flows that have the given label.' })),
    ...TagQuery.properties,
    frame_width: dimension('width'),
    frame_height: dimension('height'),
    ...PagingQuery,
  },
  { patternProperties: TagQuery.patternProperties },
);

const FLOWS_LISTING: SortedListing<FlowSortKey> = {
  name: 'flows',
  kinds: { created: 'datetime', metadata_updated: 'datetime', label: 'string' },
  byDefault: 'created',
};
const SORT_KEYS = ['created', 'metadata_updated', 'label'] as const;
const TAGS_82 = tagQuery82('flows');

const ListQuery82 = Type.Object(
  {
    source_id: Type.Optional(describe(Uuid, 'Filter on Source identifier.')),
    timerange,
    format: Type.Optional(describe(ContentFormat82, 'Filter on Flow format.')),
    codec: Type.Optional(describe(MimeType82, 'Filter on Flow codec.')),
    profile_id: Type.Optional(describe(Uuid, 'Filter on Profile identifier.')),
    label: Type.Optional(Type.String({ description: 'Filter on Flows that have the given label.' })),
    reverse_order: reverseOrderQuery('Return Flows in reverse order.'),
    sort_by: sortByQuery(
      SORT_KEYS,
      'Parameter to sort Flows by. `created` and `metadata_updated` sort most recent first, `label` alphabetically; `reverse_order` reverses. `created` if not set. Flows without a label are sorted by `id`, after the others (before them with `reverse_order`).',
    ),
    status: Type.Optional(describe(FlowStatus, 'Filter on Flows on the value of `status`.')),
    ...TAGS_82.properties,
    frame_width: dimension('width'),
    frame_height: dimension('height'),
    init_segments: Type.Optional(
      Type.Boolean({ description: 'Filter Flows on the value of `init_segments`.' }),
    ),
    collected_by_ids: Type.Optional(
      describe(
        UuidListEmpty,
        'Flows whose `collected_by` includes one of the given Flow IDs (comma-separated); an empty value: Flows no Flow collects.',
      ),
    ),
    ...PagingQuery,
  },
  { patternProperties: TAGS_82.patternProperties },
);

type Query = Record<string, unknown> & { limit?: number; page?: string };

/** The filters both versions have. */
function commonFilters(request: FastifyRequest, version: ApiVersion): FlowFilters {
  const q = request.query as Query;
  return {
    source_id: q.source_id as string | undefined,
    format: q.format as string | undefined,
    codec: q.codec as string | undefined,
    label: q.label as string | undefined,
    frame_width: q.frame_width as number | undefined,
    frame_height: q.frame_height as number | undefined,
    tags: tagFilters(request, version),
    timerange: timerangeParam(q.timerange as string | undefined),
  };
}

const FORBIDDEN = (noun: string) =>
  `Forbidden. You do not have permission to modify this ${noun}. It may be marked read-only.`;

export { FORBIDDEN as flowForbidden };

export const FLOWS_API: Record<ApiVersion, FlowsApi> = {
  '7.0': {
    flow: Flow,
    body: Flow,
    managed: SERVER_MANAGED,
    listQuery: ListQuery70,
    listHeaders: PagingHeaders,
    async list({ request, reply, flows, paging, publicUrl }) {
      const q = request.query as Query;
      const limit = effectiveLimit(q.limit, paging);
      const page = await flows.list(commonFilters(request, '7.0'), decodePageKey(q.page, isUuid), limit);
      setPagingHeaders(request, reply, publicUrl, limit, page.next);
      return page.items;
    },
    noun: 'flow',
    text: {
      list: 'List the flows registered in the store.',
      put: `Create or replace the flow metadata. ${CELL_NOTE}`,
      delete:
        'Deletes the flow and associated segments. If flow segment deletion takes too long then this request will return 202 Accepted and the `Location` header will point to a Flow Delete Request to monitor deletion progress',
      deleted: 'No content. The flow has been deleted and the flow segments have been or will be deleted.',
    },
  },
  '8.2': {
    flow: FlowGet82,
    body: FlowPut82,
    // A client may set metadata_version when it creates a Flow (flow-common.json).
    managed: new Set([...SERVER_MANAGED].filter((key) => key !== 'metadata_version')),
    listQuery: ListQuery82,
    listHeaders: ListingHeaders,
    async list(ctx) {
      const q = ctx.request.query as Query;
      const filters: FlowFilters = {
        ...commonFilters(ctx.request, '8.2'),
        status: q.status as string | undefined,
        profile_id: q.profile_id as string | undefined,
        init_segments: q.init_segments as boolean | undefined,
        collected_by: typeof q.collected_by_ids === 'string' ? uuidList(q.collected_by_ids) : undefined,
      };
      return sortedListingPage(FLOWS_LISTING, ctx, (sort, after, limit) =>
        ctx.flows.listSorted(filters, sort, after, limit, '8.2'),
      );
    },
    noun: 'Flow',
    text: {
      list: 'List the Flows registered in the TAMS service instance.',
      put: `Create or replace the Flow metadata, in full or from a Profile (\`profile_id\`, and none of the metadata a Profile holds: the Flow takes the Profile's). While a Flow is linked to its Profile, a PUT that would change that metadata is refused (400) unless it unlinks the Flow with \`profile_id: ""\`; one without \`profile_id\` that leaves the metadata as the Profile's keeps the link. Tags are replaced, never merged. A client may set \`metadata_version\` when it creates the Flow. ${CELL_NOTE}`,
      delete:
        'Deletes the Flow and associated Segments. If Flow Segment deletion takes too long then this request will return 202 Accepted and the `Location` header will point to a Flow Delete Request to monitor deletion progress. Objects are deleted only once no Flow Segment or other Object references them.',
      deleted:
        'No content. The Flow has been deleted and the Flow Segments have been or will be deleted. Objects referenced in other Flows will not be deleted. Objects that are no longer referenced by any Segments will be deleted.',
    },
  },
};
