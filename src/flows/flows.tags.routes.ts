import { Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiVersion } from '../http/api.version.ts';
import { Tags, Uuid } from '../http/common.schemas.ts';
import { propertyRoutes } from '../http/property.routes.ts';
import { Tags82, TagValue82 } from '../http/tags.version.ts';
import type { App } from '../http/types.ts';
import { FlowParams } from './flows.routes.ts';
import type { FlowsService } from './flows.service.ts';

/**
 * `/flows/{id}/tags` and `/flows/{id}/tags/{name}` as `version` has them: 8.2 values are a
 * string or a list; through 7.0 a list-valued tag does not exist (404), and a 7.0 PUT of a string
 * replaces a list of that name.
 */
export function flowTagRoutes(app: App, flows: FlowsService, version: ApiVersion): void {
  const v82 = version === '8.2';
  const flow = v82 ? 'Flow' : 'flow';
  const FORBIDDEN = `Forbidden. You do not have permission to modify this ${flow}. It may be marked read-only.`;
  const MISSING = `The requested ${flow} does not exist.`;
  const id = (p: Record<string, string>) => p.flowId as string;
  const TagParams = Type.Object({
    flowId: Uuid,
    name: Type.String({
      description: v82
        ? 'The tag name. {name} MUST be URL encoded where special characters are present.'
        : 'The tag name.',
    }),
  });

  propertyRoutes(app, {
    url: '/flows/:flowId/tags',
    operation: 'flows-flowId-tags',
    tag: 'Flows',
    params: FlowParams,
    value: v82 ? Tags82 : Tags,
    get: {
      summary: 'List Flow Tags',
      description: `Returns the ${flow} tags.`,
      responses: { 200: '', 404: MISSING },
      handler: (p) => flows.tags(id(p), version),
    },
  });

  propertyRoutes(app, {
    url: '/flows/:flowId/tags/:name',
    operation: 'flows-flowId-tags-name',
    tag: 'Flows',
    params: TagParams,
    value: v82 ? TagValue82 : Type.String(),
    get: {
      summary: 'Flow Tag Value',
      description: 'Return the tag value associated with the tag name.',
      responses: { 200: '', 404: `The requested ${flow} or tag does not exist.` },
      handler: (p) => flows.getTag(id(p), p.name as string, version),
    },
    put: {
      summary: 'Create or Update Flow Tag',
      description: `Create or update the tag. ${CELL_NOTE}`,
      responses: {
        204: 'No content. The tag has been created or updated.',
        400: `Bad request. Invalid ${flow} tag value.`,
        403: FORBIDDEN,
        404: MISSING,
      },
      handler: (p, value, actor) => flows.putTag(id(p), p.name as string, value as string | string[], actor),
    },
    delete: {
      summary: 'Delete Flow Tag',
      description: 'Delete the tag.',
      responses: {
        204: `No content. The ${flow} tag has been deleted.`,
        403: FORBIDDEN,
        404: `The requested ${flow} ID in the path is invalid.`,
      },
      handler: (p, actor) => flows.deleteTag(id(p), p.name as string, actor, version),
    },
  });
}
