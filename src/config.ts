import { existsSync } from 'node:fs';
import { type Static, Type } from 'typebox';
import { Value } from 'typebox/value';
import { analyticsSettings } from './analytics/analytics.config.ts';
import { authConfigProblems } from './auth/auth.config.check.ts';
import { authSettings } from './auth/auth.config.ts';
import { backupSettings } from './backup/backup.config.ts';
import { isUuid } from './common/ids.ts';
import { postgresConfigProblems, postgresSettings } from './config.postgres.ts';
import { eventSettings } from './events/events.config.ts';
import { exrSettings } from './exr/exr.config.ts';
import { hlsSettings } from './hls/hls.config.ts';
import { clientUrlConfigProblems } from './media/media.client-urls.ts';
import { loadStorageBackends, StorageBackendsError } from './media/media.config.ts';
import { opsSettings } from './ops/ops.config.ts';
import { recorderSettings } from './recorder/recorder.config.ts';
import { replicationSettings } from './replication/replication.config.ts';
import { searchConfigProblems, searchSettings } from './search/search.config.ts';
import { uiConfigProblems } from './ui/ui.bootstrap.ts';
import { uiSettings } from './ui/ui.config.ts';

/**
 * Every TAMS_* setting, one schema: docs/configuration.md's table is generated from it (npm run
 * config:docs) and startup fails listing every invalid value. Env values are strings, converted by
 * the schema.
 */
