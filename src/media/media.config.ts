import { readFileSync } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { UUID_PATTERN } from '../common/ids.ts';
import { createFsMediaStore } from './fs/fs.store.ts';
import type { MediaStore, StorageBackendDescriptor } from './media.types.ts';
import { prefixProblem } from './s3/s3.keys.ts';
import { createS3MediaStore } from './s3/s3.store.ts';

/**
 * The storage backends of a deployment, declared as a JSON list (TAMS_STORAGE_BACKENDS, or a file
 * named by TAMS_STORAGE_BACKENDS_FILE). Secrets can stay out of the list: every credential has an
 * `_env` twin naming the environment variable that holds it. Validation lists every problem at
 * once, as loadConfig does, and never repeats a secret in a message.
 */

const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]*$';
const text = (description: string) => Type.String({ minLength: 1, description });
const envName = (description: string) => Type.Optional(Type.String({ pattern: ENV_NAME, description }));

const common = {
  id: Type.String({
    pattern: UUID_PATTERN,
    description: 'Backend id (a UUID): the `storage_id` of the API.',
  }),
  label: text('Name in `/service/storage-backends` and in `get_urls` labels.'),
  provider: text('Who runs the store (`vast`, `aws`, `minio`, `tams-server`).'),
  region: Type.Optional(text('Region shown to clients (`get_urls` labels, `verbose_storage`).')),
  availability_zone: Type.Optional(text('Availability zone shown to clients.')),
  store_product: text('Product name (`vast-s3`, `s3`, `minio`, `filesystem`).'),
  default: Type.Optional(
    Type.Boolean({ description: 'Backend used when a request names none. A lone backend is the default.' }),
  ),
  tags: Type.Optional(
    Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]), {
      description:
        'Read-only tags shown by TAMS 8.2 (`/service/storage-backends`, its `tag.*` filters): each a string or a list of strings.',
    }),
  ),
};

export const S3BackendSchema = Type.Object(
  {
    kind: Type.Literal('s3'),
    ...common,
    endpoint: Type.Optional(text('S3 endpoint URL (`https://s3.vast.example`). Absent: AWS S3.')),
    signing_region: Type.Optional(text('SigV4 signing region. Default: `region`, else `us-east-1`.')),
    bucket: text('Bucket holding the media objects.'),
    key_prefix: Type.Optional(
      Type.String({ description: 'Prepended to storage paths to form object keys.' }),
    ),
    force_path_style: Type.Optional(Type.Boolean({ description: '`https://host/bucket/key` URLs (MinIO).' })),
    create_bucket: Type.Optional(Type.Boolean({ description: 'Create the bucket at startup when missing.' })),
    public_base_url: Type.Optional(
      text('Unsigned URL of the bucket (public bucket or CDN): direct `get_urls`.'),
    ),
    conditional_put: Type.Optional(
      Type.Boolean({
        description:
          'PUT URLs require `If-None-Match: *` (in put_url.headers), so objects are written once. Default true; false for clients that ignore put_url.headers.',
      }),
    ),
    checksums: Type.Optional(
      Type.Enum(['when_required', 'when_supported'], {
        description: 'SDK request/response checksums. Default `when_required` (VAST, MinIO).',
      }),
    ),
    access_key_id: Type.Optional(text('Access key id.')),
    access_key_id_env: envName('Environment variable holding the access key id.'),
    secret_access_key: Type.Optional(text('Secret access key (prefer `secret_access_key_env`).')),
    secret_access_key_env: envName('Environment variable holding the secret access key.'),
    session_token: Type.Optional(text('Session token of temporary credentials.')),
    session_token_env: envName('Environment variable holding the session token.'),
  },
  { additionalProperties: false },
);

export const FsBackendSchema = Type.Object(
  {
    kind: Type.Literal('fs'),
    ...common,
    root: Type.Optional(text('Directory of the objects. Default: TAMS_MEDIA_DIR.')),
  },
  { additionalProperties: false },
);

/** The whole list, for documentation (parsing checks each entry against its kind's schema). */
export const StorageBackendsSchema = Type.Array(Type.Union([S3BackendSchema, FsBackendSchema]), {
  minItems: 1,
});

