import { type TSchema, Type } from 'typebox';
import { CELL_NOTE } from '../common/cells.ts';
import type { ApiVersion } from './api.version.ts';
import { Tags } from './common.schemas.ts';
import { propertyRoutes } from './property.routes.ts';
import { Tags82, TagValue82 } from './tags.version.ts';
import type { App } from './types.ts';

type Actor = string | undefined;

/** The tag operations of an owner's service (FlowsService, SourcesService). */
export interface TagOwnerService {
  tags(id: string, version: ApiVersion): Promise<unknown>;
  getTag(id: string, name: string, version: ApiVersion): Promise<unknown>;
  putTag(id: string, name: string, value: string | string[], actor: Actor): Promise<void>;
  deleteTag(id: string, name: string, actor: Actor, version: ApiVersion): Promise<void>;
}

/** A kind of resource that has tags, and how its spec words its tag operations in one version. */
export interface TagOwner {
  /** Its collection's path (`flows`), path parameter (`flowId`) and the schema of that id. */
  resource: string;
  param: string;
  id: TSchema;
  /** Its name in summaries and OpenAPI tags (`Flow`: "List Flow Tags", tag "Flows"). */
  kind: string;
  service: TagOwnerService;
  words: {
    /** How the spec writes it in running text (7.0's `flow`, 8.2's `Flow`). */
    noun: string;
    put: string;
    delete: string;
    /** The 403 of PUT and DELETE, where the version documents one. */
    forbidden?: string;
    put404: string;
    delete404: string;
  };
}

/**
 * `/{resource}/{id}/tags` and `/{resource}/{id}/tags/{name}` as `version` has them: 8.2 values
 * are a string or a list; through 7.0 a list-valued tag does not exist (404), and a 7.0 PUT of a
 * string replaces a list of that name.
 */
export function tagRoutes(app: App, owner: TagOwner, version: ApiVersion): void {
  const v82 = version === '8.2';
  const { service, words } = owner;
  const MISSING = `The requested ${words.noun} does not exist.`;
  const forbidden = words.forbidden === undefined ? {} : { 403: words.forbidden };
  const id = (p: Record<string, string>) => p[owner.param] as string;
  const url = `/${owner.resource}/:${owner.param}/tags`;
  const operation = `${owner.resource}-${owner.param}-tags`;
  const tag = `${owner.kind}s`;
  const TagParams = Type.Object({
    [owner.param]: owner.id,
    name: Type.String({
      description: v82
        ? 'The tag name. {name} MUST be URL encoded where special characters are present.'
        : 'The tag name.',
    }),
  });

  propertyRoutes(app, {
    url,
    operation,
    tag,
    params: Type.Object({ [owner.param]: owner.id }),
    value: v82 ? Tags82 : Tags,
    get: {
      summary: `List ${owner.kind} Tags`,
      description: `Returns the ${words.noun} tags.`,
      responses: { 200: '', 404: MISSING },
      handler: (p) => service.tags(id(p), version),
    },
  });

  propertyRoutes(app, {
    url: `${url}/:name`,
    operation: `${operation}-name`,
    tag,
    params: TagParams,
    value: v82 ? TagValue82 : Type.String(),
    get: {
      summary: `${owner.kind} Tag Value`,
      description: 'Return the tag value associated with the tag name.',
      responses: { 200: '', 404: `The requested ${words.noun} or tag does not exist.` },
      handler: (p) => service.getTag(id(p), p.name as string, version),
    },
    put: {
      summary: `Create or Update ${owner.kind} Tag`,
      description: `${words.put} ${CELL_NOTE}`,
      responses: {
        204: 'No content. The tag has been created or updated.',
        400: `Bad request. Invalid ${words.noun} tag value.`,
        ...forbidden,
        404: words.put404,
      },
      handler: (p, value, actor) =>
        service.putTag(id(p), p.name as string, value as string | string[], actor),
    },
    delete: {
      summary: `Delete ${owner.kind} Tag`,
      description: words.delete,
      responses: {
        204: `No content. The ${words.noun} tag has been deleted.`,
        ...forbidden,
        404: words.delete404,
      },
      handler: (p, actor) => service.deleteTag(id(p), p.name as string, actor, version),
    },
  });
}
