import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { STORAGE_REASONS, storageFailureOf, storageStatus } from '../../common/storage.ts';
import { sendError } from '../../http/errors.ts';
import { withoutMediaExtension } from '../media.extensions.ts';
import { isValidKey } from './fs.paths.ts';
import { serveObject } from './fs.serve.ts';
import { EXPIRES_PARAM, OBJECT_PARAM, SIGNATURE_PARAM, type Verdict } from './fs.signer.ts';
import type { FsMediaStore } from './fs.store.ts';
import { ObjectExistsError, ObjectTooLargeError, PathConflictError } from './fs.write.ts';

/**
 * Whether an object of this backend still has `path` as its storage path: a presigned PUT is
 * refused once its object is gone (its Flow or allocation deleted), so a replayed URL cannot
 * write bytes nothing tracks. `objectId` is the object the URL names (signed), when it names one.
 */
export type AllocationCheck = (path: string, objectId: string | undefined) => Promise<boolean>;

export interface FsMediaRoutesOptions {
  store: FsMediaStore;
  /** Given by the composition root; without it (store-only tests) allocations are not checked. */
  allocated?: AllocationCheck;
}

/** The allocation of a PUT URL was released while its bytes were streaming. */
class AllocationGoneError extends Error {}

/**
 * Route config of the media routes. An API auth hook (onRequest) should let a request through
 * without credentials when `isPresignedMediaRequest` says so: the route verifies the signature
 * itself. Unsigned GET/HEAD (the store's directGetUrl) are for clients with API credentials and
 * are exactly what that hook must protect, as are unsigned PUTs (TAMS 8.2 put_urls made with
 * `presigned: false`), which must name their object and are checked against its allocation.
 */
export const MEDIA_ROUTE_CONFIG = { tamsMedia: true } as const;

type Query = Record<string, unknown>;

/** Whether the request targets a media route with a signature, which the route itself checks. */
export function isPresignedMediaRequest(request: FastifyRequest): boolean {
  const config = request.routeOptions.config as { tamsMedia?: boolean } | undefined;
  return config?.tamsMedia === true && (request.query as Query | undefined)?.[SIGNATURE_PARAM] !== undefined;
}

function storagePath(request: FastifyRequest): string {
  return (request.params as { '*'?: string })['*'] ?? '';
}

function notFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(request, reply, 404, 'NotFound', 'No media object at this path.');
}

function forbidden(request: FastifyRequest, reply: FastifyReply, verdict: Exclude<Verdict, 'valid'>) {
  const summary =
    verdict === 'expired'
      ? 'The presigned URL has expired.'
      : 'The URL signature does not match this request (method, path, expiry or content type).';
  return sendError(request, reply, 403, 'Forbidden', summary);
}

function allocationGone(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(
    request,
    reply,
    404,
    'NotFound',
    'The object this URL was issued for no longer exists (its Flow or allocation was deleted).',
  );
}

/**
 * The answer S3 gives a conditional PUT (If-None-Match: *) on a key that exists, so clients meet
 * the same refusal on both backends. The fs store needs no header: every upload is conditional.
 */
function objectExists(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(
    request,
    reply,
    412,
    'PreconditionFailed',
    'This storage path already holds an object; objects are written once.',
  );
}

/**
 * The key a signed GET is for, and its verdict. Presigned GET URLs may end their path with a
 * media extension (UrlContext.extension) that is not part of the key: the signature, which binds
 * the key, says which was meant, so a URL signed for one key never reaches another. URLs
 * without an extension (made before, or for other clients) are verified as they are.
 */
function signedGetPath(store: FsMediaStore, path: string, query: Query): { path: string; verdict: Verdict } {
  const expires = query[EXPIRES_PARAM];
  const signature = query[SIGNATURE_PARAM];
  const key = withoutMediaExtension(path);
  if (key !== undefined && isValidKey(key)) {
    const verdict = store.verify('GET', key, expires, signature);
    if (verdict !== 'invalid') return { path: key, verdict };
  }
  return { path, verdict: store.verify('GET', path, expires, signature) };
}

function isAbort(request: FastifyRequest, error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return request.raw.destroyed || code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE';
}

/**
 * Serves the fs media store's URLs: PUT, GET and HEAD (presigned, or unsigned for credentialed
 * clients) on `${store.routePrefix}/*`. A PUT writes an object once (412 when
 * the path has bytes) and only while its allocation stands (404 once `allocated` says no). Register it with `app.register`, which
 * gives it its own scope: its content-type parser hands the raw body stream to the upload
 * instead of the app's JSON parser, and Fastify's bodyLimit does not apply (maxObjectBytes does).
 */