export type S3BackendEntry = Static<typeof S3BackendSchema>;
export type FsBackendEntry = Static<typeof FsBackendSchema>;
export type StorageBackendEntry = S3BackendEntry | FsBackendEntry;
type Env = Record<string, string | undefined>;

export class StorageBackendsError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid storage backends:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'StorageBackendsError';
  }
}

const SCHEMAS = { s3: S3BackendSchema, fs: FsBackendSchema } as const;
const SECRETS = new Set(['access_key_id', 'secret_access_key', 'session_token']);
const CREDENTIALS = ['access_key_id', 'secret_access_key', 'session_token'] as const;

function shown(field: string, value: unknown): string {
  return SECRETS.has(field) ? '' : ` (got ${JSON.stringify(value)})`;
}

/** TypeBox errors of one entry as `<at>.<field>: <problem>` lines. */
function schemaProblems(kind: 's3' | 'fs', entry: Record<string, unknown>, at: string): string[] {
  const problems: string[] = [];
  for (const error of Value.Errors(SCHEMAS[kind], entry)) {
    const field = error.instancePath.replace(/^\//, '').replace(/\//g, '.');
    const params = error.params as Record<string, unknown>;
    const [top, tag] = error.instancePath.split('/').slice(1);
    if (top === 'tags' && tag !== undefined) {
      // One line per tag, whichever of the value's alternatives the errors name.
      const name = tag.replaceAll('~1', '/').replaceAll('~0', '~');
      const line = `${at}.tags.${name}: must be a string or a list of strings`;
      if (!problems.includes(line)) problems.push(line);
    } else if (error.keyword === 'required') {
      for (const name of params.requiredProperties as string[]) problems.push(`${at}.${name}: is required`);
    } else if (error.keyword === 'additionalProperties') {
      for (const name of params.additionalProperties as string[]) {
        problems.push(`${at}.${name}: is not a setting of ${kind} backends`);
      }
    } else if (error.keyword === 'boolean') {
      // The additionalProperties error above already names the field.
    } else if (error.keyword === 'pattern' && params.pattern === UUID_PATTERN) {
      problems.push(`${at}.${field}: must be a UUID${shown(field, entry[field])}`);
    } else if (error.keyword === 'pattern' && params.pattern === ENV_NAME) {
      problems.push(`${at}.${field}: must be an environment variable name${shown(field, entry[field])}`);
    } else if (error.keyword === 'enum') {
      const allowed = (params.allowedValues as string[]).join(', ');
      problems.push(`${at}.${field}: must be one of ${allowed}${shown(field, entry[field])}`);
    } else if (error.keyword === 'minLength') {
      problems.push(`${at}.${field}: must not be empty`);
    } else {
      problems.push(`${at}.${field}: ${error.message}${shown(field, entry[field])}`);
    }
  }
  return problems;
}

function urlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an http(s) URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http(s) URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials';
  if (url.search !== '' || url.hash !== '') return 'must have no query or fragment';
  return undefined;
}

/** A URL as it may be shown: a password in it is a secret like any other. */
function withoutUserinfo(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#@]*@/i, '$1***@');
}

/** Checks the schema leaves to code: credentials and their env references, URLs, key prefix. */
function s3Problems(entry: Record<string, unknown>, at: string, env: Env): string[] {
  const problems: string[] = [];
  for (const name of CREDENTIALS) {
    const literal = entry[name] !== undefined;
    const ref = entry[`${name}_env`];
    if (literal && ref !== undefined) problems.push(`${at}: give ${name} or ${name}_env, not both`);
    else if (!literal && ref === undefined && name !== 'session_token') {
      problems.push(`${at}: ${name} or ${name}_env is required`);
    } else if (typeof ref === 'string' && (env[ref] ?? '') === '') {
      problems.push(`${at}.${name}_env: environment variable ${ref} is not set`);
    }
  }
  for (const name of ['endpoint', 'public_base_url']) {
    const problem = urlProblem(entry[name]);
    if (problem) problems.push(`${at}.${name}: ${problem}${shown(name, withoutUserinfo(entry[name]))}`);
  }
  const prefix = entry.key_prefix;
  const problem = typeof prefix === 'string' ? prefixProblem(prefix) : undefined;
  if (problem) problems.push(`${at}.key_prefix: ${problem}`);
  if (typeof entry.bucket === 'string' && /[/\s]/.test(entry.bucket)) {
    problems.push(`${at}.bucket: must not contain "/" or spaces${shown('bucket', entry.bucket)}`);
  }
  return problems;
}