export const ConfigSchema = Type.Object({
  TAMS_HOST: Type.String({
    default: '127.0.0.1',
    description:
      "Address the HTTP server listens on. The default, the loopback address, serves this machine only: the API answers with an admin token's powers to whoever holds one, so listening on other interfaces is a choice (`0.0.0.0` for every IPv4 interface, `::` for every interface, or one address). The container image and the Helm chart set `0.0.0.0`.",
  }),
  TAMS_PORT: Type.Integer({
    default: 8000,
    minimum: 0,
    maximum: 65535,
    description: 'Port the HTTP server listens on (0 picks a free port).',
  }),
  TAMS_PUBLIC_URL: Type.String({
    default: '',
    description:
      "Base URL clients use to reach this server (e.g. `https://tams.example.com`), used in `Link` headers and media URLs. Empty: derived from each request's `Host`.",
  }),
  TAMS_TRUST_PROXY: Type.Boolean({
    default: false,
    description:
      'Trust `X-Forwarded-*` headers from a reverse proxy: for the public URL, and for the client address HTTP Basic failures are counted by. Only behind a proxy that sets them: otherwise clients choose their own address.',
  }),
  // One literal per engine of src/db/engine.factory.ts (EngineName).
  TAMS_DB: Type.Union([Type.Literal('duckdb'), Type.Literal('vast'), Type.Literal('postgres')], {
    default: 'duckdb',
    description:
      'Metadata engine: `duckdb`, the embedded DuckDB file `tams.duckdb` in `TAMS_DATA_DIR` (one process at a time); `vast`, VAST DataBase over its tabular HTTP API (`TAMS_VAST_*`); `postgres`, a PostgreSQL database (`TAMS_POSTGRES_*`). Several processes may share a VAST or PostgreSQL database.',
  }),
  TAMS_VAST_ENDPOINTS: Type.String({
    default: '',
    description:
      "VAST DataBase endpoints (with `TAMS_DB=vast`): comma-separated `http(s)://host[:port]` URLs, the cluster's VIPs, used in turn; one that refuses a connection is skipped for `TAMS_VAST_ENDPOINT_COOLDOWN_MS`.",
  }),
  TAMS_VAST_ACCESS_KEY: Type.String({
    default: '',
    description: 'VAST S3 access key the database calls are signed with (SigV4).',
  }),
  TAMS_VAST_SECRET_KEY: Type.String({ default: '', description: 'VAST S3 secret key (never logged).' }),
  TAMS_VAST_BUCKET: Type.String({
    default: '',
    description: 'The VAST database: a bucket (view) with the database capability.',
  }),
  TAMS_VAST_SCHEMA: Type.String({
    default: 'tams',
    description: "Schema inside `TAMS_VAST_BUCKET` holding the server's tables.",
  }),
  TAMS_VAST_REGION: Type.String({
    default: '',
    description:
      "SigV4 region of the signatures. Empty, as VAST's Python SDK signs; VAST has no regions (its Java client signs with a configured one, e.g. `us-east-1`).",
  }),
  TAMS_VAST_CA_FILE: Type.String({
    default: '',
    description: "PEM file of the CA certificates trusted for `https` endpoints (instead of Node's list).",
  }),
  TAMS_VAST_TLS_INSECURE: Type.Boolean({
    default: false,
    description: 'Accept any certificate from `https` endpoints (test clusters only).',
  }),
  TAMS_VAST_CONNECT_TIMEOUT_MS: Type.Integer({
    default: 5000,
    minimum: 1,
    description: 'Longest wait for a connection to a VAST endpoint to open.',
  }),
  TAMS_VAST_REQUEST_TIMEOUT_MS: Type.Integer({
    default: 30000,
    minimum: 1,
    description:
      'Longest silence of a VAST call under way (sending, waiting for the answer, between parts of it).',
  }),
  TAMS_VAST_IDLE_TIMEOUT_MS: Type.Integer({
    default: 15000,
    minimum: 1,
    description: 'How long an unused keep-alive connection to VAST stays open.',
  }),
  TAMS_VAST_KEEP_ALIVE_MS: Type.Integer({
    default: 20000,
    minimum: 100,
    description:
      "How often an open VAST transaction is kept alive (`GET /?transaction`). It must stay well below the idle time after which the cluster ends a transaction (not published; at least 60 s, as VAST's Java client keeps them alive that often); at a third of that timeout or less, one keep-alive may be lost. `tams-mgmt vast check` tells whether a transaction idle for twice this survives.",
  }),
  TAMS_VAST_CONNECTIONS: Type.Integer({
    default: 16,
    minimum: 1,
    description: 'Connections per VAST endpoint at most; further calls wait for one.',
  }),
  TAMS_VAST_RETRY_ATTEMPTS: Type.Integer({
    default: 5,
    minimum: 1,
    description:
      'Tries of one VAST call at most: reads are retried after 503 (SlowDown or not) and lost connections, with exponential backoff and jitter; writes never once they may have arrived.',
  }),
  TAMS_VAST_RETRY_MAX_MS: Type.Integer({
    default: 10000,
    minimum: 0,
    description: 'Time one VAST call may spend retrying; past it the API answers 503 with `Retry-After`.',
  }),
  TAMS_VAST_ENDPOINT_COOLDOWN_MS: Type.Integer({
    default: 5000,
    minimum: 0,
    description: 'How long a VAST endpoint that refused a connection is skipped before being tried again.',
  }),
  TAMS_VAST_READ_SNAPSHOT_MS: Type.Integer({
    default: 50,
    minimum: 0,
    description:
      "How long reads may share one VAST read transaction (a snapshot), sparing each a begin and a commit. A write this process committed ends the shared snapshot, so a request that starts after a write was acknowledged sees it; a write committed by another process (a management command, another replica) may be missed by reads for this long. 0: every request's reads begin their own transaction.",
  }),
  // PostgreSQL: TAMS_POSTGRES_* (src/config.postgres.ts).
  ...postgresSettings,
  TAMS_DATA_DIR: Type.String({
    default: './data',
    description: 'Directory of the embedded engine: the DuckDB file (`tams.duckdb`) lives here.',
  }),
  TAMS_LOG_LEVEL: Type.Union(
    ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
    { default: 'info', description: 'pino log level.' },
  ),
  TAMS_SERVICE_NAME: Type.String({
    default: 'tams-server',
    description: 'Initial service `name` in `/service` (POST /service changes it; the change persists).',
  }),
  TAMS_SERVICE_DESCRIPTION: Type.String({
    default: 'Time-addressable Media Store',
    description: 'Initial service `description` in `/service`.',
  }),
  TAMS_PAGE_LIMIT_DEFAULT: Type.Integer({
    default: 100,
    minimum: 1,
    description: 'Page size of listings when the client gives no `limit`.',
  }),
  TAMS_PAGE_LIMIT_MAX: Type.Integer({
    default: 1000,
    minimum: 1,
    description: 'Largest page size granted; larger `limit` values are reduced (see `X-Paging-Limit`).',
  }),
  TAMS_SWAGGER_UI: Type.Boolean({ default: true, description: 'Serve Swagger UI at `/docs`.' }),
  TAMS_STORAGE_BACKENDS: Type.String({
    default: '',
    description:
      'Storage backends as a JSON list (S3: VAST, MinIO, AWS; and/or the embedded `fs` store), each with its read-only `tags` if any (shown by TAMS 8.2); see [Storage](storage.md). Empty, with no `TAMS_STORAGE_BACKENDS_FILE`: the embedded fs store alone.',
  }),
  TAMS_STORAGE_BACKENDS_FILE: Type.String({
    default: '',
    description: 'Path of a JSON file holding the storage backend list (instead of `TAMS_STORAGE_BACKENDS`).',
  }),
  TAMS_DUCKDB_MEMORY_LIMIT: Type.String({
    default: 'auto',
    pattern: '^([0-9]+(\\.[0-9]+)?\\s*(B|KB|MB|GB|TB|KiB|MiB|GiB|TiB)|[Aa][Uu][Tt][Oo])$',
    description:
      "Memory DuckDB may use for its buffers (the embedded engine); the server keeps its own caches besides. `auto`: 40 % of the memory the process may use (its container's limit, else the machine's), at least 512 MiB. The search index needs about 0.5 KB per embedded cue at a checkpoint; a limit too small for it stops the database (see [Media search](search.md#how-it-is-stored)).",
  }),
  TAMS_DUCKDB_THREADS: Type.Integer({
    default: 2,
    minimum: 1,
    description: 'Threads DuckDB runs queries on (the embedded engine).',
  }),
  TAMS_DUCKDB_CHECKPOINT_MB: Type.Integer({
    default: 64,
    minimum: 1,
    description:
      'WAL size (MiB) at which the embedded engine checkpoints its database file (DuckDB alone: 16). Larger: fewer checkpoints, each longer (writes wait for it), cheaper per segment under sustained ingest; more memory held until the checkpoint and a longer replay after a crash.',
  }),
  TAMS_DUCKDB_JOURNAL: Type.Boolean({
    default: true,
    description:
      "Commit transactions that only append rows (segment registrations, their references and events) through the embedded engine's append journal, `<data dir>/tams.duckdb.journal` (one write and one fdatasync per group of registrations), and give them to DuckDB in batches in the background; every read of those tables takes them first, so nothing reads differently. false: each such transaction commits in DuckDB itself (several times slower for single-segment POSTs: [history](benchmarks-history.md#the-append-journal-2026-11-25-session-39)); a journal file a crash left is applied at the start (server or tams-mgmt) whatever this setting, then removed.",
  }),
  TAMS_DUCKDB_JOURNAL_APPLY_MS: Type.Integer({
    default: 200,
    minimum: 1,
    description:
      'Longest time (ms) an append committed through the journal (TAMS_DUCKDB_JOURNAL) waits before the engine gives it to DuckDB; a read of its tables takes it at once. Larger: bigger batches, cheaper per segment, and the outbox readers (webhooks, event streams, search, EXR, object sizes) trail ingest by up to this much more.',
  }),
  TAMS_TRANSACTION_GUARD: Type.Boolean({
    default: false,
    description:
      "Make a nested transaction, or a write outside a transaction's session while it runs, fail at once instead of waiting for itself forever: a check for the server's own code, on in its test runs. It marks each transaction's async work, which on Node before 24 slows every request (single-segment POSTs 12-15 %: [session 44](benchmarks-history.md#single-posts-that-ran-out-of-objects-the-transaction-guard-and-where-the-post-ratios-stand-2026-11-26-session-44)); from Node 24 it costs next to nothing and is always on.",
  }),
  TAMS_SEGMENT_INDEX_MEMORY_MB: Type.Integer({
    default: 512,
    minimum: 1,
    description:
      "Memory (MiB, estimated) the embedded engine's in-memory segment indexes may hold together (about 37 bytes a segment: 512 MiB holds ~14 million). A Flow's index is loaded in the background when the Flow is first read (or written anywhere but after its end), and the least recently used ones are dropped beyond this; a Flow not loaded is answered from the database. Unused with VAST.",
  }),
  TAMS_SEGMENT_INDEX_WARMUP_PERCENT: Type.Integer({
    default: 75,
    minimum: 0,
    maximum: 100,
    description:
      'After start, the embedded engine loads the segment indexes of the most recently written Flows in the background until they hold this share of `TAMS_SEGMENT_INDEX_MEMORY_MB` (readiness does not wait for it). 0: none.',
  }),
  TAMS_MEDIA_DIR: Type.String({
    default: '',
    description:
      'Directory of the embedded media store (the `fs` storage backend). Empty: `media/` under `TAMS_DATA_DIR`.',
  }),
  TAMS_MEDIA_SECRET: Type.String({
    default: '',
    description:
      "Key (32+ characters) signing the embedded media store's presigned URLs. Empty: a random key generated once and kept in the store.",
  }),
  TAMS_FS_STORAGE_ID: Type.String({
    default: '',
    description:
      'Storage backend id (a UUID) of the embedded media store when no backend list is given. Empty: a random id generated once and kept in the store.',
  }),
  TAMS_FS_STORAGE_LABEL: Type.String({
    default: 'local',
    description:
      'Label of the embedded media store in `/service/storage-backends` and in `get_urls` labels, when no backend list is given.',
  }),
  TAMS_MEDIA_MAX_OBJECT_BYTES: Type.Integer({
    default: 5 * 1024 ** 3,
    minimum: 1,
    description: 'Largest object the embedded media store accepts in one PUT.',
  }),
  TAMS_PRESIGN_EXPIRY_SECONDS: Type.Integer({
    default: 3600,
    minimum: 1,
    maximum: 7 * 24 * 3600,
    description:
      "Validity of presigned `put_url` and `get_urls`, in seconds: TAMS 8.2's `min_presigned_url_timeout`. 8.2 asks for 30 or more, and no more than `TAMS_UNUSED_OBJECT_GRACE_SECONDS`; other values start with a warning.",
  }),
  TAMS_CLIENT_URL_HOSTS_ALLOW: Type.String({
    default: '',
    description:
      'Hosts the URLs clients register for others to read (segment `get_urls`, TAMS 8.2 uncontrolled object instances) may name, comma-separated: host names, `*.example.com` (any name under it), IP addresses, CIDR ranges (`10.0.0.0/8`). Compared as the URL writes the host (names are not resolved). Other hosts are refused (400). Empty: any host. Whatever the lists, only `http` and `https` URLs are taken; see [Storage](storage.md#urls-clients-register).',
  }),
  TAMS_CLIENT_URL_HOSTS_DENY: Type.String({
    default: '',
    description:
      'Hosts client-registered URLs may not name, in the form of `TAMS_CLIENT_URL_HOSTS_ALLOW`; checked first (a host on both lists is refused).',
  }),
  TAMS_STORAGE_LIMIT_DEFAULT: Type.Integer({
    default: 10,
    minimum: 1,
    description: 'Objects allocated by `POST /flows/{id}/storage` when the request gives no `limit`.',
  }),
  TAMS_STORAGE_LIMIT_MAX: Type.Integer({
    default: 1000,
    minimum: 1,
    description: 'Most objects one `POST /flows/{id}/storage` allocates.',
  }),
  TAMS_DELETE_SYNC_LIMIT: Type.Integer({
    default: 10000,
    minimum: 0,
    description:
      'Flow and segment deletions of up to this many segments finish within the request (204); larger ones answer 202 with a deletion request finished in the background.',
  }),
  TAMS_DELETE_CHUNK: Type.Integer({
    default: 5000,
    minimum: 1,
    description: 'Segments the background deletion worker removes per transaction.',
  }),
  TAMS_DELETE_RETENTION_SECONDS: Type.Integer({
    default: 86400,
    minimum: 1,
    description:
      'How long finished deletion requests stay visible at `/flow-delete-requests` (their `expiry`).',
  }),
  TAMS_UNUSED_OBJECT_GRACE_SECONDS: Type.Integer({
    default: 86400,
    minimum: 1,
    description:
      "Objects allocated by `POST /flows/{id}/storage` and not used by any segment for this long are deleted, bytes included (abandoned uploads): TAMS 8.2's `min_object_timeout`. 8.2 asks for 300 or more; other values start with a warning.",
  }),
  TAMS_WORKER_IDLE_MS: Type.Integer({
    default: 1000,
    minimum: 10,
    description:
      'How often idle background workers (deletion, media garbage collection, webhook delivery) look for work; webhook delivery also reads registrations made by other replicas this often. A step that fails is tried again after this long, doubled at each failure in a row up to 32 times.',
  }),
  TAMS_WORKER_LEASE_SECONDS: Type.Integer({
    default: 60,
    minimum: 1,
    maximum: 3600,
    description:
      "How long a replica holds the background work it claimed (a deletion request, a webhook's delivery, the media garbage collection, a copy of an object made for TAMS 8.2) without renewing it: the holder renews it as it goes, and when a replica dies another takes the work over after this long.",
  }),
  // Authentication: TAMS_AUTH, TAMS_BOOTSTRAP_*, TAMS_JWT_* (src/auth/auth.config.ts).
  ...authSettings,
  // Operations: TAMS_METRICS, TAMS_READY_TIMEOUT_MS, TAMS_SHUTDOWN_TIMEOUT_SECONDS (src/ops/ops.config.ts).
  ...opsSettings,
  // Events and webhooks (src/events/events.config.ts).
  ...eventSettings,
  // Media search (src/search/search.config.ts).
  ...searchSettings,
  // EXR metadata (src/exr/exr.config.ts).
  ...exrSettings,
  ...recorderSettings,
  // Replication between stores (src/replication/replication.config.ts).
  ...replicationSettings,
  // Analytics (src/analytics/analytics.config.ts).
  ...analyticsSettings,
  // HLS playback (src/hls/hls.config.ts).
  ...hlsSettings,
  // The web UI (src/ui/ui.config.ts).
  ...uiSettings,
  // Backups of the embedded store (src/backup/backup.config.ts).
  ...backupSettings,
});

