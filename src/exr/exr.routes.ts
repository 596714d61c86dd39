import { Type } from 'typebox';
import { BadRequestError } from '../common/errors.ts';
import {
  decodePageKey,
  effectiveLimit,
  PagingHeaders,
  type PagingSettings,
  publicBaseUrl,
  setPagingHeaders,
} from '../http/paging.ts';
import { errors, ok } from '../http/responses.ts';
import type { App } from '../http/types.ts';
import {
  FileDetail,
  FileDoc,
  FileListQuery,
  FileParams,
  InspectObjectBody,
  InspectQuery,
  LookupQuery,
  SimilarDoc,
  SimilarQuery,
  StatsDoc,
  StatsQuery,
} from './exr.schemas.ts';
import type { ExrService } from './exr.service.ts';

export interface ExrRoutesDeps {
  exr: ExrService;
  paging: PagingSettings;
  publicUrl: string;
  /** The largest body POST /exr/inspect takes (TAMS_EXR_UPLOAD_MAX_BYTES). */
  uploadLimit: number;
}

const TAGS = ['EXR'];
const BEYOND = 'Beyond TAMS 7.0.';
const NOT_FOUND = 'The requested EXR file does not exist.';
/** Page cursors: a file id, or a segment start (nanoseconds) in a Flow's listing. */
const FILE_CURSOR = /^[A-Za-z0-9_.:-]{1,128}$/;
const FRAME_CURSOR = /^-?[0-9]{1,19}$/;
/** Bodies POST /exr/inspect reads as bytes; anything else is parsed as JSON. */
const BYTE_TYPES = ['application/octet-stream', 'image/x-exr'];

const Bytes = Type.Unsafe<Uint8Array>({
  format: 'binary',
  description: 'An OpenEXR file, or its first bytes with `size` (the header is all that is read).',
});

