import { Type } from 'typebox';
import type { ApiMount } from '../http/api.version.ts';
import {
  decodeListingKey,
  ListingHeaders,
  listingScope,
  reverseOrderQuery,
  setListingHeaders,
  sortByQuery,
} from '../http/paging.listing.ts';
import { effectiveLimit, PagingQuery, type PagingSettings } from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import { deletionRequestRoute } from './deletion.routes.ts';
import { DeletionRequest } from './deletion.schemas.ts';
import type { DeletionService, DeletionSortKey } from './deletion.service.ts';

export interface DeletionV8RoutesDeps {
  deletion: DeletionService;
  paging: PagingSettings;
  publicUrl: string;
  mount: ApiMount;
}

const ListQuery = Type.Object({
  reverse_order: reverseOrderQuery('Return Flow Delete Requests in reverse order.'),
  sort_by: sortByQuery(
    ['created', 'expiry'],
    "Parameter to sort Flow Delete Requests by. `created` and `expiry` sort most recent first by default. Sorting may be reversed using the `reverse_order` query parameter. Assume `created` if not set. For resources where the selected parameter is unset, `id` shall be used. Resources using this fallback shall be sorted after those that aren't by default, and before when `reverse_order` is `true`.",
  ),
  ...PagingQuery,
});

/**
 * TAMS 8.2's `/flow-delete-requests` (paged, sorted by `created` or `expiry`, newest first by
 * default) and `/flow-delete-requests/{request-id}` (as 7.0's), over the same requests as 7.0's.
 */
export async function deletionV8Routes(app: App, deps: DeletionV8RoutesDeps): Promise<void> {
  app.get(
    '/flow-delete-requests',
    {
      schema: {
        operationId: 'GET_flow-delete-requests',
        summary: 'List Flow Delete Requests',
        description:
          'List deletion requests currently being worked on, and finished ones until they expire. Sorted by `sort_by` (`created` by default), most recent first, unless `reverse_order`; requests without the value (`expiry` is set once a request is done) come after the others, by id.',
        tags: ['FlowDeleteRequests'],
        querystring: ListQuery,
        // 8.2 lists no 400 here; a page key this listing did not give is one (DEPARTURES_8_2).
        response: {
          200: { ...ok(Type.Array(DeletionRequest)), headers: ListingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const sortBy: DeletionSortKey = q.sort_by ?? 'created';
      const reverse = q.reverse_order ?? false;
      const limit = effectiveLimit(q.limit, deps.paging);
      const scope = listingScope(deps.mount, 'flow-delete-requests', sortBy, reverse);
      const page = await deps.deletion.listPage(
        sortBy,
        reverse,
        decodeListingKey(q.page, scope, 'datetime'),
        limit,
      );
      setListingHeaders(
        request,
        reply,
        { publicUrl: deps.publicUrl, limit, count: page.items.length, reverse, scope },
        page.next,
      );
      return page.items;
    },
  );

  deletionRequestRoute(app, deps);
}
