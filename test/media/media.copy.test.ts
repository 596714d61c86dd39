/**
 * Copies of objects between storage backends (media.copy.ts), as the copy worker of TAMS 8.2's
 * controlled object instances makes them: within the storage between buckets of one S3 service
 * (CopyObject), streamed otherwise (fs to S3, S3 to fs, S3 to another S3 service), the bytes and
 * content type the same at the end, and an existing identical copy taken as made.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFsMediaStore, type FsMediaStore } from '../../src/media/fs/fs.store.ts';
import { copyObject } from '../../src/media/media.copy.ts';
import type { MediaStore } from '../../src/media/media.types.ts';
import { createS3MediaStore, type S3MediaStore } from '../../src/media/s3/s3.store.ts';
import { tempDir } from '../helpers/server.ts';
import { TEST_DESCRIPTOR } from '../support/media/fs/fs.testkit.ts';
import { type S3rverHandle, startS3rver } from '../support/media/s3/s3.testkit.ts';

let here: S3rverHandle;
let there: S3rverHandle;
let archive: S3MediaStore;
let cold: S3MediaStore;
let far: S3MediaStore;
let fs: FsMediaStore;
const root = tempDir('tams-media-copy-');
const bytes = randomBytes(700_000);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

beforeAll(async () => {
  here = await startS3rver(['archive', 'cold']);
  there = await startS3rver(['far']);
  archive = await createS3MediaStore(here.storeOptions('archive', { keyPrefix: 'tams/' }));
  cold = await createS3MediaStore(here.storeOptions('cold'));
  far = await createS3MediaStore(there.storeOptions('far'));
  fs = await createFsMediaStore({ descriptor: TEST_DESCRIPTOR, root: root.path, secret: randomBytes(32) });
  await fs.write('f/original', 'video/mp2t', Readable.from([bytes]));
});
afterAll(async () => {
  for (const store of [archive, cold, far, fs]) await store?.close();
  await here?.close();
  await there?.close();
  root.remove();
});

/** The object's bytes and content type, read whole. */
async function contents(store: MediaStore, path: string): Promise<{ sha: string; type?: string }> {
  const read = await store.read(path, { offset: 0, length: 10_000_000 });
  if (!read) throw new Error(`${path} is not in ${store.descriptor.id}`);
  return { sha: sha(read.bytes), type: read.contentType };
}

describe('copyObject', () => {
  it('streams fs to S3, then copies within the S3 service, streams to another and back to fs', async () => {
    const want = { sha: sha(bytes), type: 'video/mp2t' };
    expect(await copyObject(fs, 'f/original', archive, 'f/original.copy-1')).toBe('streamed');
    expect(await contents(archive, 'f/original.copy-1')).toEqual(want);
    // Another bucket (and key prefix) of the same service, with the same key pair: CopyObject.
    expect(await copyObject(archive, 'f/original.copy-1', cold, 'c/1')).toBe('server-side');
    expect(await contents(cold, 'c/1')).toEqual(want);
    // Another service: the bytes pass through.
    expect(await copyObject(cold, 'c/1', far, 'x/1')).toBe('streamed');
    expect(await contents(far, 'x/1')).toEqual(want);
    expect(await copyObject(far, 'x/1', fs, 'f/back')).toBe('streamed');
    expect(await contents(fs, 'f/back')).toEqual(want);
  });

  it('takes an identical object already at the key as the copy (a copy made again after a crash)', async () => {
    await copyObject(fs, 'f/original', fs, 'f/again');
    expect(await copyObject(fs, 'f/original', fs, 'f/again')).toBe('streamed');
    await fs.write('f/other', 'video/mp2t', Readable.from([randomBytes(10)]));
    await expect(copyObject(fs, 'f/original', fs, 'f/other')).rejects.toThrow(/already holds an object/);
  });

  it('fails for an object that is not there', async () => {
    await expect(copyObject(fs, 'f/none', archive, 'n/1')).rejects.toThrow(/is not in storage backend/);
    await expect(copyObject(archive, 'f/none', cold, 'n/2')).rejects.toThrow();
    expect(await cold.head('n/2')).toBeNull();
  });
});
