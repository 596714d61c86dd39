import type { TSchema } from 'typebox';
import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import { isUuid } from '../common/ids.ts';
import type { ApiMount, ApiVersion } from '../http/api.version.ts';
import { ContentFormat, describe, Uuid } from '../http/common.schemas.ts';
import { ContentFormat82, UuidListEmpty, uuidList } from '../http/common.v8.schemas.ts';
import { type ListingRequest, type SortedListing, sortedListingPage } from '../http/listing.sorted.ts';
import { ListingHeaders, reverseOrderQuery, sortByQuery } from '../http/paging.listing.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  PagingQuery,
  type PagingSettings,
  setPagingHeaders,
} from '../http/paging.ts';
import { propertyRoutes } from '../http/property.routes.ts';
import { errors, ok } from '../http/responses.ts';
import { tagRoutes } from '../http/tags.routes.ts';
import { TagQuery, tagFilters, tagQuery82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import type { SourceDocument } from './sources.mapper.ts';
import { Source } from './sources.schemas.ts';
import type { SourceSortKey, SourcesService } from './sources.service.ts';
import { Source82 } from './sources.v8.schemas.ts';

export interface SourcesRoutesDeps {
  sources: SourcesService;
  paging: PagingSettings;
  publicUrl: string;
  /** The mount these routes serve: its version chooses their schemas and listing (SOURCES_API). */
  mount: ApiMount;
}

interface ListContext extends ListingRequest {
  sources: SourcesService;
}

type Query = Record<string, unknown> & { limit?: number; page?: string };

/** What the Sources routes differ in per API version. */
interface SourcesApi {
  source: TSchema;
  listQuery: TSchema;
  listHeaders: Record<string, TSchema>;
  /** Lists the page the request asks for, and sets its paging headers. */
  list(ctx: ListContext): Promise<SourceDocument[]>;
  listText: string;
  /** The 8.2 rules of the label and description endpoints (8.1's label GET, 403s listed). */
  v82: boolean;
}

const SOURCES_LISTING: SortedListing<SourceSortKey> = {
  name: 'sources',
  kinds: { created: 'datetime', updated: 'datetime', label: 'string' },
  byDefault: 'created',
};
const SORT_KEYS = ['created', 'updated', 'label'] as const;
const TAGS_82 = tagQuery82('Sources');

const SOURCES_API: Record<ApiVersion, SourcesApi> = {
  '7.0': {
    source: Source,
    listQuery: Type.Object(
      {
        label: Type.Optional(Type.String({ description: 'Filter on Sources that have the given label.' })),
        ...TagQuery.properties,
        format: Type.Optional(describe(ContentFormat, 'Filter on source format.')),
        ...PagingQuery,
      },
      { patternProperties: TagQuery.patternProperties },
    ),
    listHeaders: PagingHeaders,
    async list({ request, reply, sources, paging, publicUrl }) {
      const q = request.query as Query;
      const limit = effectiveLimit(q.limit, paging);
      const filters = { label: q.label as string | undefined, format: q.format as string | undefined };
      const page = await sources.list(
        { ...filters, tags: tagFilters(request, '7.0') },
        decodePageKey(q.page, isUuid),
        limit,
      );
      setPagingHeaders(request, reply, publicUrl, limit, page.next);
      return page.items;
    },
    listText: 'List the Sources registered in the store and their details.',
    v82: false,
  },
  '8.2': {
    source: Source82,
    listQuery: Type.Object(
      {
        label: Type.Optional(Type.String({ description: 'Filter on Sources that have the given label.' })),
        reverse_order: reverseOrderQuery('Return Sources in reverse order.'),
        sort_by: sortByQuery(
          SORT_KEYS,
          'Parameter to sort Sources by. `created` and `updated` sort most recent first, `label` alphabetically; `reverse_order` reverses. `created` if not set. Sources without a label are sorted by `id`, after the others (before them with `reverse_order`).',
        ),
        ...TAGS_82.properties,
        format: Type.Optional(describe(ContentFormat82, 'Filter on Source format.')),
        collected_by_ids: Type.Optional(
          describe(
            UuidListEmpty,
            'Sources whose `collected_by` includes one of the given Source IDs (comma-separated); an empty value: Sources no Source collects.',
          ),
        ),
        ...PagingQuery,
      },
      { patternProperties: TAGS_82.patternProperties },
    ),
    listHeaders: ListingHeaders,
    async list(ctx) {
      const q = ctx.request.query as Query;
      const filters = {
        label: q.label as string | undefined,
        format: q.format as string | undefined,
        tags: tagFilters(ctx.request, '8.2'),
        collected_by: typeof q.collected_by_ids === 'string' ? uuidList(q.collected_by_ids) : undefined,
      };
      return sortedListingPage(SOURCES_LISTING, ctx, (sort, after, limit) =>
        ctx.sources.listSorted(filters, sort, after, limit, '8.2'),
      );
    },
    listText: 'List the Sources registered in the TAMS service instance and their details.',
    v82: true,
  },
};

const MISSING = 'The requested Source does not exist.';
const FORBIDDEN = 'Forbidden. You do not have permission to modify this resource.';
const ABOUT_8_2 = {
  label: ' This should be a very short, human-readable label that may be displayed in listings of Sources.',
  description:
    ' This should be a human-readable description that may be showed in detailed views of Sources. The description should be longer and more detailed than `label`.',
};

/** The Sources area of the mount's version (SOURCES_API): listing, details, tags, label, description. */
export async function sourcesRoutes(app: App, deps: SourcesRoutesDeps): Promise<void> {
  const { sources, mount } = deps;
  const v = SOURCES_API[mount.version];
  const id = (p: Record<string, string>) => p.sourceId as string;
  const SourceParams = Type.Object({ sourceId: describe(Uuid, 'The Source identifier.') });

  app.get(
    '/sources',
    {
      schema: {
        operationId: 'GET_sources',
        summary: 'List Sources',
        description: v.listText,
        tags: ['Sources'],
        querystring: v.listQuery,
        response: {
          200: { ...ok(Type.Array(v.source)), headers: v.listHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => v.list({ ...deps, request, reply }),
  );

  app.get(
    '/sources/:sourceId',
    {
      schema: {
        operationId: 'GET_sources-sourceId',
        summary: 'Source Details',
        description: 'Returns Source metadata.',
        tags: ['Sources'],
        params: SourceParams,
        response: { 200: ok(v.source), ...errors({ 404: MISSING }) },
      },
    },
    async (request) => sources.get(request.params.sourceId, mount.version),
  );

  tagRoutes(
    app,
    {
      resource: 'sources',
      param: 'sourceId',
      id: describe(Uuid, 'The Source identifier.'),
      kind: 'Source',
      service: sources,
      words: {
        noun: 'Source',
        put: 'Create or update the Source tag.',
        delete: 'Delete a specific tag on a Source',
        ...(v.v82 && { forbidden: FORBIDDEN }),
        put404: 'The requested Source does not exist, or the tag name in the path is invalid.',
        delete404: 'The requested Source ID or tag in the path is invalid.',
      },
    },
    mount.version,
  );

  for (const [key, Name, invalidId] of [
    ['description', 'Description', 'The Source ID in the path is invalid.'],
    ['label', 'Label', 'The requested Source ID in the path is invalid.'],
  ] as const) {
    const about = v.v82 ? ABOUT_8_2[key] : '';
    const forbidden = v.v82 ? { 403: FORBIDDEN } : {};
    propertyRoutes(app, {
      url: `/sources/:sourceId/${key}`,
      operation: `sources-sourceId-${key}`,
      tag: 'Sources',
      params: SourceParams,
      value: Type.String(),
      get: {
        summary: `Source ${Name}`,
        description: `Returns the Source ${key} property.${about}`,
        responses: {
          200: '',
          404:
            key === 'label' && !v.v82
              ? 'The requested Source does not exist, or does not have a label set.'
              : MISSING,
        },
        // 8.1 took "or does not have a label set" out of the label's 404: unset is "" (L7).
        handler: async (p) =>
          key === 'label' && v.v82
            ? ((await sources.getRecord(id(p))).label ?? '')
            : sources.getProperty(id(p), key),
      },
      put: {
        summary: `Create or Update Source ${Name}`,
        description: `Create or update the ${key} property.${about} ${CELL_NOTE}`,
        responses: {
          204: `No content. The ${key} has been created or updated.`,
          400: `Bad request. Invalid Source ${key}.`,
          ...forbidden,
          404: MISSING,
        },
        handler: (p, value, actor) =>
          sources.update(id(p), actor, (source) => {
            source[key] = value as string;
          }),
      },
      delete: {
        summary: `Delete Source ${Name}`,
        description: `Delete the ${key} property.`,
        responses: {
          204: `No content. The Source ${key} property has been deleted.`,
          ...forbidden,
          404: invalidId,
        },
        handler: (p, actor) =>
          sources.update(id(p), actor, (source) => {
            source[key] = undefined;
          }),
      },
    });
  }
}
