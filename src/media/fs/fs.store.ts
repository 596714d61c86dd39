import { randomUUID } from 'node:crypto';
import { type BigIntStats, constants, type Dirent, lstatSync } from 'node:fs';
import { type FileHandle, link, lstat, mkdir, open, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { ObjectCopying, ObjectStream } from '../media.copy.ts';
import { MEDIA_EXTENSIONS } from '../media.extensions.ts';
import { assertByteRange } from '../media.read.ts';
import type {
  ByteRange,
  MediaStore,
  ObjectInfo,
  PutRequest,
  ReadResult,
  StorageBackendDescriptor,
  UrlContext,
  UuidKeyUrlSource,
  UuidKeyUrls,
} from '../media.types.ts';
import { TAG_CHARS } from './fs.cmac.ts';
import { DEFAULT_CONTENT_TYPE, type ObjectMeta, readMeta } from './fs.meta.ts';
import {
  assertKey,
  dataFile,
  internalName,
  isInternalName,
  isMissing,
  isValidKey,
  isValidPrefix,
  legacySidecarFile,
  sidecarFile,
} from './fs.paths.ts';
import {
  EXPIRES_PARAM,
  OBJECT_PARAM,
  SIGNATURE_PARAM,
  type SignedMethod,
  UrlSigner,
  type Verdict,
} from './fs.signer.ts';
import { FileSizes } from './fs.sizes.ts';
import { ObjectExistsError, writeAtomically } from './fs.write.ts';

export interface FsMediaStoreOptions {
  /** Directory holding the objects; created by createFsMediaStore. */
  root: string;
  /** Key for the HMAC signatures of presigned URLs (at least 16 bytes; 32 random bytes is right). */
  secret: Buffer;
  descriptor: StorageBackendDescriptor;
  /** Where fsMediaRoutes serves objects, below the server's base URL. Default `/media`. */
  routePrefix?: string;
  /** Largest accepted upload. Default 5 GiB (S3's single-PUT limit). */
  maxObjectBytes?: number;
  /** Milliseconds since the epoch; injected by tests to reach expiry without waiting. */
  now?: () => number;
}

/** An object opened for reading: the handle pins the bytes that `info` describes. */
export interface OpenObject {
  handle: FileHandle;
  info: ObjectInfo;
}

const DEFAULT_MAX_OBJECT_BYTES = 5 * 1024 ** 3;
const NO_BYTES = new Uint8Array(0);
const PREFIX_RE = /^(\/[A-Za-z0-9._-]+)+$/;

function objectInfo(path: string, stats: BigIntStats, meta: ObjectMeta | undefined): ObjectInfo {
  return {
    path,
    size: Number(stats.size),
    contentType: meta?.contentType ?? DEFAULT_CONTENT_TYPE,
    etag: meta?.etag,
    lastModified: stats.mtime,
  };
}

/**
 * The embedded media backend: objects are files under `root`, served by this server itself
 * (fs.routes.ts) at `${baseUrl}${routePrefix}/<path>`. Presigned URLs carry an HMAC signature
 * and an expiry; `directGetUrl` is the same route unsigned, which the server's API auth must
 * protect (fs.routes.ts marks the route so an auth hook can tell presigned requests apart).
 */
export class FsMediaStore implements MediaStore, ObjectCopying, UuidKeyUrlSource {
  readonly descriptor: StorageBackendDescriptor;
  readonly root: string;
  readonly routePrefix: string;
  readonly maxObjectBytes: number;
  readonly #signer: UrlSigner;
  readonly #now: () => number;
  readonly #sizes: FileSizes;

  constructor(options: FsMediaStoreOptions) {
    const prefix = options.routePrefix ?? '/media';
    if (!PREFIX_RE.test(prefix)) throw new Error(`invalid media route prefix ${JSON.stringify(prefix)}`);
    this.descriptor = options.descriptor;
    this.root = options.root;
    this.routePrefix = prefix;
    this.maxObjectBytes = options.maxObjectBytes ?? DEFAULT_MAX_OBJECT_BYTES;
    this.#signer = new UrlSigner(options.secret);
    this.#now = options.now ?? Date.now;
    this.#sizes = new FileSizes(options.root);
  }

  #objectUrl(path: string, baseUrl: string): string {
    const base = baseUrl.endsWith('/') ? baseUrl.slice(0, -1) : baseUrl;
    return `${base}${this.routePrefix}/${path}`;
  }

  #expiry(ctx: UrlContext): number {
    return Math.floor(this.#now() / 1000) + ctx.expiresIn;
  }

  /**
   * The extension presigned GET URLs end their path with (ctx.extension): not signed, the routes
   * take it off (fs.routes.ts), so the same key is reached with or without it.
   */
  #extension(ctx: UrlContext): string {
    const extension = ctx.extension;
    if (extension === undefined) return '';
    if (!MEDIA_EXTENSIONS.has(extension)) throw new Error(`not a media URL extension: ${extension}`);
    return extension;
  }

  /**
   * With `objectId`, the URL also carries the object id (signed), so the media routes can check
   * the allocation is still there with a lookup by id, whatever the path looks like.
   */
  presignPut(path: string, contentType: string, ctx: UrlContext, objectId?: string): PutRequest {
    assertKey(path);
    // The value must survive as an HTTP header, byte for byte, to match the signature.
    if (!/^[\x21-\x7e][\x20-\x7e]*$/.test(contentType)) {
      throw new Error(`invalid content type ${JSON.stringify(contentType)}`);
    }
    const expires = this.#expiry(ctx);
    const sig = this.#signer.sign('PUT', path, expires, contentType, objectId);
    const object = objectId === undefined ? '' : `&${OBJECT_PARAM}=${encodeURIComponent(objectId)}`;
    const url = `${this.#objectUrl(path, ctx.baseUrl)}?${EXPIRES_PARAM}=${expires}${object}&${SIGNATURE_PARAM}=${sig}`;
    return { url, 'content-type': contentType };
  }

  /**
   * The media route unsigned, naming the object (unsigned: the routes check that its allocation
   * holds this path): the API's auth hook lets it through only with credentials that may write.
   */
  directPutUrl(path: string, contentType: string, ctx: UrlContext, objectId?: string): PutRequest {
    assertKey(path);
    const object = objectId === undefined ? '' : `?${OBJECT_PARAM}=${encodeURIComponent(objectId)}`;
    return { url: `${this.#objectUrl(path, ctx.baseUrl)}${object}`, 'content-type': contentType };
  }

  presignGet(path: string, ctx: UrlContext): string {
    return this.presignGets([path], ctx)[0] as string;
  }

  // GET URLs are made for every segment of every page, so their keys are not checked here:
  // their paths were checked when their objects were allocated (presignPut), and the routes
  // check the path of every request they serve.
  presignGets(paths: readonly string[], ctx: UrlContext): string[] {
    const expires = this.#expiry(ctx);
    const sigs = this.#signer.signGets(paths, expires);
    const base = this.#objectUrl('', ctx.baseUrl);
    const query = `${this.#extension(ctx)}?${EXPIRES_PARAM}=${expires}&${SIGNATURE_PARAM}=`;
    return paths.map((path, i) => `${base}${path}${query}${sigs[i]}`);
  }

  directGetUrl(path: string, ctx: UrlContext): string {
    return this.#objectUrl(path, ctx.baseUrl);
  }

  presignUuidGets(dir: string, ids: Uint8Array, count: number, ctx: UrlContext): UuidKeyUrls {
    const expires = this.#expiry(ctx);
    return {
      head: this.#objectUrl(`${dir}/`, ctx.baseUrl),
      tail: `${this.#extension(ctx)}?${EXPIRES_PARAM}=${expires}&${SIGNATURE_PARAM}=`,
      signatures: this.#signer.signUuidGets(dir, ids, count, expires),
      signatureChars: TAG_CHARS,
    };
  }

  directUuidGetUrls(dir: string, ctx: UrlContext): UuidKeyUrls {
    return {
      head: this.#objectUrl(`${dir}/`, ctx.baseUrl),
      tail: '',
      signatures: NO_BYTES,
      signatureChars: 0,
    };
  }

  /**
   * Checks a presigned request's query parameters (HEAD is verified as GET); `objectId` is the
   * object parameter of a PUT URL, when it has one.
   */
  verify(
    method: SignedMethod,
    path: string,
    expires: unknown,
    sig: unknown,
    contentType = '',
    objectId?: unknown,
  ): Verdict {
    const nowSeconds = Math.floor(this.#now() / 1000);
    return this.#signer.verify(method, path, expires, sig, contentType, nowSeconds, objectId);
  }

  /** Whether `path` holds an object (cheaper than head: no sidecar is read). */
  async has(path: string): Promise<boolean> {
    assertKey(path);
    try {
      return (await lstat(dataFile(this.root, path))).isFile();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async head(path: string): Promise<ObjectInfo | null> {
    assertKey(path);
    const file = dataFile(this.root, path);
    let stats: BigIntStats | undefined;
    try {
      // On the calling thread: a stat of a directory entry of the local media directory costs
      // ~1-4 us here against ~10-20 us through the thread pool (more for a missing file, as an
      // error). The object size follower's stats go to a thread of their own (sizes).
      stats = lstatSync(file, { bigint: true, throwIfNoEntry: false });
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    if (stats === undefined || !stats.isFile()) return null;
    return objectInfo(path, stats, await readMeta(file, stats));
  }

  sizes(paths: readonly string[]): Promise<(bigint | null)[]> {
    // The stats alone (the sidecars' content type and ETag not read), each key checked there.
    return this.#sizes.sizes(paths);
  }

  async read(path: string, range: ByteRange): Promise<ReadResult | null> {
    assertKey(path);
    assertByteRange(range);
    const opened = await this.open(path);
    if (opened === null) return null;
    try {
      const size = opened.info.size;
      const length = Math.max(0, Math.min(range.length, size - range.offset));
      const bytes = new Uint8Array(length);
      let filled = 0;
      while (filled < length) {
        const { bytesRead } = await opened.handle.read(bytes, filled, length - filled, range.offset + filled);
        if (bytesRead === 0) break;
        filled += bytesRead;
      }
      return {
        bytes: filled === length ? bytes : bytes.subarray(0, filled),
        size,
        contentType: opened.info.contentType,
      };
    } finally {
      await opened.handle.close();
    }
  }

  /** Opens an object for serving; null when there is none (or `path` is not a valid key). */
  async open(path: string): Promise<OpenObject | null> {
    if (!isValidKey(path)) return null;
    const file = dataFile(this.root, path);
    let handle: FileHandle;
    try {
      // Objects are only ever created by link(); a symlink is not one and must not be followed.
      handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    try {
      const stats = await handle.stat({ bigint: true });
      if (!stats.isFile()) {
        await handle.close();
        return null;
      }
      return { handle, info: objectInfo(path, stats, await readMeta(file, stats)) };
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /**
   * Stores an upload atomically, unless the path already holds an object: throws
   * ObjectExistsError, ObjectTooLargeError or PathConflictError, or what `beforeCommit` throws
   * (called once the bytes are on disk, just before they become the object).
   */
  async write(
    path: string,
    contentType: string,
    body: Readable,
    beforeCommit?: () => Promise<void>,
  ): Promise<ObjectMeta> {
    assertKey(path);
    return writeAtomically(dataFile(this.root, path), contentType, body, this.maxObjectBytes, beforeCommit);
  }

  /** The object's bytes for a copy to another backend (ObjectCopying). */
  async readStream(path: string): Promise<ObjectStream | null> {
    const opened = await this.open(path);
    if (!opened) return null;
    const body = opened.handle.createReadStream({ autoClose: true });
    const { size, contentType } = opened.info;
    return contentType === undefined ? { body, size } : { body, size, contentType };
  }

  /** A copy of another backend's object, written as an upload is (ObjectCopying). */
  async writeStream(path: string, source: ObjectStream): Promise<void> {
    try {
      await this.write(path, source.contentType ?? DEFAULT_CONTENT_TYPE, source.body);
    } catch (error) {
      // A copy run again after a crash finds the one it made: the same object.
      if (!(error instanceof ObjectExistsError) || (await this.head(path))?.size !== source.size) throw error;
    }
  }

  async delete(path: string): Promise<void> {
    assertKey(path);
    const file = dataFile(this.root, path);
    let stats: BigIntStats;
    try {
      stats = await lstat(file, { bigint: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    if (!stats.isFile()) return;
    // Data first: a crash in between leaves an orphan sidecar, which nothing reads.
    await rm(file, { force: true });
    await rm(sidecarFile(file, stats.ino.toString()), { force: true });
    await rm(legacySidecarFile(file), { force: true });
  }

  /**
   * Every object whose path starts with `prefix` (a plain string prefix, as in S3: `a/b`
   * matches `a/b/c` and `a/bc`). Order is unspecified. Empty directories are left in place:
   * removing them would race with uploads creating files in them.
   */
  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    if (!isValidPrefix(prefix)) throw new Error(`invalid storage path prefix ${JSON.stringify(prefix)}`);
    const cut = prefix.lastIndexOf('/');
    yield* this.#walk(cut < 0 ? '' : prefix.slice(0, cut + 1), prefix);
  }

  async *#walk(dir: string, prefix: string): AsyncGenerator<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await readdir(join(this.root, dir), { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (isInternalName(entry.name)) continue;
      const path = `${dir}${entry.name}`;
      if (entry.isDirectory()) {
        const sub = `${path}/`;
        if (sub.startsWith(prefix)) yield* this.#walk(sub, prefix);
      } else if (entry.isFile() && path.startsWith(prefix) && isValidKey(path)) {
        const info = await this.head(path);
        if (info) yield info;
      }
    }
  }

  /**
   * Fails unless `root` exists, accepts writes and supports hard links (uploads are committed
   * with link(), which refuses to replace an object; see fs.write.ts).
   */
  async check(): Promise<void> {
    if (!(await stat(this.root)).isDirectory()) throw new Error(`media root ${this.root} is not a directory`);
    const probe = join(this.root, internalName(`check-${randomUUID()}`));
    const linked = `${probe}-link`;
    try {
      await writeFile(probe, '');
      try {
        await link(probe, linked);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new Error(
          `media root ${this.root} does not support hard links (${code}): the fs store needs them to write objects once`,
          { cause: error },
        );
      }
    } finally {
      await rm(linked, { force: true });
      await rm(probe, { force: true });
    }
  }

  async close(): Promise<void> {
    // Every read and write opens and closes its own files; only the stat thread may be running.
    await this.#sizes.close();
  }
}

/** Creates `root` if needed and returns a store that passed check(). */
export async function createFsMediaStore(options: FsMediaStoreOptions): Promise<FsMediaStore> {
  await mkdir(options.root, { recursive: true });
  const store = new FsMediaStore(options);
  await store.check();
  return store;
}
