/**
 * Object stores holding media bytes (the design documents call the S3 one S3Store). One interface
 * per backend kind, one contract suite (test/support/media/media.contract.ts) run against every
 * implementation. Object bytes never pass through the TAMS API: clients PUT and GET them with the
 * URLs below.
 */

/** A storage backend as /service/storage-backends describes it (storage-backend.json). */
export interface StorageBackendDescriptor {
  id: string;
  label?: string;
  store_type: 'http_object_store';
  provider: string;
  store_product: string;
  region?: string;
  availability_zone?: string;
  default_storage?: boolean;
  /** Read-only tags from the configuration (TAMS 8.2 shows them; 7.0 has no backend tags). */
  tags?: Record<string, string | string[]>;
}

/** What a client needs to upload an object (http-request.json). */
export interface PutRequest {
  url: string;
  'content-type': string;
  headers?: Record<string, string>;
}

export interface ObjectInfo {
  /** Storage path (key) within the backend. */
  path: string;
  size: number;
  contentType?: string;
  /** The HTTP ETag header value, quotes included (`"<md5>"`, as S3 returns it). */
  etag?: string;
  lastModified: Date;
}

export interface UrlContext {
  /** Public base URL of this server as the client reached it (for backends it serves itself). */
  baseUrl: string;
  /** Validity of presigned URLs, in seconds. */
  expiresIn: number;
  /**
   * A file extension (one of MEDIA_EXTENSIONS, media.extensions.ts) to end the path of presigned
   * GET URLs with, for clients that judge media by it (HLS players). Backends that serve their
   * own URLs add it, the key unchanged; others ignore it.
   */
  extension?: string;
}

export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

export interface ReadResult {
  readonly bytes: Uint8Array;
  /** The whole object's size, so a reader knows whether there is more. */
  readonly size: number;
  readonly contentType?: string;
}

/**
 * GET URLs of objects keyed `<dir>/<uuid>`: URL k is `head`, the canonical text of UUID k, `tail`,
 * then characters [k * signatureChars, (k + 1) * signatureChars) of `signatures` (nothing when
 * signatureChars is 0). The same text, character for character, as the backend's URL of that key.
 */
export interface UuidKeyUrls {
  head: string;
  tail: string;
  /** ASCII. */
  signatures: Uint8Array;
  signatureChars: number;
}

/**
 * The GET URLs of a page of objects keyed `<dir>/<uuid>` made at once, for a segments page written
 * straight from an index's rows (segments.page.ts): what a backend whose URLs are the key and a
 * signature of it offers (the fs backend), beside MediaStore: see uuidKeyUrlsOf (media.registry.ts).
 */
export interface UuidKeyUrlSource {
  /** presignGets of the keys `<dir>/<uuid>` of the first `count` UUIDs in `ids` (16 bytes each). */
  presignUuidGets(dir: string, ids: Uint8Array, count: number, ctx: UrlContext): UuidKeyUrls;
  /** directGetUrl of every key `<dir>/<uuid>`, in the same layout; undefined as directGetUrl is. */
  directUuidGetUrls(dir: string, ctx: UrlContext): UuidKeyUrls | undefined;
}

export interface MediaStore {
  readonly descriptor: StorageBackendDescriptor;
  /**
   * A presigned URL to upload `path` with exactly `contentType`, once: an upload to a path that
   * already holds an object is refused (412), so a replayed URL cannot change media that segments
   * use (fs always; S3 through a signed `If-None-Match: *`, unless the backend turns it off). `objectId` is the object the path was allocated for (a backend that checks allocations
   * itself may carry it in the URL). The client must send `headers` too, when there are any.
   * Cheap: called per allocated object.
   */
  presignPut(path: string, contentType: string, ctx: UrlContext, objectId?: string): PutRequest;
  /**
   * An upload of `path` with `contentType` that is not presigned (TAMS 8.2 `presigned: false`,
   * ADR 0054): the client brings its own credentials, the API's for a URL of this server (the fs
   * backend; its routes check the allocation), its own S3 credentials for a bucket's URL. The
   * same write-once rule as presignPut (412 over an object that has bytes). Cheap: called per
   * allocated object.
   */
  directPutUrl(path: string, contentType: string, ctx: UrlContext, objectId?: string): PutRequest;
  /** A presigned URL to download `path`. */
  presignGet(path: string, ctx: UrlContext): string;
  /**
   * presignGet of each path, in order, made together. Cheap: called for every segments page and
   * segments_added event, with ~100 paths, mostly of one Flow.
   */
  presignGets(paths: readonly string[], ctx: UrlContext): string[];
  /**
   * A URL that is not presigned (clients authenticate with their API credentials, or the bucket is
   * public), or undefined when the backend offers none.
   */
  directGetUrl(path: string, ctx: UrlContext): string | undefined;
  head(path: string): Promise<ObjectInfo | null>;
  /**
   * Each object's size in bytes, null where there is none: what `head` says of them, where the
   * backend can tell it for less (the filesystem: stats on a thread of their own, without reading
   * the objects' metadata).
   */
  sizes?(paths: readonly string[]): Promise<(bigint | null)[]>;
  /**
   * Up to `length` bytes of the object from `offset` (fewer at its end, none past it), for the
   * server's own readers of media (timed text for search, EXR headers), which never go through
   * the presigned URLs. Null when there is no object at `path`.
   */
  read(path: string, range: ByteRange): Promise<ReadResult | null>;
  /** Deletes the object; deleting a missing object is not an error. */
  delete(path: string): Promise<void>;
  list(prefix?: string): AsyncIterable<ObjectInfo>;
  /** Checks the backend is reachable (startup and readiness). */
  check(): Promise<void>;
  close(): Promise<void>;
}
