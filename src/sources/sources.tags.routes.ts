import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { describe, Tags, Uuid } from '../http/common.schemas.ts';
import { propertyRoutes } from '../http/property.routes.ts';
import { Tags82, TagValue82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import type { SourcesService } from './sources.service.ts';

const MISSING = 'The requested Source does not exist.';
const FORBIDDEN = 'Forbidden. You do not have permission to modify this resource.';

/**
 * `/sources/{id}/tags` and `/sources/{id}/tags/{name}` as `version` has them: 8.2 values are a
 * string or a list; through 7.0 a list-valued tag does not exist (404), and a 7.0 PUT of a string
 * replaces a list of that name.
 */
export function sourceTagRoutes(app: App, sources: SourcesService, version: ApiVersion): void {
  const v82 = version === '8.2';
  const id = (p: Record<string, string>) => p.sourceId as string;
  const SourceParams = Type.Object({ sourceId: describe(Uuid, 'The Source identifier.') });
  const TagParams = Type.Object({
    sourceId: describe(Uuid, 'The Source identifier.'),
    name: Type.String({
      description: v82
        ? 'The tag name. {name} MUST be URL encoded where special characters are present.'
        : 'The tag name.',
    }),
  });

  propertyRoutes(app, {
    url: '/sources/:sourceId/tags',
    operation: 'sources-sourceId-tags',
    tag: 'Sources',
    params: SourceParams,
    value: v82 ? Tags82 : Tags,
    get: {
      summary: 'List Source Tags',
      description: 'Returns the Source tags.',
      responses: { 200: '', 404: MISSING },
      handler: (p) => sources.tags(id(p), version),
    },
  });

  propertyRoutes(app, {
    url: '/sources/:sourceId/tags/:name',
    operation: 'sources-sourceId-tags-name',
    tag: 'Sources',
    params: TagParams,
    value: v82 ? TagValue82 : Type.String(),
    get: {
      summary: 'Source Tag Value',
      description: 'Return the tag value associated with the tag name.',
      responses: { 200: '', 404: 'The requested Source or tag does not exist.' },
      handler: (p) => sources.getTag(id(p), p.name as string, version),
    },
    put: {
      summary: 'Create or Update Source Tag',
      description: `Create or update the Source tag. ${CELL_NOTE}`,
      responses: {
        204: 'No content. The tag has been created or updated.',
        400: 'Bad request. Invalid Source tag value.',
        ...(v82 ? { 403: FORBIDDEN } : {}),
        404: 'The requested Source does not exist, or the tag name in the path is invalid.',
      },
      handler: (p, value, actor) =>
        sources.putTag(id(p), p.name as string, value as string | string[], actor),
    },
    delete: {
      summary: 'Delete Source Tag',
      description: 'Delete a specific tag on a Source',
      responses: {
        204: 'No content. The Source tag has been deleted.',
        ...(v82 ? { 403: FORBIDDEN } : {}),
        404: 'The requested Source ID or tag in the path is invalid.',
      },
      handler: (p, actor) => sources.deleteTag(id(p), p.name as string, actor, version),
    },
  });
}