/** Problems across entries: ids and labels unique, one default, one fs backend (one /media route). */
function listProblems(entries: (Record<string, unknown> | undefined)[], source: string): string[] {
  const problems: string[] = [];
  for (const field of ['id', 'label']) {
    const seen = new Map<unknown, number>();
    entries.forEach((entry, i) => {
      const value = entry?.[field];
      if (value === undefined) return;
      const first = seen.get(value);
      if (first === undefined) seen.set(value, i);
      else
        problems.push(
          `${source}[${i}].${field}: ${JSON.stringify(value)} is already used by ${source}[${first}]`,
        );
    });
  }
  const defaults = entries.flatMap((e, i) => (e?.default === true ? [`${source}[${i}]`] : []));
  if (defaults.length > 1)
    problems.push(`${source}: only one backend can be the default (${defaults.join(', ')})`);
  const fs = entries.flatMap((e, i) => (e?.kind === 'fs' ? [`${source}[${i}]`] : []));
  if (fs.length > 1) problems.push(`${source}: at most one fs backend can be served (${fs.join(', ')})`);
  return problems;
}

/** Validates a parsed backend list; `source` names it in messages (a setting or a file). */
export function checkStorageBackends(
  value: unknown,
  source: string,
  env: Env = process.env,
): { entries: StorageBackendEntry[]; problems: string[] } {
  if (!Array.isArray(value))
    return { entries: [], problems: [`${source}: must be a JSON array of backends`] };
  if (value.length === 0) return { entries: [], problems: [`${source}: must list at least one backend`] };
  const problems: string[] = [];
  const objects = value.map((entry: unknown) =>
    typeof entry === 'object' && entry !== null && !Array.isArray(entry)
      ? (entry as Record<string, unknown>)
      : undefined,
  );
  objects.forEach((object, i) => {
    const at = `${source}[${i}]`;
    if (object === undefined) {
      problems.push(`${at}: must be an object`);
      return;
    }
    if (object.kind !== 's3' && object.kind !== 'fs') {
      problems.push(`${at}.kind: must be "s3" or "fs"${shown('kind', object.kind)}`);
      return;
    }
    problems.push(...schemaProblems(object.kind, object, at));
    if (object.kind === 's3') problems.push(...s3Problems(object, at, env));
  });
  problems.push(...listProblems(objects, source));
  return { entries: problems.length === 0 ? (value as StorageBackendEntry[]) : [], problems };
}

/**
 * JSON.parse's complaint without the text it quotes: for an unexpected token V8 cites the token
 * and an excerpt of the input (`Unexpected token ''', ..."cess_key":'wJalrXUtn"... is not valid
 * JSON`), which may be part of a secret. Messages with a position quote nothing and stay whole.
 */
function jsonSyntaxProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const unquoted = message
    .split(/,?\s*(?:\.\.\.)?"/)[0]
    ?.replace(/\s*'.*'$/s, '')
    .trim();
  return unquoted === undefined || unquoted === '' ? 'syntax error' : unquoted;
}

/** Parses the JSON text of a backend list; throws StorageBackendsError listing every problem. */
export function parseStorageBackends(
  json: string,
  source: string,
  env: Env = process.env,
): StorageBackendEntry[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    throw new StorageBackendsError([`${source}: not valid JSON (${jsonSyntaxProblem(error)})`]);
  }
  const { entries, problems } = checkStorageBackends(value, source, env);
  if (problems.length > 0) throw new StorageBackendsError(problems);
  return entries;
}

/**
 * The backend list of TAMS_STORAGE_BACKENDS (JSON) or TAMS_STORAGE_BACKENDS_FILE (a path), or
 * undefined when neither is set (the deployment then runs the embedded fs store alone).
 */