export async function exrRoutes(app: App, deps: ExrRoutesDeps): Promise<void> {
  const { exr } = deps;

  app.get(
    '/exr/files',
    {
      schema: {
        operationId: 'GET_exr-files',
        summary: 'List EXR files',
        description: `The OpenEXR files of the store's EXR image Flows (inspected as their segments are registered) and of /exr/inspect, with their parts and channels; with flow_id, one item per frame of the Flow in timeline order. Paged like the TAMS lists. ${BEYOND}`,
        tags: TAGS,
        querystring: FileListQuery,
        response: {
          200: { ...ok(Type.Array(FileDoc)), headers: PagingHeaders },
          ...errors({ 400: 'Bad request. Invalid query options.', 404: 'The Flow does not exist.' }),
        },
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = effectiveLimit(q.limit, deps.paging);
      const after = decodePageKey(q.page, (c) =>
        (q.flow_id === undefined ? FILE_CURSOR : FRAME_CURSOR).test(c),
      );
      if (q.min_size !== undefined && q.max_size !== undefined && q.min_size > q.max_size) {
        throw new BadRequestError('query.min_size is greater than query.max_size');
      }
      const page = await exr.list({
        limit,
        ...(after !== undefined && { after }),
        ...(q.flow_id !== undefined && { flowId: q.flow_id }),
        ...(q.path_prefix !== undefined && { pathPrefix: q.path_prefix }),
        ...(q.compression !== undefined && { compression: q.compression }),
        ...(q.channel !== undefined && { channel: q.channel }),
        ...(q.min_size !== undefined && { minSize: q.min_size }),
        ...(q.max_size !== undefined && { maxSize: q.max_size }),
        ...(q.parts !== undefined && { parts: q.parts }),
        ...(q.deep !== undefined && { deep: q.deep }),
        ...(q.frame_min !== undefined && { frameMin: q.frame_min }),
        ...(q.frame_max !== undefined && { frameMax: q.frame_max }),
        ...(q.status !== undefined && { status: q.status }),
        ...(q.include_removed !== undefined && { includeRemoved: q.include_removed }),
      });
      setPagingHeaders(request, reply, deps.publicUrl, limit, page.next);
      return page.items;
    },
  );

  app.get(
    '/exr/files/:id',
    {
      schema: {
        operationId: 'GET_exr-files-id',
        summary: 'An EXR file',
        description: `Every part with its channels and attributes (in file order, decoded), the parser's issues, and the Flows the object is used in. ${BEYOND}`,
        tags: TAGS,
        params: FileParams,
        response: { 200: ok(FileDetail), ...errors({ 404: NOT_FOUND }) },
      },
    },
    async (request) => exr.get(request.params.id),
  );

  app.get(
    '/exr/files/:id/similar',
    {
      schema: {
        operationId: 'GET_exr-files-id-similar',
        summary: 'EXR files like this one',
        description: `The files nearest by metadata vector (resolution, channel set, pixel types, compression, tiling, deep, part count, layer names: see docs/exr.md, "The metadata vector"), best first, the file itself left out. ${BEYOND}`,
        tags: TAGS,
        params: FileParams,
        querystring: SimilarQuery,
        response: {
          200: ok(SimilarDoc),
          ...errors({ 400: 'Bad request. The file has no metadata vector.', 404: NOT_FOUND }),
        },
      },
    },
    async (request) => exr.similar(request.params.id, request.query.limit ?? 10),
  );

  app.get(
    '/exr/lookup',
    {
      schema: {
        operationId: 'GET_exr-lookup',
        summary: 'The EXR file of an object or path',
        description: `The file recorded for a media object (its failure, when it could not be inspected) or at a path. ${BEYOND}`,
        tags: TAGS,
        querystring: LookupQuery,
        response: {
          200: ok(FileDetail),
          ...errors({
            400: 'Bad request. Give object_id or path.',
            404: 'No EXR file was recorded for it.',
            // Both may be 1,024 characters: percent-encoded, they can pass Node's 16 KiB limit on a
            // request's head (http/client-errors.ts).
            431: 'The request line and headers are over 16 KiB (a long path or object id, percent-encoded): nothing was read.',
          }),
        },
      },
    },
    async (request) => exr.lookup(request.query),
  );

  app.get(
    '/exr/stats',
    {
      schema: {
        operationId: 'GET_exr-stats',
        summary: 'EXR catalogue statistics',
        description: `Files counted by compression, pixel type and resolution, over the catalogue or one Flow's frames. ${BEYOND}`,
        tags: TAGS,
        querystring: StatsQuery,
        response: {
          200: ok(StatsDoc),
          ...errors({ 400: 'Bad request. Invalid query options.', 404: 'The Flow does not exist.' }),
        },
      },
    },
    async (request) => exr.stats(request.query.flow_id),
  );

  // Its own scope: the byte bodies it reads change no other route's parsing.
  await app.register(async (scope) => {
    scope.addContentTypeParser(
      BYTE_TYPES,
      { parseAs: 'buffer', bodyLimit: deps.uploadLimit },
      (_r, body, done) => done(null, body),
    );
    (scope as unknown as App).post(
      '/exr/inspect',
      {
        bodyLimit: deps.uploadLimit,
        schema: {
          operationId: 'POST_exr-inspect',
          summary: 'Inspect an EXR file now',
          description: `Reads an OpenEXR header and records it: a media object of this store (\`{"object_id": …}\` as JSON), or a file posted as \`application/octet-stream\` or \`image/x-exr\`. Inspecting a file again counts one more inspection and changes nothing else. Files that are not OpenEXR (or truncated, or refused by the parser) are answered 400 with the parser's code and byte offset; an object's failure is also recorded. ${BEYOND}`,
          tags: TAGS,
          querystring: InspectQuery,
          body: {
            content: {
              'application/json': { schema: InspectObjectBody },
              'application/octet-stream': { schema: Bytes },
              'image/x-exr': { schema: Bytes },
            },
          },
          response: {
            200: {
              ...ok(FileDetail, 'The file as recorded.'),
              headers: { Location: Type.String() },
            },
            ...errors({
              400: 'Bad request. Not an OpenEXR file, or an invalid body.',
              404: 'The media object does not exist.',
            }),
          },
        },
      },
      async (request, reply) => {
        const body: unknown = request.body;
        const query = request.query as { path?: string; size?: number };
        let detail: FileDetail;
        if (body instanceof Uint8Array) detail = await exr.inspectBytes(body, query);
        else if (isObjectRequest(body)) detail = await exr.inspectObject(body.object_id);
        else {
          throw new BadRequestError(
            'body: post {"object_id": "…"} as application/json, or the file as application/octet-stream',
          );
        }
        const base = publicBaseUrl(request, deps.publicUrl);
        return reply.header('Location', `${base}/exr/files/${detail.id}`).send(detail);
      },
    );
  });
}

function isObjectRequest(body: unknown): body is { object_id: string } {
  return (
    typeof body === 'object' &&
    body !== null &&
    typeof (body as { object_id?: unknown }).object_id === 'string' &&
    (body as { object_id: string }).object_id !== ''
  );
}
