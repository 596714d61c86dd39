import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import { isUuid } from '../common/ids.ts';
import { ContentFormat, describe, Uuid } from '../http/common.schemas.ts';
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
import { TagQuery, tagFilters } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { Source } from './sources.schemas.ts';
import type { SourcesService } from './sources.service.ts';
import { sourceTagRoutes } from './sources.tags.routes.ts';

export interface SourcesRoutesDeps {
  sources: SourcesService;
  paging: PagingSettings;
  publicUrl: string;
}

const SourceParams = Type.Object({ sourceId: describe(Uuid, 'The Source identifier.') });

const ListQuery = Type.Object(
  {
    label: Type.Optional(Type.String({ description: 'Filter on Sources that have the given label.' })),
    ...TagQuery.properties,
    format: Type.Optional(describe(ContentFormat, 'Filter on source format.')),
    ...PagingQuery,
  },
  { patternProperties: TagQuery.patternProperties },
);

const MISSING = 'The requested Source does not exist.';

export async function sourcesRoutes(app: App, deps: SourcesRoutesDeps): Promise<void> {
  const { sources } = deps;
  const id = (p: Record<string, string>) => p.sourceId as string;

  app.get(
    '/sources',
    {
      schema: {
        operationId: 'GET_sources',
        summary: 'List Sources',
        description: 'List the Sources registered in the store and their details.',
        tags: ['Sources'],
        querystring: ListQuery,
        response: {
          200: { ...ok(Type.Array(Source)), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const page = await sources.list(
        { label: q.label, format: q.format, tags: tagFilters(request, '7.0') },
        decodePageKey(q.page, isUuid),
        limit,
      );
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next);
      return page.items;
    },
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
        response: { 200: ok(Source), ...errors({ 404: MISSING }) },
      },
    },
    async (request) => sources.get(request.params.sourceId),
  );

  sourceTagRoutes(app, sources, '7.0');

  for (const [key, Name, invalidId] of [
    ['description', 'Description', 'The Source ID in the path is invalid.'],
    ['label', 'Label', 'The requested Source ID in the path is invalid.'],
  ] as const) {
    propertyRoutes(app, {
      url: `/sources/:sourceId/${key}`,
      operation: `sources-sourceId-${key}`,
      tag: 'Sources',
      params: SourceParams,
      value: Type.String(),
      get: {
        summary: `Source ${Name}`,
        description: `Returns the Source ${key} property.`,
        responses: {
          200: '',
          404:
            key === 'label' ? 'The requested Source does not exist, or does not have a label set.' : MISSING,
        },
        handler: (p) => sources.getProperty(id(p), key),
      },
      put: {
        summary: `Create or Update Source ${Name}`,
        description: `Create or update the ${key} property. ${CELL_NOTE}`,
        responses: {
          204: `No content. The ${key} has been created or updated.`,
          400: `Bad request. Invalid Source ${key}.`,
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
        responses: { 204: `No content. The Source ${key} property has been deleted.`, 404: invalidId },
        handler: (p, actor) =>
          sources.update(id(p), actor, (source) => {
            source[key] = undefined;
          }),
      },
    });
  }
}
