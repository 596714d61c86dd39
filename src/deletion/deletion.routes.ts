import type { FastifyReply } from 'fastify';
import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import type { ApiMount, ApiVersion } from '../http/api.version.ts';
import { type ListingRequest, type SortedListing, sortedListingPage } from '../http/listing.sorted.ts';
import { ListingHeaders, reverseOrderQuery, sortByQuery } from '../http/paging.listing.ts';
import { PagingQuery, type PagingSettings } from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { DeletionRequest, DeletionRequestsList } from './deletion.schemas.ts';
import type { DeletionService, DeletionSortKey } from './deletion.service.ts';

/** How many requests GET /flow-delete-requests shows (the spec gives it no paging). */
const LIST_LIMIT = 1000;

/** The 202 response schema of the DELETE operations that `sendAccepted` answers. */
export const ACCEPTED_DELETION = {
  ...ok(
    DeletionRequest,
    'This request has taken longer than the configured timeout, and will continue asynchronously',
  ),
  headers: {
    Location: Type.String({ description: 'The Flow Delete Request monitoring the deletion.' }),
  },
};

/**
 * 202 Accepted with the deletion request and where to watch it: under `apiBase`, the API the
 * request came through (apiBaseUrl: the public base and the mount's prefix).
 */
export function sendAccepted(reply: FastifyReply, apiBase: string, deletion: DeletionRequest): FastifyReply {
  return reply.code(202).header('Location', `${apiBase}/flow-delete-requests/${deletion.id}`).send(deletion);
}

export interface DeletionRoutesDeps {
  deletion: DeletionService;
  paging: PagingSettings;
  publicUrl: string;
  /** The mount these routes serve: its version chooses the listing (DELETION_API). */
  mount: ApiMount;
}

/** What the Flow Delete Requests routes differ in per API version: the listing. */
interface DeletionApi {
  description: string;
  /** The listing's query (8.2's sorts and pages) and 200 response. */
  query?: TSchema;
  response: TSchema;
  /** 8.2 lists none; its query can be wrong all the same (DEPARTURES_8_2). */
  errors?: ReturnType<typeof errors>;
  list(ctx: ListingRequest & { deletion: DeletionService }): Promise<DeletionRequest[]>;
}

const DELETION_LISTING: SortedListing<DeletionSortKey> = {
  name: 'flow-delete-requests',
  kinds: { created: 'datetime', expiry: 'datetime' },
  byDefault: 'created',
};

const LISTED = 'List deletion requests currently being worked on, and finished ones until they expire';

const DELETION_API: Record<ApiVersion, DeletionApi> = {
  '7.0': {
    description: `${LISTED}, oldest first.`,
    response: ok(DeletionRequestsList),
    list: ({ deletion }) => deletion.list(LIST_LIMIT),
  },
  '8.2': {
    description: `${LISTED}. Sorted by \`sort_by\` (\`created\` by default), most recent first, unless \`reverse_order\`; requests without the value (\`expiry\` is set once a request is done) come after the others, by id.`,
    query: Type.Object({
      reverse_order: reverseOrderQuery('Return Flow Delete Requests in reverse order.'),
      sort_by: sortByQuery(
        ['created', 'expiry'],
        "Parameter to sort Flow Delete Requests by. `created` and `expiry` sort most recent first by default. Sorting may be reversed using the `reverse_order` query parameter. Assume `created` if not set. For resources where the selected parameter is unset, `id` shall be used. Resources using this fallback shall be sorted after those that aren't by default, and before when `reverse_order` is `true`.",
      ),
      ...PagingQuery,
    }),
    response: { ...ok(Type.Array(DeletionRequest)), headers: ListingHeaders },
    errors: errors({ 400: 'Bad request. Invalid query options.' }),
    list: (ctx) =>
      sortedListingPage(DELETION_LISTING, ctx, (sort, after, limit) =>
        ctx.deletion.listPage(sort.by, sort.reverse, after, limit),
      ),
  },
};

/**
 * `/flow-delete-requests` and `/flow-delete-requests/{request-id}` of the mount's version: 8.2's
 * listing is paged, sorted by `created` or `expiry` (newest first by default); 7.0's has no paging.
 */
export async function deletionRoutes(app: App, deps: DeletionRoutesDeps): Promise<void> {
  const { deletion, paging, publicUrl, mount } = deps;
  const v = DELETION_API[mount.version];

  app.get(
    '/flow-delete-requests',
    {
      schema: {
        operationId: 'GET_flow-delete-requests',
        summary: 'List Flow Delete Requests',
        description: v.description,
        tags: ['FlowDeleteRequests'],
        ...(v.query && { querystring: v.query }),
        response: { 200: v.response, ...v.errors },
      },
    },
    async (request, reply) => v.list({ request, reply, deletion, paging, publicUrl, mount }),
  );

  app.get(
    '/flow-delete-requests/:requestId',
    {
      schema: {
        operationId: 'GET_flow-delete-requests-request-id',
        summary: 'Flow Delete Request Details',
        description:
          'Get information about a timerange of FlowSegments that are being deleted. A deletion request is created when a client DELETEs a long timeranges of segments, which takes longer than a single HTTP request.',
        tags: ['FlowDeleteRequests'],
        // The spec names this parameter `request-id`, which the router cannot take as a name; the
        // OpenAPI document is given the spec's name (http/swagger.ts).
        params: Type.Object({ requestId: Type.String() }),
        response: {
          200: ok(DeletionRequest),
          ...errors({ 404: 'The requested flow delete request does not exist.' }),
        },
      },
    },
    async (request) => deletion.get(request.params.requestId),
  );
}
