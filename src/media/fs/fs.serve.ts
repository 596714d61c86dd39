import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendError } from '../../http/errors.ts';
import { isNotModified, parseRange, type RangeResult, rangeStillValid } from './fs.range.ts';
import type { OpenObject } from './fs.store.ts';

const WHOLE: RangeResult = { kind: 'full' };

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * Answers a GET or HEAD for an opened object the way S3 does: validators and Accept-Ranges on
 * every answer, 304 for a matching If-None-Match / If-Modified-Since, 206 for one satisfiable
 * byte range, 416 otherwise. The body is streamed from the open handle, never buffered; the
 * handle is closed once the stream ends (or right away when no body is sent).
 */
export async function serveObject(
  request: FastifyRequest,
  reply: FastifyReply,
  { handle, info }: OpenObject,
): Promise<FastifyReply> {
  const headers = request.headers;
  const validators = { etag: info.etag, lastModified: info.lastModified };
  reply.header('accept-ranges', 'bytes').header('last-modified', info.lastModified.toUTCString());
  if (info.etag !== undefined) reply.header('etag', info.etag);

  if (isNotModified(headers['if-none-match'], headers['if-modified-since'], validators)) {
    await handle.close();
    return reply.code(304).send();
  }
  const range = rangeStillValid(single(headers['if-range']), validators)
    ? parseRange(headers.range, info.size)
    : WHOLE;
  if (range.kind === 'unsatisfiable') {
    await handle.close();
    reply.header('content-range', `bytes */${info.size}`);
    return sendError(
      request,
      reply,
      416,
      'RangeNotSatisfiable',
      `No byte of ${headers.range} lies in the object.`,
    );
  }

  const start = range.kind === 'partial' ? range.start : 0;
  const end = range.kind === 'partial' ? range.end : info.size - 1;
  if (range.kind === 'partial') reply.code(206).header('content-range', `bytes ${start}-${end}/${info.size}`);
  reply.header('content-type', info.contentType).header('content-length', String(end - start + 1));
  if (request.method === 'HEAD' || end < start) {
    await handle.close();
    return reply.send();
  }
  return reply.send(handle.createReadStream({ start, end }));
}
