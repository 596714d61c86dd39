/**
 * Range behaviours of S3 (RFC 9110 §14) that s3rver 3.7.1 lacks and AWS S3, MinIO and VAST have:
 * suffix ranges (`bytes=-N`, the last N bytes; s3rver reads them as `bytes=0-N`), a range ending
 * at byte 0 (`bytes=0-0`; s3rver reads an end of 0 as "to the end"), and `Content-Range:
 * bytes *\/<size>` on 416 (s3rver strips every header from error answers). Ranges are answered by
 * the S3 server, not by S3MediaStore, so this fills s3rver's gaps to let the shared media
 * contract run unchanged; nothing in the store under test depends on it.
 */
import type { Readable } from 'node:stream';
import type { S3rverContext, S3rverMiddleware } from 's3rver';

const SUFFIX = /^bytes=-(\d+)$/;
const FIRST_BYTE = /^bytes=0+-0+$/;

async function objectSize(ctx: S3rverContext): Promise<number | undefined> {
  const match = /^\/([^/]+)\/(.+)$/.exec(ctx.path);
  if (!match?.[1] || !match[2]) return undefined;
  try {
    const meta = await ctx.store.getMetadata(decodeURIComponent(match[1]), decodeURIComponent(match[2]));
    return Number(meta['content-length']);
  } catch {
    return undefined;
  }
}

async function firstByte(body: Readable): Promise<Buffer> {
  for await (const chunk of body) {
    body.destroy();
    return Buffer.from(chunk as Buffer).subarray(0, 1);
  }
  return Buffer.alloc(0);
}

export const s3Ranges: S3rverMiddleware = async (ctx, next) => {
  const range = ctx.headers.range;
  const isRead = ctx.method === 'GET' || ctx.method === 'HEAD';
  const suffix = isRead && typeof range === 'string' ? SUFFIX.exec(range) : null;
  if (suffix) {
    const size = await objectSize(ctx);
    const last = Number(suffix[1]);
    if (size !== undefined && last > 0) ctx.headers.range = `bytes=${Math.max(0, size - last)}-`;
  }
  try {
    await next();
  } catch (error) {
    if (!isRead || (error as { code?: string }).code !== 'InvalidRange') throw error;
    const size = await objectSize(ctx);
    ctx.status = 416;
    if (size !== undefined) ctx.set('Content-Range', `bytes */${size}`);
    ctx.type = 'application/xml';
    ctx.body = (error as { toXML(): string }).toXML();
    return;
  }
  if (ctx.status === 206 && typeof range === 'string' && FIRST_BYTE.test(range)) {
    const size = await objectSize(ctx);
    if (ctx.method === 'GET') ctx.body = await firstByte(ctx.body as Readable);
    ctx.set('Content-Range', `bytes 0-0/${size}`);
    ctx.set('Content-Length', '1');
  }
};
