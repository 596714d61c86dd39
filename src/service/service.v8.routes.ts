import { Type } from 'typebox';
import type { ApiMount } from '../http/api.version.ts';
import {
  decodeListingKey,
  ListingHeaders,
  listingScope,
  reverseOrderQuery,
  setListingHeaders,
} from '../http/paging.listing.ts';
import { effectiveLimit, PagingQuery, type PagingSettings } from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import { tagFilters, tagQuery82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { formatTimestamp, NS_PER_SECOND } from '../time/index.ts';
import { servicePostRoute } from './service.routes.ts';
import type { EventStreamMechanism } from './service.schemas.ts';
import type { ServiceInfoService } from './service.service.ts';
import { ServiceV8, StorageBackendsListV8 } from './service.v8.schemas.ts';

export interface ServiceV8RoutesDeps {
  service: ServiceInfoService;
  mount: ApiMount;
  /** Names of the root endpoints the mount serves (GET /). */
  rootEndpoints: () => string[];
  /** The event stream mechanisms of 8.2's own the mount serves (`event_stream_mechanisms`). */
  eventStreams: () => EventStreamMechanism[];
  paging: PagingSettings;
  publicUrl: string;
}

const backendTags = tagQuery82('Storage Backends');
const BackendsQuery = Type.Object(
  {
    ...backendTags.properties,
    reverse_order: reverseOrderQuery(
      'Return Storage Backends in reverse-alphabetical order of their `label`.',
    ),
    ...PagingQuery,
  },
  { patternProperties: backendTags.patternProperties },
);

const seconds = (value: number) => formatTimestamp(BigInt(value) * NS_PER_SECOND);

/**
 * TAMS 8.2's `/`, `/service` (GET and HEAD, and POST as 7.0's) and `/service/storage-backends`
 * (sorted by label, paged, filtered on the backends' configured tags).
 */
export async function serviceV8Routes(app: App, deps: ServiceV8RoutesDeps): Promise<void> {
  app.get(
    '/',
    {
      schema: {
        operationId: 'GET_root',
        summary: 'List Root Endpoints',
        description: 'List of paths available from this API.',
        tags: ['Service'],
        response: { 200: ok(Type.Array(Type.String())) },
      },
    },
    async () => deps.rootEndpoints(),
  );

  app.get(
    '/service',
    {
      schema: {
        operationId: 'GET_service',
        summary: 'Service Information',
        description: 'Provide information about the service.',
        tags: ['Service'],
        response: { 200: ok(ServiceV8) },
      },
    },
    async () => {
      // 7.0's event stream mechanisms are not 8.2's (8.2 webhooks carry ids, their events other
      // bodies; the root's event stream sends 7.0's): the mount's own are listed instead.
      const { event_stream_mechanisms: _sevenOnly, ...info } = await deps.service.get();
      const timeouts = deps.service.timeouts();
      const mechanisms = deps.eventStreams();
      return {
        ...info,
        ...(mechanisms.length > 0 && { event_stream_mechanisms: mechanisms }),
        api_version: deps.mount.version,
        min_object_timeout: seconds(timeouts.unregisteredObjectSeconds),
        min_presigned_url_timeout: seconds(timeouts.presignedUrlSeconds),
      };
    },
  );

  servicePostRoute(
    app,
    deps.service,
    errors({
      400: 'Bad request. Invalid service JSON.',
      403: 'Forbidden. You do not have permission to modify this resource.',
    }),
  );

  app.get(
    '/service/storage-backends',
    {
      schema: {
        operationId: 'GET_storage-backends',
        summary: 'Storage Backend Information',
        description:
          'Provide information about the storage backends available on this service instance. These are populated on deployment of the service instance (their `tags` too: TAMS_STORAGE_BACKENDS). Sorted in alphabetical order of their `label`; backends without one come after the others, by `id` (before them with `reverse_order`).',
        tags: ['Service'],
        querystring: BackendsQuery,
        // 8.2 lists no 400 here; a page key this listing did not give is one (DEPARTURES_8_2).
        response: {
          200: { ...ok(StorageBackendsListV8), headers: ListingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const reverse = q.reverse_order ?? false;
      const limit = effectiveLimit(q.limit, deps.paging);
      const scope = listingScope(deps.mount, 'storage-backends', 'label', reverse);
      const page = deps.service.storageBackendsPage(
        tagFilters(request, '8.2'),
        reverse,
        decodeListingKey(q.page, scope, 'string'),
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
}
