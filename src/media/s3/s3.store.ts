import type { Readable } from 'node:stream';
import {
  type BucketLocationConstraint,
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadBucketCommand,
  HeadObjectCommand,
  PutObjectCommand,
  paginateListObjectsV2,
  S3Client,
} from '@aws-sdk/client-s3';
import type { ObjectCopying, ObjectStream } from '../media.copy.ts';
import { assertByteRange } from '../media.read.ts';
import type {
  ByteRange,
  MediaStore,
  ObjectInfo,
  PutRequest,
  ReadResult,
  StorageBackendDescriptor,
  UrlContext,
} from '../media.types.ts';
import { locateBucket } from './s3.endpoint.ts';
import { httpStatus, isNotFound, networkReason } from './s3.errors.ts';
import { assertKey, escapeKeyPath, prefixProblem, textProblem } from './s3.keys.ts';
import { S3Presigner, type SigV4Credentials } from './s3.sign.ts';

/**
 * The S3 media backend (the design documents' S3Store): VAST S3, MinIO, AWS S3 or any
 * S3-compatible store. Object key = `keyPrefix` + storage path. Clients move the bytes with
 * presigned URLs signed here (s3.sign.ts, identical to the SDK's); the server itself only
 * heads, lists and deletes, through the SDK.
 *
 * Large objects: one presigned PUT carries at most 5 GiB (S3's single-PUT limit, which VAST and
 * MinIO share). TAMS gives one `put_url` per object and this backend offers nothing beyond it (no
 * presigned multipart upload): a TAMS object is one segment's media, seconds long, far below the
 * limit; a client with more should cut more segments. See README.md in this folder.
 */
export interface S3MediaStoreOptions {
  descriptor: StorageBackendDescriptor;
  /**
   * Endpoint URL of the S3 service (`https://s3.vast.example:443`). Absent: AWS, from `region`.
   * A base path is kept as given, trailing slash included (`https://h/base/` gives `/base//key`,
   * as the SDK does): write it without one.
   */
  endpoint?: string;
  /** Signing region (and AWS region when no endpoint is given); us-east-1 suits most other stores. */
  region: string;
  credentials: SigV4Credentials;
  bucket: string;
  /** Prepended to every storage path to form the object key (`tams/`). Default none. */
  keyPrefix?: string;
  /** `http://host/bucket/key` rather than `http://bucket.host/key`. Default false, as in the SDK. */
  forcePathStyle?: boolean;
  /**
   * When the SDK computes request checksums and validates response ones. WHEN_SUPPORTED (the SDK
   * default) sends CRC headers that older S3-compatible stores (VAST, MinIO releases) reject.
   * Default WHEN_REQUIRED.
   */
  checksums?: 'WHEN_REQUIRED' | 'WHEN_SUPPORTED';
  /** check() creates the bucket when it does not exist. Default false. */
  createBucket?: boolean;
  /**
   * Base URL serving the bucket's objects without a signature (a public bucket, a CDN), for
   * `directGetUrl`: `<publicBaseUrl>/<key>`. Absent: the backend has no unsigned URL.
   */
  publicBaseUrl?: string;
  /** How long check() waits for the bucket, in ms. Default 10 s. */
  checkTimeoutMs?: number;
  /** Keys per ListObjectsV2 page. Default 1000 (S3's maximum); tests lower it to page. */
  listPageSize?: number;
  /**
   * PUT URLs carry a signed `If-None-Match: *` (returned in `headers` of the put_url, which
   * clients must send), so S3 refuses to overwrite an object: a replayed URL cannot change media
   * that segments use. Turn off only for clients that ignore put_url headers, whose uploads the
   * signature would otherwise refuse; replays can then overwrite. Default true.
   */
  conditionalPut?: boolean;
  /** Epoch milliseconds; tests inject it to sign at a fixed instant. */
  now?: () => number;
}

const DEFAULT_CHECK_TIMEOUT_MS = 10_000;

function withoutSlash(url: string): string {
  return url.endsWith('/') ? url.slice(0, -1) : url;
}

export class S3MediaStore implements MediaStore, ObjectCopying {
  readonly descriptor: StorageBackendDescriptor;
  readonly bucket: string;
  readonly keyPrefix: string;
  /** Where the bucket is (endpoint or AWS host), for messages: never carries credentials. */
  readonly location: string;
  readonly #client: S3Client;
  readonly #signer: S3Presigner;
  readonly #publicBase: string | undefined;
  readonly #createBucket: boolean;
  readonly #region: string;
  readonly #checkTimeoutMs: number;
  readonly #listPageSize: number;
  readonly #conditionalPut: boolean;
  readonly #now: () => number;
  /** The S3 service and the key pair used on it: stores that share both copy within it. */
  readonly #account: string;