export function loadStorageBackends(
  settings: { json: string; file: string },
  env: Env = process.env,
): StorageBackendEntry[] | undefined {
  if (settings.json !== '' && settings.file !== '') {
    throw new StorageBackendsError([
      'TAMS_STORAGE_BACKENDS and TAMS_STORAGE_BACKENDS_FILE are both set: use one of them',
    ]);
  }
  if (settings.json !== '') return parseStorageBackends(settings.json, 'TAMS_STORAGE_BACKENDS', env);
  if (settings.file === '') return undefined;
  let json: string;
  try {
    json = readFileSync(settings.file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new StorageBackendsError([`TAMS_STORAGE_BACKENDS_FILE: cannot read ${settings.file} (${reason})`]);
  }
  return parseStorageBackends(json, settings.file, env);
}

export interface MediaStoresContext {
  /** Where `_env` credential references are read. Default process.env. */
  env?: Env;
  /** Key signing the fs backend's URLs; required when an fs backend is configured. */
  fsSecret?: Buffer;
  /** Directory of an fs backend that names no root. */
  fsRoot: string;
  fsMaxObjectBytes?: number;
}

function descriptorOf(entry: StorageBackendEntry, lone: boolean): StorageBackendDescriptor {
  const descriptor: StorageBackendDescriptor = {
    id: entry.id,
    label: entry.label,
    store_type: 'http_object_store',
    provider: entry.provider,
    store_product: entry.store_product,
    default_storage: entry.default ?? lone,
  };
  if (entry.region !== undefined) descriptor.region = entry.region;
  if (entry.availability_zone !== undefined) descriptor.availability_zone = entry.availability_zone;
  if (entry.tags !== undefined) descriptor.tags = entry.tags;
  return descriptor;
}

function credential(entry: S3BackendEntry, name: (typeof CREDENTIALS)[number], env: Env): string | undefined {
  const ref = entry[`${name}_env`];
  const value = ref !== undefined ? env[ref] : entry[name];
  if (ref !== undefined && (value ?? '') === '') {
    throw new Error(`storage backend ${entry.label}: environment variable ${ref} is not set`);
  }
  return value;
}

function requiredCredential(
  entry: S3BackendEntry,
  name: 'access_key_id' | 'secret_access_key',
  env: Env,
): string {
  const value = credential(entry, name, env);
  if (value === undefined)
    throw new Error(`storage backend ${entry.label}: ${name} or ${name}_env is required`);
  return value;
}

async function createStore(entry: StorageBackendEntry, lone: boolean, context: MediaStoresContext) {
  const descriptor = descriptorOf(entry, lone);
  if (entry.kind === 'fs') {
    if (context.fsSecret === undefined) throw new Error('an fs storage backend needs the media URL secret');
    return createFsMediaStore({
      root: entry.root ?? context.fsRoot,
      secret: context.fsSecret,
      maxObjectBytes: context.fsMaxObjectBytes,
      descriptor,
    });
  }
  const env = context.env ?? process.env;
  return createS3MediaStore({
    descriptor,
    endpoint: entry.endpoint,
    region: entry.signing_region ?? entry.region ?? 'us-east-1',
    bucket: entry.bucket,
    keyPrefix: entry.key_prefix,
    forcePathStyle: entry.force_path_style,
    createBucket: entry.create_bucket,
    publicBaseUrl: entry.public_base_url,
    conditionalPut: entry.conditional_put,
    checksums: entry.checksums === 'when_supported' ? 'WHEN_SUPPORTED' : 'WHEN_REQUIRED',
    credentials: {
      accessKeyId: requiredCredential(entry, 'access_key_id', env),
      secretAccessKey: requiredCredential(entry, 'secret_access_key', env),
      sessionToken: credential(entry, 'session_token', env),
    },
  });
}

/**
 * Builds and checks every backend (S3 buckets are reached, and created when allowed), in parallel.
 * Fails listing every backend that could not start, after closing the others.
 */
export async function createMediaStores(
  entries: readonly StorageBackendEntry[],
  context: MediaStoresContext,
): Promise<MediaStore[]> {
  const results = await Promise.allSettled(entries.map((e) => createStore(e, entries.length === 1, context)));
  const stores = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failures = results.flatMap((r) =>
    r.status === 'rejected' ? [String((r.reason as Error).message)] : [],
  );
  if (failures.length === 0) return stores;
  await Promise.all(stores.map((s) => s.close()));
  throw new Error(`storage backends failed to start:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
}