export type Config = Static<typeof ConfigSchema>;

/** The endpoints of TAMS_VAST_ENDPOINTS, trimmed, empty items dropped. */
export function vastEndpoints(value: string): string[] {
  return value
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
}

/** What makes the VAST settings unusable (read only with TAMS_DB=vast). */
export function vastConfigProblems(config: Config): string[] {
  const problems: string[] = [];
  const endpoints = vastEndpoints(config.TAMS_VAST_ENDPOINTS);
  if (endpoints.length === 0) problems.push('TAMS_VAST_ENDPOINTS: at least one endpoint URL is required');
  for (const endpoint of endpoints) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    // Only scheme, host and port: credentials belong in the key settings, never in a URL that
    // errors and logs repeat.
    const plain =
      url &&
      (url.protocol === 'http:' || url.protocol === 'https:') &&
      url.username === '' &&
      url.password === '' &&
      (url.pathname === '/' || url.pathname === '') &&
      url.search === '' &&
      url.hash === '';
    if (!plain)
      problems.push(
        `TAMS_VAST_ENDPOINTS: ${JSON.stringify(endpoint.replace(/\/\/[^@/]*@/, '//***@'))} is not an http(s)://host[:port] URL`,
      );
  }
  for (const key of [
    'TAMS_VAST_ACCESS_KEY',
    'TAMS_VAST_SECRET_KEY',
    'TAMS_VAST_BUCKET',
    'TAMS_VAST_SCHEMA',
  ] as const) {
    if (config[key].trim() === '') problems.push(`${key}: required with TAMS_DB=vast`);
  }
  if (config.TAMS_VAST_CA_FILE !== '' && !existsSync(config.TAMS_VAST_CA_FILE)) {
    problems.push(`TAMS_VAST_CA_FILE: no such file ${JSON.stringify(config.TAMS_VAST_CA_FILE)}`);
  }
  if (config.TAMS_VAST_CA_FILE !== '' && config.TAMS_VAST_TLS_INSECURE) {
    problems.push('TAMS_VAST_CA_FILE and TAMS_VAST_TLS_INSECURE: choose one');
  }
  return problems;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const keys = Object.keys(ConfigSchema.properties) as (keyof Config)[];