  constructor(options: S3MediaStoreOptions) {
    const prefix = options.keyPrefix ?? '';
    const problem = prefixProblem(prefix);
    if (problem !== undefined) throw new Error(`invalid S3 key prefix ${JSON.stringify(prefix)}: ${problem}`);
    if (options.endpoint !== undefined) {
      const url = new URL(options.endpoint);
      if (url.username !== '' || url.password !== '') {
        throw new Error('the S3 endpoint URL must not carry credentials: configure them separately');
      }
    }
    this.descriptor = options.descriptor;
    this.bucket = options.bucket;
    this.keyPrefix = prefix;
    this.#region = options.region;
    this.#createBucket = options.createBucket ?? false;
    this.#checkTimeoutMs = options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS;
    this.#listPageSize = options.listPageSize ?? 1000;
    this.#conditionalPut = options.conditionalPut ?? true;
    this.#now = options.now ?? Date.now;
    this.#publicBase = options.publicBaseUrl !== undefined ? withoutSlash(options.publicBaseUrl) : undefined;
    const checksums = options.checksums ?? 'WHEN_REQUIRED';
    const forcePathStyle = options.forcePathStyle ?? false;
    this.#client = new S3Client({
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle,
      credentials: { ...options.credentials },
      requestChecksumCalculation: checksums,
      responseChecksumValidation: checksums,
      // Without a connection timeout an unroutable endpoint hangs a request for minutes.
      requestHandler: { connectionTimeout: 5000, requestTimeout: 60_000 },
    });
    const where = locateBucket(this.#client, {
      bucket: options.bucket,
      region: options.region,
      endpoint: options.endpoint,
      forcePathStyle,
    });
    this.location = options.endpoint !== undefined ? withoutSlash(options.endpoint) : where.bucketUrl.origin;
    this.#account = `${this.location}\n${options.region}\n${options.credentials.accessKeyId}`;
    this.#signer = new S3Presigner({
      bucketUrl: where.bucketUrl,
      region: where.signingRegion,
      service: where.signingName,
      credentials: options.credentials,
    });
  }

  #key(path: string): string {
    assertKey(path);
    const key = this.keyPrefix + path;
    if (this.keyPrefix !== '') assertKey(key, 'object key');
    return key;
  }

  presignPut(path: string, contentType: string, ctx: UrlContext): PutRequest {
    const key = this.#key(path);
    const url = this.#signer.presignPut(key, contentType, ctx.expiresIn, this.#now(), this.#conditionalPut);
    if (!this.#conditionalPut) return { url, 'content-type': contentType };
    // What the signature covers besides the content type: the client must send it.
    return { url, 'content-type': contentType, headers: { 'If-None-Match': '*' } };
  }

  /**
   * The object's URL in the bucket, unsigned, for clients holding S3 credentials of their own
   * (8.2 allows out-of-band credentials on another origin: ADR 0054). `If-None-Match: *` is
   * asked for as in presignPut, though only the client's own signature can hold it to that.
   */
  directPutUrl(path: string, contentType: string, _ctx: UrlContext): PutRequest {
    const url = this.#signer.objectUrl(this.#key(path));
    if (!this.#conditionalPut) return { url, 'content-type': contentType };
    return { url, 'content-type': contentType, headers: { 'If-None-Match': '*' } };
  }

  presignGet(path: string, ctx: UrlContext): string {
    return this.#signer.presignGet(this.#key(path), ctx.expiresIn, this.#now());
  }

  presignGets(paths: readonly string[], ctx: UrlContext): string[] {
    const now = this.#now();
    return paths.map((path) => this.#signer.presignGet(this.#key(path), ctx.expiresIn, now));
  }

  directGetUrl(path: string, _ctx: UrlContext): string | undefined {
    if (this.#publicBase === undefined) return undefined;
    return `${this.#publicBase}/${escapeKeyPath(this.#key(path))}`;
  }

  async head(path: string): Promise<ObjectInfo | null> {
    const key = this.#key(path);
    try {
      const out = await this.#client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return {
        path,
        size: out.ContentLength ?? 0,
        contentType: out.ContentType,
        etag: out.ETag,
        lastModified: out.LastModified ?? new Date(0),
      };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  async read(path: string, range: ByteRange): Promise<ReadResult | null> {
    assertByteRange(range);
    const { offset, length } = range;
    if (length === 0) return this.#emptyRead(path);
    let out: GetObjectCommandOutput;
    try {
      out = await this.#client.send(
        new GetObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(path),
          Range: `bytes=${offset}-${offset + length - 1}`,
        }),
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      // 416: the range starts past the end; the object is there, with nothing to read.
      if (httpStatus(error) === 416) return this.#emptyRead(path);
      throw error;
    }
    const body = (await out.Body?.transformToByteArray()) ?? new Uint8Array(0);
    const total = /\/(\d+)$/.exec(out.ContentRange ?? '')?.[1];
    if (total !== undefined)
      return { bytes: body.subarray(0, length), size: Number(total), contentType: out.ContentType };
    // A store that ignored the Range header sent the whole object.
    return { bytes: body.subarray(offset, offset + length), size: body.length, contentType: out.ContentType };
  }

  async #emptyRead(path: string): Promise<ReadResult | null> {
    const info = await this.head(path);
    return info === null
      ? null
      : { bytes: new Uint8Array(0), size: info.size, contentType: info.contentType };
  }

  /** The object's bytes for a copy to another backend (ObjectCopying). */
  async readStream(path: string): Promise<ObjectStream | null> {
    let out: GetObjectCommandOutput;
    try {
      out = await this.#client.send(new GetObjectCommand({ Bucket: this.bucket, Key: this.#key(path) }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
    const stream: ObjectStream = { body: out.Body as Readable, size: out.ContentLength ?? 0 };
    if (out.ContentType !== undefined) stream.contentType = out.ContentType;
    return stream;
  }

  /** A copy of another backend's object, streamed into one PUT (ObjectCopying). */
  async writeStream(path: string, source: ObjectStream): Promise<void> {
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.#key(path),
        Body: source.body,
        ContentLength: source.size,
        ContentType: source.contentType,
      }),
    );
  }

  /**
   * CopyObject from a bucket of the same S3 service reached with the same key pair: the bytes stay
   * in the storage (one request, up to S3's 5 GiB limit of a single copy). False for any other
   * source, and where the service refuses the copy (a bucket policy): the caller streams instead.
   */
  async copyFrom(source: MediaStore, from: string, to: string): Promise<boolean> {
    if (!(source instanceof S3MediaStore) || source.#account !== this.#account) return false;
    try {
      await this.#client.send(
        new CopyObjectCommand({
          Bucket: this.bucket,
          Key: this.#key(to),
          CopySource: `${source.bucket}/${escapeKeyPath(source.#key(from))}`,
          MetadataDirective: 'COPY',
        }),
      );
      return true;
    } catch (error) {
      if (httpStatus(error) === 403) return false;
      throw error;
    }
  }

  async delete(path: string): Promise<void> {
    // S3 answers 204 for a missing key too; some compatible stores answer 404.
    try {
      await this.#client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.#key(path) }));
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  async *list(prefix = ''): AsyncIterable<ObjectInfo> {
    const problem = textProblem(prefix);
    if (problem !== undefined)
      throw new Error(`invalid storage path prefix ${JSON.stringify(prefix)}: ${problem}`);
    const pages = paginateListObjectsV2(
      { client: this.#client, pageSize: this.#listPageSize },
      { Bucket: this.bucket, Prefix: this.keyPrefix + prefix },
    );
    for await (const page of pages) {
      for (const item of page.Contents ?? []) {
        if (item.Key === undefined || !item.Key.startsWith(this.keyPrefix)) continue;
        yield {
          path: item.Key.slice(this.keyPrefix.length),
          size: item.Size ?? 0,
          etag: item.ETag,
          lastModified: item.LastModified ?? new Date(0),
        };
      }
    }
  }

  /** Fails with a message naming endpoint and bucket unless the bucket answers (or was created). */
  async check(): Promise<void> {
    try {
      await this.#client.send(new HeadBucketCommand({ Bucket: this.bucket }), {
        abortSignal: AbortSignal.timeout(this.#checkTimeoutMs),
      });
      return;
    } catch (error) {
      if (!(isNotFound(error) && this.#createBucket)) throw this.#checkError(error);
    }
    try {
      await this.#client.send(
        new CreateBucketCommand({
          Bucket: this.bucket,
          // us-east-1 is S3's default location and AWS refuses it as an explicit constraint.
          CreateBucketConfiguration:
            this.#region === 'us-east-1'
              ? undefined
              : { LocationConstraint: this.#region as BucketLocationConstraint },
        }),
        { abortSignal: AbortSignal.timeout(this.#checkTimeoutMs) },
      );
    } catch (error) {
      // Another replica starting at the same moment may have won.
      if ((error as { name?: string }).name === 'BucketAlreadyOwnedByYou') return;
      throw this.#checkError(error, 'could not be created');
    }
  }

  #checkError(error: unknown, doing?: string): Error {
    const what = `S3 storage backend ${JSON.stringify(this.descriptor.label ?? this.descriptor.id)}: bucket ${JSON.stringify(this.bucket)} at ${this.location}`;
    const status = httpStatus(error);
    let reason: string;
    if (status === undefined) reason = `is unreachable (${networkReason(error)})`;
    else if (doing !== undefined) reason = `${doing} (HTTP ${status}, ${(error as Error).name})`;
    else if (status === 404) reason = 'does not exist (create it, or enable create_bucket)';
    else if (status === 403) reason = 'refuses access (HTTP 403): check the credentials and bucket policy';
    else if (status === 301 || status === 400) {
      reason = `answered HTTP ${status}: is the bucket in another region than ${this.#region}?`;
    } else reason = `answered HTTP ${status} (${(error as Error).name})`;
    return new Error(`${what} ${reason}`, { cause: error });
  }

  async close(): Promise<void> {
    this.#client.destroy();
  }
}

/** A store whose bucket passed check() (created when allowed). */
export async function createS3MediaStore(options: S3MediaStoreOptions): Promise<S3MediaStore> {
  const store = new S3MediaStore(options);
  try {
    await store.check();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}
