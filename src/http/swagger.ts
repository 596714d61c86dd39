import swagger, { type FastifyDynamicSwaggerOptions } from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { type ApiMount, type ApiVersion, mountOf, ROOT_MOUNT } from './api.version.ts';
import { type OperationExamples, SPEC_EXAMPLES } from './openapi.examples.ts';
import { finishDocument } from './openapi.paths.ts';
import { EXTENSION_MARKER, EXTENSION_TAGS, TAMS_TAGS, type Tag } from './openapi.tags.ts';

/** The OpenAPI security schemes this server may use. */
type SecurityScheme =
  | { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; name: string; in: 'query' | 'header' | 'cookie'; description?: string };

export interface DocumentOptions {
  /** The security schemes and global `security` (authentication's: src/auth/auth.openapi.ts). */
  security?: { schemes: Record<string, SecurityScheme>; global: Record<string, string[]>[] };
  /** Schemas named in `components.schemas`, referenced wherever the operations use them. */
  components?: Record<string, TSchema>;
}

export interface SwaggerOptions extends DocumentOptions {
  ui: boolean;
  /** The versioned mounts whose documents Swagger UI offers beside the root's (registerMountDocument). */
  mounts?: readonly ApiMount[];
}

interface DocumentParts extends DocumentOptions {
  version: ApiVersion;
  description: string;
  tags: readonly (Tag & { [EXTENSION_MARKER]?: true })[];
  servers?: { url: string; description: string }[];
  examples: Record<string, OperationExamples>;
}

/** What @fastify/swagger is given for one document: its fixed parts, and how it is finished. */
function documentSettings(parts: DocumentParts): FastifyDynamicSwaggerOptions {
  const components = parts.components ?? {};
  return {
    exposeHeadRoutes: true,
    transformObject: (documents) => {
      const doc = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject;
      return finishDocument(doc, Object.keys(components), parts.examples);
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Time-addressable Media Store',
        description: parts.description,
        version: parts.version,
        license: { name: 'Apache 2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      ...(parts.servers ? { servers: parts.servers } : {}),
      tags: [...parts.tags],
      // The spec's security schemes (src/auth): Swagger UI's "Authorize" comes from these.
      // Plain copies: @fastify/swagger never holds the schemas the routes validate with.
      components: {
        securitySchemes: parts.security?.schemes ?? {},
        schemas: JSON.parse(JSON.stringify(components)) as Record<string, Record<string, unknown>>,
      },
      security: parts.security?.global ?? [],
    },
  };
}

/** Where Swagger UI (at /docs) finds a document: relative, so a proxy's path prefix is kept. */
const documentUrl = (mount: ApiMount) => `..${mount.prefix}/openapi.json`;

/**
 * OpenAPI 3.1 generated from the routes' TypeBox schemas: `/openapi.json`, and Swagger UI at
 * `/docs`. HEAD operations are listed as the spec lists them; the operations beyond TAMS 7.0
 * carry their own tags and `x-tams-extension: true`; the schemas of `options.components` are
 * named components the operations refer to (openapi.components.ts), and the 7.0 operations carry
 * the spec's examples (openapi.examples.ts). The document comes out in a canonical order
 * (openapi.order.ts), so `npm run openapi` writes the same bytes every time.
 *
 * This document is the root's (TAMS 7.0 and the extensions): the routes of the versioned mounts
 * are left out of it, each mount documenting its own (registerMountDocument); Swagger UI offers
 * them all, the root's first.
 */
export async function registerSwagger(app: FastifyInstance, options: SwaggerOptions): Promise<void> {
  await app.register(swagger, {
    ...documentSettings({
      ...options,
      version: ROOT_MOUNT.version,
      description:
        'tams-server: an implementation of the BBC R&D Time-addressable Media Store (TAMS) API 7.0. See https://github.com/bbc/tams for the specification. Operations beyond TAMS 7.0 carry `x-tams-extension: true` and tags of their own, marked the same way.',
      tags: [
        ...TAMS_TAGS[ROOT_MOUNT.version],
        ...EXTENSION_TAGS.map((tag) => ({ ...tag, [EXTENSION_MARKER]: true as const })),
      ],
      examples: SPEC_EXAMPLES,
    }),
    // Decided once per route, when the document is first generated.
    transform: ({ schema, url }) => ({ schema: mountOf(url) ? { ...schema, hide: true } : schema, url }),
  });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  if (options.ui) {
    const mounts = [ROOT_MOUNT, ...(options.mounts ?? [])];
    await app.register(swaggerUi, {
      routePrefix: '/docs',
      uiConfig: {
        deepLinking: true,
        persistAuthorization: true,
        // The selector at the top switches between the documents; the first (the root's) opens.
        urls: mounts.map((mount) => ({ url: documentUrl(mount), name: mount.label })),
      },
    });
  }
}

/** The decorator of a mount's own @fastify/swagger instance (one per mount's plugin context). */
const MOUNT_DECORATOR = 'mountSwagger';

/** Each version's spec examples on its operations: 8.2's are not collected yet. */
const EXAMPLES: Record<ApiVersion, Record<string, OperationExamples>> = { '7.0': SPEC_EXAMPLES, '8.2': {} };

/**
 * The OpenAPI document of a versioned mount, at `<prefix>/openapi.json`: the routes registered
 * after it in `api` (the mount's own plugin context, its prefix set), with their paths as the
 * mount sees them under `servers: [{url: <prefix>}]`, tagged as the mount's spec tags them.
 */
export async function registerMountDocument(
  api: FastifyInstance,
  mount: ApiMount,
  options: DocumentOptions,
): Promise<void> {
  await api.register(swagger, {
    ...documentSettings({
      ...options,
      version: mount.version,
      description: `tams-server: an implementation of the BBC R&D Time-addressable Media Store (TAMS) API ${mount.version}, served at ${mount.prefix}. See https://github.com/bbc/tams for the specification. The same store is served as TAMS 7.0 at / too, with tams-server's extensions beside it (documented at /openapi.json).`,
      servers: [{ url: mount.prefix, description: mount.label }],
      tags: TAMS_TAGS[mount.version],
      examples: EXAMPLES[mount.version],
    }),
    decorator: MOUNT_DECORATOR,
    // The root listing is `<prefix>/`; a route at `/` is registered at the bare prefix as well.
    transform: ({ schema, url }) => ({
      schema: url === mount.prefix ? { ...schema, hide: true } : schema,
      url,
    }),
  });
  // @fastify/swagger decorated this context (it is a fastify-plugin): the name is ours to read.
  const document = (api as unknown as Record<typeof MOUNT_DECORATOR, () => unknown>)[MOUNT_DECORATOR];
  api.get('/openapi.json', { schema: { hide: true } }, async () => document.call(api));
}
