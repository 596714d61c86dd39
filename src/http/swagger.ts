import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';

export const API_VERSION = '7.0';

interface Operation {
  operationId?: string;
  parameters?: { name: string; in: string }[];
}

interface PathItem {
  get?: Operation;
  head?: Operation;
  [method: string]: Operation | undefined;
}

/** Path parameters whose spec names the router cannot use (it takes `-` as a literal). */
const PARAMETER_NAMES: Record<string, string> = { requestId: 'request-id' };

function renamePathParameters(paths: Record<string, PathItem> | undefined): void {
  if (!paths) return;
  for (const [path, item] of Object.entries(paths)) {
    let renamed = path;
    for (const [ours, theirs] of Object.entries(PARAMETER_NAMES)) {
      renamed = renamed.replace(`{${ours}}`, `{${theirs}}`);
      for (const op of Object.values(item)) {
        for (const p of op?.parameters ?? []) if (p.in === 'path' && p.name === ours) p.name = theirs;
      }
    }
    if (renamed !== path) {
      delete paths[path];
      paths[renamed] = item;
    }
  }
}

/** The spec names HEAD operations `HEAD_<name>` after their GET twin `GET_<name>`. */
function nameHeadOperations(paths: Record<string, PathItem> | undefined): void {
  for (const item of Object.values(paths ?? {})) {
    const getId = item.get?.operationId;
    if (item.head && getId?.startsWith('GET_')) item.head.operationId = `HEAD_${getId.slice(4)}`;
  }
}

/**
 * OpenAPI 3.1 generated from the routes' TypeBox schemas: `/openapi.json`, and Swagger UI at
 * `/docs`. HEAD operations are listed as the spec lists them.
 */
/** The OpenAPI security schemes this server may use. */
type SecurityScheme =
  | { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; name: string; in: 'query' | 'header' | 'cookie'; description?: string };

export interface SwaggerOptions {
  ui: boolean;
  /** The security schemes and global `security` (authentication's: src/auth/auth.openapi.ts). */
  security?: { schemes: Record<string, SecurityScheme>; global: Record<string, string[]>[] };
}

export async function registerSwagger(app: FastifyInstance, options: SwaggerOptions): Promise<void> {
  await app.register(swagger, {
    exposeHeadRoutes: true,
    transformObject: (documents) => {
      const doc = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject;
      nameHeadOperations(doc.paths as Record<string, PathItem> | undefined);
      renamePathParameters(doc.paths as Record<string, PathItem> | undefined);
      return doc;
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Time-addressable Media Store',
        description:
          'tams-server: an implementation of the BBC R&D Time-addressable Media Store (TAMS) API 7.0. See https://github.com/bbc/tams for the specification.',
        version: API_VERSION,
        license: { name: 'Apache 2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      tags: [
        { name: 'Service', description: 'The service root and documentation about the service itself' },
        { name: 'Sources', description: 'The ephemeral concept of an individual piece of media.' },
        {
          name: 'Flows',
          description: "Sources which have been 'rendered' to a specific encoding/packaging format.",
        },
        {
          name: 'FlowSegments',
          description: 'A timerange segment of a Flow that references a media object.',
        },
        { name: 'Objects', description: 'The object in the object store that contains the media essence.' },
        {
          name: 'MediaStorage',
          description: 'The system that stores the media objects referenced by segments.',
        },
        {
          name: 'FlowDeleteRequests',
          description: 'Monitoring of long running deletion of flows and segments.',
        },
        { name: 'Webhooks', description: 'Configures webhooks to deliver notifications externally.' },
        {
          name: 'EXR',
          description: 'OpenEXR header metadata of image media (tams-server extension, beyond TAMS 7.0).',
        },
      ],
      // The spec's security schemes (src/auth): Swagger UI's "Authorize" comes from these.
      components: { securitySchemes: options.security?.schemes ?? {} },
      security: options.security?.global ?? [],
    },
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (options.ui) {
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: { deepLinking: true, persistAuthorization: true },
    });
  }
}