/** Parses the TAMS_* variables of `env`; throws ConfigError naming every invalid value. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const key of keys) {
    if (env[key] !== undefined) raw[key] = env[key];
  }
  const converted = Value.Default(ConfigSchema, Value.Convert(ConfigSchema, raw)) as Record<string, unknown>;
  for (const key of keys) {
    const schema = ConfigSchema.properties[key];
    if (!Value.Check(schema, converted[key])) {
      problems.push(
        `${key}: ${describeExpected(schema)} (got ${JSON.stringify(raw[key] ?? converted[key])})`,
      );
    }
  }
  const config = converted as Config;
  if (problems.length === 0 && config.TAMS_PAGE_LIMIT_DEFAULT > config.TAMS_PAGE_LIMIT_MAX) {
    problems.push('TAMS_PAGE_LIMIT_DEFAULT: must not exceed TAMS_PAGE_LIMIT_MAX');
  }
  if (problems.length === 0 && config.TAMS_STORAGE_LIMIT_DEFAULT > config.TAMS_STORAGE_LIMIT_MAX) {
    problems.push('TAMS_STORAGE_LIMIT_DEFAULT: must not exceed TAMS_STORAGE_LIMIT_MAX');
  }
  if (config.TAMS_MEDIA_SECRET !== '' && config.TAMS_MEDIA_SECRET.length < 32) {
    problems.push('TAMS_MEDIA_SECRET: must be at least 32 characters');
  }
  if (config.TAMS_FS_STORAGE_ID !== '' && !isUuid(config.TAMS_FS_STORAGE_ID)) {
    problems.push(`TAMS_FS_STORAGE_ID: must be a UUID (got ${JSON.stringify(config.TAMS_FS_STORAGE_ID)})`);
  }
  if (config.TAMS_PUBLIC_URL !== '' && !/^https?:\/\/[^/]+(\/.*)?$/.test(config.TAMS_PUBLIC_URL)) {
    problems.push(`TAMS_PUBLIC_URL: must be an http(s) URL (got ${JSON.stringify(config.TAMS_PUBLIC_URL)})`);
  }
  problems.push(
    ...clientUrlConfigProblems({
      allow: config.TAMS_CLIENT_URL_HOSTS_ALLOW,
      deny: config.TAMS_CLIENT_URL_HOSTS_DENY,
    }),
  );
  problems.push(...authConfigProblems(config));
  problems.push(...searchConfigProblems(config));
  problems.push(...uiConfigProblems(config));
  if (config.TAMS_DB === 'vast') problems.push(...vastConfigProblems(config));
  if (config.TAMS_DB === 'postgres') problems.push(...postgresConfigProblems(config));
  if (problems.length === 0) {
    try {
      loadStorageBackends(
        { json: config.TAMS_STORAGE_BACKENDS, file: config.TAMS_STORAGE_BACKENDS_FILE },
        env,
      );
    } catch (error) {
      if (!(error instanceof StorageBackendsError)) throw error;
      problems.push(...error.problems);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/**
 * TAMS_* variables that are not settings: likely typos, reported as warnings rather than errors
 * because platforms inject variables of their own (Kubernetes service links, for one).
 */
export function unknownSettings(env: Record<string, string | undefined> = process.env): string[] {
  return Object.keys(env).filter((name) => name.startsWith('TAMS_') && !(keys as string[]).includes(name));
}

interface SchemaLike {
  type?: string;
  pattern?: string;
  anyOf?: { const?: unknown }[];
  minimum?: number;
  maximum?: number;
}

export function describeExpected(schema: SchemaLike): string {
  if (schema.anyOf) return `must be one of ${schema.anyOf.map((s) => String(s.const)).join(', ')}`;
  if (schema.pattern !== undefined) return `must match ${schema.pattern}`;
  const bounds = [
    schema.minimum !== undefined ? `>= ${schema.minimum}` : '',
    schema.maximum !== undefined ? `<= ${schema.maximum}` : '',
  ].filter(Boolean);
  const kind = schema.type === 'boolean' ? 'true or false' : (schema.type ?? 'a value');
  return `must be ${kind === 'integer' ? 'an integer' : kind}${bounds.length ? ` ${bounds.join(' and ')}` : ''}`;
}
