/**
 * The storage backend list (media.config.ts): parsing and validation with every problem listed,
 * credentials read from environment variables, and building the stores (S3 on s3rver, fs).
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FsMediaStore } from '../../../src/media/fs/fs.store.ts';
import {
  createMediaStores,
  loadStorageBackends,
  parseStorageBackends,
  type StorageBackendEntry,
  StorageBackendsError,
} from '../../../src/media/media.config.ts';
import { S3MediaStore } from '../../../src/media/s3/s3.store.ts';
import { type S3rverHandle, startS3rver } from '../../support/media/s3/s3.testkit.ts';

const S3_ID = '1b6a4a52-7f0e-4d1b-9c3a-2e5f6a7b8c9d';
const FS_ID = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';
const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const env = { TAMS_S3_KEY: 'AKIDFROMENV', TAMS_S3_SECRET: SECRET, TAMS_S3_TOKEN: 'token/from+env=' };

function s3Entry(extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 's3',
    id: S3_ID,
    label: 'vast-media',
    provider: 'vast',
    region: 'eu-west-2',
    store_product: 'vast-s3',
    default: true,
    endpoint: 'https://s3.vast.example',
    bucket: 'tams-media',
    key_prefix: 'tams/',
    force_path_style: true,
    access_key_id_env: 'TAMS_S3_KEY',
    secret_access_key_env: 'TAMS_S3_SECRET',
    ...extra,
  };
}

const fsEntry = {
  kind: 'fs',
  id: FS_ID,
  label: 'local',
  provider: 'tams-server',
  store_product: 'filesystem',
};

function problemsOf(json: unknown, environment: Record<string, string | undefined> = env): string[] {
  try {
    parseStorageBackends(JSON.stringify(json), 'TAMS_STORAGE_BACKENDS', environment);
  } catch (error) {
    if (error instanceof StorageBackendsError) return error.problems;
    throw error;
  }
  return [];
}

describe('storage backend list parsing', () => {
  it('accepts a valid list of S3 and fs backends', () => {
    const entries = parseStorageBackends(JSON.stringify([s3Entry(), fsEntry]), 'TAMS_STORAGE_BACKENDS', env);
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({ kind: 's3', bucket: 'tams-media', access_key_id_env: 'TAMS_S3_KEY' });
    expect(entries[1]).toMatchObject({ kind: 'fs', label: 'local' });
  });

  it('lists every problem, one line each', () => {
    const problems = problemsOf([
      s3Entry({
        id: 'not-a-uuid',
        bucket: '',
        checksums: 'sometimes',
        endpoint: 'ftp://s3.example',
        public_base_url: 'https://user:pw@cdn.example',
        key_prefix: 'a//',
        force_path_style: 'yes',
        colour: 'blue',
        access_key_id: 'AKIDLITERAL',
      }),
      { ...fsEntry, label: 'vast-media', default: true, root: 42 },
      { ...fsEntry, id: S3_ID, label: 'other' },
      { kind: 'gcs', id: FS_ID },
      'not an object',
      s3Entry({
        id: FS_ID,
        label: 'x',
        provider: undefined,
        secret_access_key_env: 'UNSET_VAR',
        access_key_id_env: undefined,
      }),
    ]);
    const expected = [
      'TAMS_STORAGE_BACKENDS[0].id: must be a UUID (got "not-a-uuid")',
      'TAMS_STORAGE_BACKENDS[0].bucket: must not be empty',
      'TAMS_STORAGE_BACKENDS[0].checksums: must be one of when_required, when_supported (got "sometimes")',
      'TAMS_STORAGE_BACKENDS[0].force_path_style: must be boolean (got "yes")',
      'TAMS_STORAGE_BACKENDS[0].colour: is not a setting of s3 backends',
      'TAMS_STORAGE_BACKENDS[0]: give access_key_id or access_key_id_env, not both',
      'TAMS_STORAGE_BACKENDS[0].endpoint: must be an http(s) URL (got "ftp://s3.example")',
      'TAMS_STORAGE_BACKENDS[0].public_base_url: must not carry credentials (got "https://***@cdn.example")',
      'TAMS_STORAGE_BACKENDS[0].key_prefix: has an empty segment ("//", or "/" first or last)',
      'TAMS_STORAGE_BACKENDS[1].root: must be string (got 42)',
      'TAMS_STORAGE_BACKENDS[3].kind: must be "s3" or "fs" (got "gcs")',
      'TAMS_STORAGE_BACKENDS[4]: must be an object',
      'TAMS_STORAGE_BACKENDS[5].provider: is required',
      'TAMS_STORAGE_BACKENDS[5]: access_key_id or access_key_id_env is required',
      'TAMS_STORAGE_BACKENDS[5].secret_access_key_env: environment variable UNSET_VAR is not set',
      'TAMS_STORAGE_BACKENDS[3].id: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b" is already used by TAMS_STORAGE_BACKENDS[1]',
      'TAMS_STORAGE_BACKENDS[5].id: "9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b" is already used by TAMS_STORAGE_BACKENDS[1]',
      'TAMS_STORAGE_BACKENDS[1].label: "vast-media" is already used by TAMS_STORAGE_BACKENDS[0]',
      'TAMS_STORAGE_BACKENDS: only one backend can be the default (TAMS_STORAGE_BACKENDS[0], TAMS_STORAGE_BACKENDS[1], TAMS_STORAGE_BACKENDS[5])',
      'TAMS_STORAGE_BACKENDS: at most one fs backend can be served (TAMS_STORAGE_BACKENDS[1], TAMS_STORAGE_BACKENDS[2])',
    ];
    expect(problems.sort()).toEqual(expected.sort());
  });

  it('takes read-only tags, each a string or a list of strings (TAMS 8.2)', () => {
    const tags = { tier: 'hot', cost: ['news', 'sport'], none: [] };
    const [entry] = parseStorageBackends(
      JSON.stringify([{ ...fsEntry, tags }]),
      'TAMS_STORAGE_BACKENDS',
      env,
    );
    expect(entry?.tags).toEqual(tags);
    expect(problemsOf([{ ...fsEntry, tags: { a: 1, 'b/c': ['x', 2], ok: 'y' } }])).toEqual([
      'TAMS_STORAGE_BACKENDS[0].tags.a: must be a string or a list of strings',
      'TAMS_STORAGE_BACKENDS[0].tags.b/c: must be a string or a list of strings',
    ]);
    expect(problemsOf([{ ...fsEntry, tags: 'hot' }])).toEqual([
      'TAMS_STORAGE_BACKENDS[0].tags: must be object (got "hot")',
    ]);
  });

  it('never repeats a secret in a message', () => {
    const problems = problemsOf([
      s3Entry({ secret_access_key: SECRET, session_token: 12345, access_key_id: ['AKID'] }),
    ]);
    expect(problems).toContain(
      'TAMS_STORAGE_BACKENDS[0]: give secret_access_key or secret_access_key_env, not both',
    );
    expect(problems).toContain('TAMS_STORAGE_BACKENDS[0].session_token: must be string');
    expect(problems.join('\n')).not.toMatch(/wJalr|12345|AKID"/);
  });

  it('refuses what is not a list, or not JSON', () => {
    expect(problemsOf({ backends: [] })).toEqual(['TAMS_STORAGE_BACKENDS: must be a JSON array of backends']);
    expect(problemsOf([])).toEqual(['TAMS_STORAGE_BACKENDS: must list at least one backend']);
    expect(() => parseStorageBackends('[{', 'TAMS_STORAGE_BACKENDS')).toThrow(
      /TAMS_STORAGE_BACKENDS: not valid JSON/,
    );
  });

  it('loads from the setting or a file, not both', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tams-backends-'));
    try {
      const file = join(dir, 'backends.json');
      await writeFile(file, JSON.stringify([fsEntry, s3Entry({ bucket: 'x y' })]));
      expect(loadStorageBackends({ json: '', file: '' }, env)).toBeUndefined();
      expect(() => loadStorageBackends({ json: '[]', file }, env)).toThrow(/both set/);
      expect(() => loadStorageBackends({ json: '', file }, env)).toThrow(
        `${file}[1].bucket: must not contain "/" or spaces (got "x y")`,
      );
      expect(() => loadStorageBackends({ json: '', file: join(dir, 'missing.json') }, env)).toThrow(
        /TAMS_STORAGE_BACKENDS_FILE: cannot read .*missing\.json \(ENOENT\)/,
      );
      await writeFile(file, JSON.stringify([fsEntry]));
      expect(loadStorageBackends({ json: '', file }, env)).toEqual([fsEntry]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('building the stores', () => {
  let s3: S3rverHandle;
  let dir: string;
  beforeAll(async () => {
    s3 = await startS3rver(['media']);
    dir = await mkdtemp(join(tmpdir(), 'tams-stores-'));
  });
  afterAll(async () => {
    await s3?.close();
    await rm(dir, { recursive: true, force: true });
  });

  const onS3rver = (extra: Record<string, unknown> = {}) =>
    s3Entry({ endpoint: s3.endpoint, bucket: 'media', region: 'us-east-1', ...extra });
  // s3rver knows one access key id, S3RVER, and refuses others: the env value must reach it.
  const s3rverEnv = { ...env, TAMS_S3_KEY: 'S3RVER' };

  it('builds S3 and fs backends with their descriptors, credentials from the environment', async () => {
    const entries = parseStorageBackends(
      JSON.stringify([
        onS3rver({ session_token_env: 'TAMS_S3_TOKEN' }),
        { ...fsEntry, root: join(dir, 'fs'), tags: { tier: ['hot', 'local'] } },
      ]),
      'TAMS_STORAGE_BACKENDS',
      s3rverEnv,
    );
    const stores = await createMediaStores(entries, {
      env: s3rverEnv,
      fsSecret: randomBytes(32),
      fsRoot: dir,
    });
    try {
      const [s3Store, fsStore] = stores;
      expect(s3Store).toBeInstanceOf(S3MediaStore);
      expect(fsStore).toBeInstanceOf(FsMediaStore);
      expect((fsStore as FsMediaStore).root).toBe(join(dir, 'fs'));
      expect(s3Store?.descriptor).toEqual({
        id: S3_ID,
        label: 'vast-media',
        store_type: 'http_object_store',
        provider: 'vast',
        region: 'us-east-1',
        store_product: 'vast-s3',
        default_storage: true,
      });
      expect(fsStore?.descriptor.default_storage).toBe(false);
      expect(fsStore?.descriptor.tags).toEqual({ tier: ['hot', 'local'] });
      const url = new URL(s3Store?.presignGet('o', { baseUrl: '', expiresIn: 60 }) ?? '');
      expect(url.pathname).toBe('/media/tams/o');
      expect(url.searchParams.get('X-Amz-Credential')).toMatch(/^S3RVER\//);
      expect(url.searchParams.get('X-Amz-Security-Token')).toBe('token/from+env=');
    } finally {
      await Promise.all(stores.map((s) => s.close()));
    }
  });

  it('reads the access key from the environment at startup', async () => {
    const entries = parseStorageBackends(JSON.stringify([onS3rver()]), 'TAMS_STORAGE_BACKENDS', env);
    await expect(createMediaStores(entries, { env, fsRoot: dir })).rejects.toThrow(
      /refuses access \(HTTP 403\)/,
    );
    const unset = { ...s3rverEnv, TAMS_S3_SECRET: undefined };
    await expect(createMediaStores(entries, { env: unset, fsRoot: dir })).rejects.toThrow(
      'storage backend vast-media: environment variable TAMS_S3_SECRET is not set',
    );
  });

  it('makes a lone backend the default', async () => {
    const entries = [{ ...fsEntry }] as StorageBackendEntry[];
    const [store] = await createMediaStores(entries, {
      fsSecret: randomBytes(32),
      fsRoot: join(dir, 'lone'),
    });
    expect(store?.descriptor.default_storage).toBe(true);
    await store?.close();
  });

  it('fails listing every backend that cannot start', async () => {
    const entries = parseStorageBackends(
      JSON.stringify([
        onS3rver({ bucket: 'absent-1' }),
        onS3rver({ id: FS_ID, label: 'b', bucket: 'absent-2', default: false }),
      ]),
      'TAMS_STORAGE_BACKENDS',
      s3rverEnv,
    );
    const attempt = createMediaStores(entries, { env: s3rverEnv, fsRoot: dir });
    await expect(attempt).rejects.toThrow(/bucket "absent-1" at .* does not exist[\s\S]*bucket "absent-2"/);
  });
});
