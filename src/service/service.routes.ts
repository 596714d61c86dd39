import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiMount, ApiVersion } from '../http/api.version.ts';
import { type SortedListing, sortedListingPage } from '../http/listing.sorted.ts';
import { ListingHeaders, reverseOrderQuery } from '../http/paging.listing.ts';
import { PagingQuery, type PagingSettings } from '../http/paging.ts';
import { errors, noContent, ok } from '../http/responses.ts';
import { tagFilters, tagQuery82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { formatTimestamp, NS_PER_SECOND } from '../time/index.ts';
import { type EventStreamMechanism, Service, ServicePost, StorageBackendsList } from './service.schemas.ts';
import type { ServiceInfo, ServiceInfoService } from './service.service.ts';
import { ServiceV8, StorageBackendsListV8 } from './service.v8.schemas.ts';

export interface ServiceRoutesDeps {
  service: ServiceInfoService;
  /** The mount these routes serve: its version chooses their schemas (SERVICE_API), and is the `api_version` /service answers. */
  mount: ApiMount;
  /** Names of the root endpoints the mount serves (GET /). */
  rootEndpoints: () => string[];
  /**
   * 8.2's `event_stream_mechanisms`: those of 8.2's own the mount serves (7.0's /service lists
   * the store's, ServiceInfoService's).
   */
  eventStreams?: () => EventStreamMechanism[];
  paging: PagingSettings;
  publicUrl: string;
}

interface BackendsContext {
  request: FastifyRequest;
  reply: FastifyReply;
  deps: ServiceRoutesDeps;
}

/** What the service routes differ in per API version. */
interface ServiceApi {
  service: TSchema;
  /** The /service answer, from what the store says of itself. */
  answer(info: ServiceInfo, deps: ServiceRoutesDeps): Record<string, unknown>;
  /** The errors POST /service documents (8.2 its 403 too). */
  postErrors: ReturnType<typeof errors>;
  backends: {
    description: string;
    /** The listing's query and 200 response (8.2's is sorted and paged). */
    query?: TSchema;
    response: TSchema;
    /** 8.2 lists none; its query can be wrong all the same (DEPARTURES_8_2). */
    errors?: ReturnType<typeof errors>;
    list(ctx: BackendsContext): Promise<unknown[]>;
  };
}

const BACKENDS_TEXT =
  'Provide information about the storage backends available on this service instance. These are populated on deployment of the service instance';

const backendTags = tagQuery82('Storage Backends');
const BackendsQuery82 = Type.Object(
  {
    ...backendTags.properties,
    reverse_order: reverseOrderQuery(
      'Return Storage Backends in reverse-alphabetical order of their `label`.',
    ),
    ...PagingQuery,
  },
  { patternProperties: backendTags.patternProperties },
);

const BACKENDS_LISTING: SortedListing<'label'> = {
  name: 'storage-backends',
  kinds: { label: 'string' },
  byDefault: 'label',
};

const seconds = (value: number) => formatTimestamp(BigInt(value) * NS_PER_SECOND);

const SERVICE_API: Record<ApiVersion, ServiceApi> = {
  '7.0': {
    service: Service,
    answer: (info, deps) => ({ ...info, api_version: deps.mount.version }),
    postErrors: errors({ 400: 'Bad request. Invalid service JSON.' }),
    backends: {
      description: `${BACKENDS_TEXT}.`,
      response: ok(StorageBackendsList),
      list: async ({ deps }) => deps.service.storageBackends(),
    },
  },
  '8.2': {
    service: ServiceV8,
    answer(info, deps) {
      // 7.0's event stream mechanisms are not 8.2's (8.2 webhooks carry ids, their events other
      // bodies; the root's event stream sends 7.0's): the mount's own are listed instead.
      const { event_stream_mechanisms: _sevenOnly, ...rest } = info;
      const timeouts = deps.service.timeouts();
      const mechanisms = deps.eventStreams?.() ?? [];
      return {
        ...rest,
        ...(mechanisms.length > 0 && { event_stream_mechanisms: mechanisms }),
        api_version: deps.mount.version,
        min_object_timeout: seconds(timeouts.unregisteredObjectSeconds),
        min_presigned_url_timeout: seconds(timeouts.presignedUrlSeconds),
      };
    },
    postErrors: errors({
      400: 'Bad request. Invalid service JSON.',
      403: 'Forbidden. You do not have permission to modify this resource.',
    }),
    backends: {
      description: `${BACKENDS_TEXT} (their \`tags\` too: TAMS_STORAGE_BACKENDS). Sorted in alphabetical order of their \`label\`; backends without one come after the others, by \`id\` (before them with \`reverse_order\`).`,
      query: BackendsQuery82,
      response: { ...ok(StorageBackendsListV8), headers: ListingHeaders },
      errors: errors({ 400: 'Bad request. Invalid query options.' }),
      list: ({ request, reply, deps }) => {
        const { paging, publicUrl, mount } = deps;
        const tags = tagFilters(request, '8.2');
        return sortedListingPage(
          BACKENDS_LISTING,
          { request, reply, paging, publicUrl, mount },
          (sort, after, limit) =>
            Promise.resolve(deps.service.storageBackendsPage(tags, sort.reverse, after, limit)),
        );
      },
    },
  },
};

/**
 * `/`, `/service` (GET, HEAD and POST) and `/service/storage-backends` of the mount's version:
 * 8.2's /service adds the timeouts this store keeps, and lists its storage backends sorted by
 * label, paged and filtered on their configured tags.
 */
export async function serviceRoutes(app: App, deps: ServiceRoutesDeps): Promise<void> {
  const v = SERVICE_API[deps.mount.version];

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
        response: { 200: ok(v.service) },
      },
    },
    async () => v.answer(await deps.service.get(), deps),
  );

  app.post(
    '/service',
    {
      schema: {
        operationId: 'POST_service',
        summary: 'Update Service Information',
        description: `Update the service info. ${CELL_NOTE}`,
        tags: ['Service'],
        body: ServicePost,
        response: { 200: noContent('Success. The service info has been updated.'), ...v.postErrors },
      },
    },
    async (request, reply) => {
      await deps.service.update(request.body);
      return reply.code(200).send();
    },
  );

  app.get(
    '/service/storage-backends',
    {
      schema: {
        operationId: 'GET_storage-backends',
        summary: 'Storage Backend Information',
        description: v.backends.description,
        tags: ['Service'],
        ...(v.backends.query && { querystring: v.backends.query }),
        response: { 200: v.backends.response, ...v.backends.errors },
      },
    },
    async (request, reply) => v.backends.list({ request, reply, deps }),
  );
}
