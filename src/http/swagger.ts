import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import type { TSchema } from 'typebox';
import { referenceComponents } from './openapi.components.ts';
import { attachExamples, SPEC_EXAMPLES } from './openapi.examples.ts';
import { canonicalDocument } from './openapi.order.ts';

export const API_VERSION = '7.0';

interface Response {
  description?: string;
  content?: Record<string, { schema?: unknown }>;
}

interface Operation {
  operationId?: string;
  tags?: string[];
  parameters?: { name: string; in: string }[];
  requestBody?: { required?: boolean };
  responses?: Record<string, Response>;
  [key: string]: unknown;
}

interface PathItem {
  get?: Operation;
  head?: Operation;
  [method: string]: Operation | undefined;
}

/** The operations of every path, whatever the method. */
function operationsOf(paths: Record<string, PathItem> | undefined): Operation[] {
  return Object.values(paths ?? {}).flatMap((item) =>
    Object.values(item).filter((op): op is Operation => op !== undefined),
  );
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
 * A HEAD answer has no body: its successful responses are documented as the spec documents
 * every HEAD's (`trait_resource_info_head_200`, `trait_resource_listing_head_200`): the GET's
 * media type with `schema: {type: string}`, rather than the GET's body schema.
 */
function headResponses(paths: Record<string, PathItem> | undefined): void {
  for (const item of Object.values(paths ?? {})) {
    for (const [status, response] of Object.entries(item.head?.responses ?? {})) {
      if (!status.startsWith('2') || !response.content) continue;
      for (const media of Object.keys(response.content))
        response.content[media] = { schema: { type: 'string' } };
    }
  }
}

/**
 * A response schema repeats the response's description (a route gives it on the schema, where
 * @fastify/swagger reads it and leaves it): said once, on the response, the document is smaller
 * and says the same. An empty one says nothing.
 */
function describeResponsesOnce(paths: Record<string, PathItem> | undefined): void {
  for (const op of operationsOf(paths)) {
    for (const response of Object.values(op.responses ?? {})) {
      for (const media of Object.values(response.content ?? {})) {
        const schema = media.schema as { description?: unknown } | undefined;
        if (schema?.description === '' || schema?.description === response.description)
          delete schema?.description;
      }
    }
  }
}

/**
 * Route schema key of a body the route also takes absent (fastify-swagger marks every body
 * `required`): spread into the schema, it becomes `requestBody.required: false`.
 */
export const OPTIONAL_BODY = { 'x-tams-optional-body': true } as const;

function optionalBodies(paths: Record<string, PathItem> | undefined): void {
  for (const op of operationsOf(paths)) {
    if (op['x-tams-optional-body'] !== true) continue;
    delete op['x-tams-optional-body'];
    if (op.requestBody) op.requestBody.required = false;
  }
}

/** The marker of what tams-server adds to TAMS 7.0: on its tags and on each of their operations. */
export const EXTENSION_MARKER = 'x-tams-extension';

/** The spec's tags (TAMS 7.0). */
const TAMS_TAGS = [
  { name: 'Service', description: 'The service root and documentation about the service itself' },
  { name: 'Sources', description: 'The ephemeral concept of an individual piece of media.' },
  {
    name: 'Flows',
    description: "Sources which have been 'rendered' to a specific encoding/packaging format.",
  },
  { name: 'FlowSegments', description: 'A timerange segment of a Flow that references a media object.' },
  { name: 'Objects', description: 'The object in the object store that contains the media essence.' },
  { name: 'MediaStorage', description: 'The system that stores the media objects referenced by segments.' },
  { name: 'FlowDeleteRequests', description: 'Monitoring of long running deletion of flows and segments.' },
  { name: 'Webhooks', description: 'Configures webhooks to deliver notifications externally.' },
];

/**
 * The tags of tams-server's operations beyond TAMS 7.0, one per area. Every operation under one
 * of them is marked `x-tams-extension: true` (and so are the tags); a new area (HLS, say) adds
 * its tag here. `npm run openapi:check` fails on an operation 7.0 lacks without one.
 */
export const EXTENSION_TAGS = [
  {
    name: 'Events',
    description: 'Server-Sent Events: the TAMS events as a stream (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Search',
    description:
      'Media search: keyword, semantic and hybrid search whose hits are TAMS time references (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'EXR',
    description:
      'OpenEXR header metadata of image media: files, parts, channels and attributes (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Analytics',
    description:
      'Usage, coverage, storage, segment durations and top Flows of the store, and table exports as Parquet or CSV (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'HLS',
    description:
      'HLS playback of Flows and Sources: playlists generated from the segment index, media URLs presigned (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Auth',
    description:
      'Users and API tokens, for administrators, and what the server makes of a credential (tams-server extension, beyond TAMS 7.0).',
  },
  {
    name: 'Operations',
    description:
      'Liveness, readiness and Prometheus metrics, for probes and scrapers: public, no credentials (tams-server extension, beyond TAMS 7.0).',
  },
];
const EXTENSION_TAG_NAMES = new Set(EXTENSION_TAGS.map((t) => t.name));

function markExtensions(paths: Record<string, PathItem> | undefined): void {
  for (const op of operationsOf(paths)) {
    if (op.tags?.some((t) => EXTENSION_TAG_NAMES.has(t))) op[EXTENSION_MARKER] = true;
  }
}

/** The OpenAPI security schemes this server may use. */
type SecurityScheme =
  | { type: 'http'; scheme: string; bearerFormat?: string; description?: string }
  | { type: 'apiKey'; name: string; in: 'query' | 'header' | 'cookie'; description?: string };

export interface SwaggerOptions {
  ui: boolean;
  /** The security schemes and global `security` (authentication's: src/auth/auth.openapi.ts). */
  security?: { schemes: Record<string, SecurityScheme>; global: Record<string, string[]>[] };
  /** Schemas named in `components.schemas`, referenced wherever the operations use them. */
  components?: Record<string, TSchema>;
}

/**
 * OpenAPI 3.1 generated from the routes' TypeBox schemas: `/openapi.json`, and Swagger UI at
 * `/docs`. HEAD operations are listed as the spec lists them; the operations beyond TAMS 7.0
 * carry their own tags and `x-tams-extension: true`; the schemas of `options.components` are
 * named components the operations refer to (openapi.components.ts), and the 7.0 operations carry
 * the spec's examples (openapi.examples.ts). The document comes out in a canonical order
 * (openapi.order.ts), so `npm run openapi` writes the same bytes every time.
 */
export async function registerSwagger(app: FastifyInstance, options: SwaggerOptions): Promise<void> {
  const components = options.components ?? {};
  await app.register(swagger, {
    exposeHeadRoutes: true,
    transformObject: (documents) => {
      const doc = 'openapiObject' in documents ? documents.openapiObject : documents.swaggerObject;
      const paths = doc.paths as Record<string, PathItem> | undefined;
      nameHeadOperations(paths);
      renamePathParameters(paths);
      headResponses(paths);
      optionalBodies(paths);
      markExtensions(paths);
      describeResponsesOnce(paths);
      attachExamples(paths, SPEC_EXAMPLES);
      // Last: it rewrites the paths (a `$ref` in place of each named schema).
      referenceComponents(doc as Record<string, unknown>, Object.keys(components));
      return canonicalDocument(doc);
    },
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Time-addressable Media Store',
        description:
          'tams-server: an implementation of the BBC R&D Time-addressable Media Store (TAMS) API 7.0. See https://github.com/bbc/tams for the specification. Operations beyond TAMS 7.0 carry `x-tams-extension: true` and tags of their own, marked the same way.',
        version: API_VERSION,
        license: { name: 'Apache 2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
      },
      tags: [...TAMS_TAGS, ...EXTENSION_TAGS.map((tag) => ({ ...tag, [EXTENSION_MARKER]: true }))],
      // The spec's security schemes (src/auth): Swagger UI's "Authorize" comes from these.
      // Plain copies: @fastify/swagger never holds the schemas the routes validate with.
      components: {
        securitySchemes: options.security?.schemes ?? {},
        schemas: JSON.parse(JSON.stringify(components)) as Record<string, Record<string, unknown>>,
      },
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