export async function fsMediaRoutes(app: FastifyInstance, options: FsMediaRoutesOptions): Promise<void> {
  const { store, allocated } = options;
  const url = `${store.routePrefix}/*`;

  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, payload, done) => done(null, payload));

  app.put(url, { schema: { hide: true }, config: MEDIA_ROUTE_CONFIG }, async (request, reply) => {
    const path = storagePath(request);
    if (!isValidKey(path)) return notFound(request, reply);
    const query = request.query as Query;
    const contentType = request.headers['content-type'] ?? '';
    const objectParam = query[OBJECT_PARAM];
    if (query[SIGNATURE_PARAM] === undefined) {
      // An unsigned upload (a TAMS 8.2 put_url made with `presigned: false`) comes with the API's
      // credentials (the auth hook asked for them) and names its object, whose allocation must
      // hold this path: without that check (store-only use) there is nothing to hold it to.
      if (typeof objectParam !== 'string' || allocated === undefined) {
        return sendError(
          request,
          reply,
          403,
          'Forbidden',
          'Uploads need a put_url of POST /flows/{flowId}/storage: presigned, or (TAMS 8.2 presigned false) naming its object, with the API credentials.',
        );
      }
    } else {
      const verdict = store.verify(
        'PUT',
        path,
        query[EXPIRES_PARAM],
        query[SIGNATURE_PARAM],
        contentType,
        objectParam,
      );
      if (verdict !== 'valid') return forbidden(request, reply, verdict);
    }
    const objectId = typeof objectParam === 'string' ? objectParam : undefined;
    // Refusals before the body is read close the connection: that spares reading a body that
    // will be refused anyway.
    if (Number(request.headers['content-length']) > store.maxObjectBytes) {
      reply.header('connection', 'close');
      return sendError(
        request,
        reply,
        413,
        'PayloadTooLarge',
        `Objects are limited to ${store.maxObjectBytes} bytes.`,
      );
    }
    if (allocated !== undefined && !(await allocated(path, objectId))) {
      reply.header('connection', 'close');
      return allocationGone(request, reply);
    }
    // Checked again, atomically, when the upload is committed; this one spares the body.
    if (await store.has(path)) {
      reply.header('connection', 'close');
      return objectExists(request, reply);
    }
    // A Flow deleted while the bytes streamed must not get them: checked again just before they
    // become the object.
    const stillAllocated =
      allocated === undefined
        ? undefined
        : async () => {
            if (!(await allocated(path, objectId))) throw new AllocationGoneError();
          };
    try {
      const body = (request.body as Readable | undefined) ?? request.raw;
      const meta = await store.write(path, contentType, body, stillAllocated);
      return reply.code(200).header('etag', meta.etag).send();
    } catch (error) {
      if (error instanceof ObjectTooLargeError) {
        reply.header('connection', 'close');
        return sendError(request, reply, 413, 'PayloadTooLarge', error.message);
      }
      if (error instanceof ObjectExistsError) return objectExists(request, reply);
      if (error instanceof AllocationGoneError) return allocationGone(request, reply);
      if (error instanceof PathConflictError)
        return sendError(request, reply, 409, 'Conflict', error.message);
      const failure = storageFailureOf(error);
      if (failure !== undefined) {
        // The disk of the media directory, not the client: nothing was stored (writeAtomically).
        request.log.warn({ err: error }, 'media upload refused: the media directory cannot be written');
        reply.header('connection', 'close');
        const status = storageStatus(failure);
        return sendError(
          request,
          reply,
          status,
          status === 507 ? 'InsufficientStorage' : 'ServiceUnavailable',
          `The media store cannot store this object: ${STORAGE_REASONS[failure]}. Nothing was stored; try again later.`,
        );
      }
      if (isAbort(request, error)) {
        request.log.info('media upload aborted by the client; nothing was stored');
        return sendError(request, reply, 400, 'BadRequest', 'The upload was interrupted.');
      }
      throw error;
    }
  });

  app.route({
    method: ['GET', 'HEAD'],
    url,
    exposeHeadRoute: false,
    schema: { hide: true },
    config: MEDIA_ROUTE_CONFIG,
    handler: async (request, reply) => {
      let path = storagePath(request);
      if (!isValidKey(path)) return notFound(request, reply);
      const query = request.query as Query;
      if (query[SIGNATURE_PARAM] !== undefined || query[EXPIRES_PARAM] !== undefined) {
        const signed = signedGetPath(store, path, query);
        if (signed.verdict !== 'valid') return forbidden(request, reply, signed.verdict);
        path = signed.path;
      }
      const object = await store.open(path);
      if (!object) return notFound(request, reply);
      return serveObject(request, reply, object);
    },
  });
}
