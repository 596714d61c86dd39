/**
 * The scopes every route is meant to need, declared by hand and compared with what the app
 * registered (auth.matrix.test.ts): a route added without a declaration here fails that test.
 *
 * Reads (GET, HEAD) need `read` and are not listed, unless they need something else. Every other
 * route is listed: before adding one, look at what its answer reveals. A write whose answer is
 * what the caller sent (ids, times, its own allocations added) needs `write`; a write whose answer
 * is stored metadata the caller did not send needs `read` as well, or it would reach by POST what
 * GET refuses it.
 */
import type { Scope } from '../../src/auth/auth.model.ts';
import { pathInMount } from '../../src/http/api.version.ts';

const ADMIN: Scope[] = ['admin'];
const WRITE: Scope[] = ['write'];
const DELETE: Scope[] = ['delete'];
const READ_WRITE: Scope[] = ['read', 'write'];

/** A Flow or Source property: PUT writes it, DELETE removes it (GET and HEAD read it). */
const property = (url: string): [string, Scope[]][] => [
  [`PUT ${url}`, WRITE],
  [`DELETE ${url}`, DELETE],
];

export const DECLARED_SCOPES: ReadonlyMap<string, readonly Scope[]> = new Map<string, readonly Scope[]>([
  // Any valid credentials: what the server makes of them.
  ['GET /auth/whoami', []],
  ['HEAD /auth/whoami', []],
  // Service settings, users and tokens.
  ['POST /service', ADMIN],
  ['GET /auth/users', ADMIN],
  ['HEAD /auth/users', ADMIN],
  ['POST /auth/users', ADMIN],
  ['PUT /auth/users/:name/password', ADMIN],
  ['DELETE /auth/users/:name', ADMIN],
  ['GET /auth/tokens', ADMIN],
  ['HEAD /auth/tokens', ADMIN],
  ['POST /auth/tokens', ADMIN],
  ['DELETE /auth/tokens/:id', ADMIN],
  // Backups of the embedded store (src/backup/backup.routes.ts).
  ['POST /backups', ADMIN],
  // The support bundle (src/support/support.routes.ts).
  ['GET /support/bundle', ADMIN],

  // Writes answering with what the caller sent, or nothing.
  ...property('/sources/:sourceId/tags/:name'),
  ...property('/sources/:sourceId/description'),
  ...property('/sources/:sourceId/label'),
  ['PUT /flows/:flowId', WRITE], // 201: the Flow as sent, with created/created_by
  ...property('/flows/:flowId/tags/:name'),
  ...property('/flows/:flowId/description'),
  ...property('/flows/:flowId/label'),
  ...property('/flows/:flowId/flow_collection'),
  ...property('/flows/:flowId/max_bit_rate'),
  ...property('/flows/:flowId/avg_bit_rate'),
  ['PUT /flows/:flowId/read_only', WRITE],
  ['POST /flows/:flowId/segments', WRITE], // 200: the failed segments among those sent
  ['POST /flows/:flowId/storage', WRITE], // the caller's new objects and their put URLs
  ['PUT /media/*', WRITE], // the embedded store's uploads (a presigned URL is needed anyway)
  ['POST /search/transcripts', WRITE], // 201: the transcript as sent
  ['POST /service/profiles/:profileId', WRITE], // 201: the Profile as sent, with created (TAMS 8.2)

  // Writes answering with stored metadata.
  ['POST /service/webhooks', READ_WRITE], // the webhook then receives what readers see
  ['PUT /service/webhooks/:webhookId', READ_WRITE], // 8.2: as POST, answered with the webhook
  ['POST /objects/:objectId/instances', READ_WRITE], // 8.2: a copy reads the object for the caller
  ['POST /recordings', WRITE], // the job as sent, with its ids
  ['POST /recordings/:id/stop', READ_WRITE], // the stored job
  ['POST /recordings/:id/start', READ_WRITE],
  ['DELETE /recordings/:id', DELETE],
  ['POST /replications', READ_WRITE], // the stored job (its origin's version, counts)
  ['POST /replications/:id/pause', READ_WRITE],
  ['POST /replications/:id/resume', READ_WRITE],
  ['DELETE /replications/:id', DELETE],
  ['POST /exr/inspect', READ_WRITE], // the catalogue's record: channels, attributes, Flows using it
  ['POST /search/transcripts/:transcriptId/publish', READ_WRITE], // the transcript's metadata

  // Deletes (202: the deletion request made, as the TAMS spec has it).
  ['DELETE /flows/:flowId', DELETE],
  ['DELETE /flows/:flowId/segments', DELETE],
  ['DELETE /service/webhooks/:webhookId', DELETE], // 8.2: 204
  ['DELETE /objects/:objectId/instances', DELETE], // 8.2: 204; a copy's bytes go
  ['DELETE /search/transcripts/:transcriptId', DELETE],
]);

/**
 * What a route is declared to need: its entry, or `read` for a read; undefined: undeclared. A
 * route of an API mount (`/tams/v7.0/...`: src/http/api.version.ts) needs what its path within
 * the mount is declared to need at the root.
 */
export function declaredScopes(method: string, url: string): readonly Scope[] | undefined {
  return (
    DECLARED_SCOPES.get(`${method} ${pathInMount(url)}`) ??
    (method === 'GET' || method === 'HEAD' ? ['read'] : undefined)
  );
}

/**
 * The routes open without credentials: the API's documentation, the web UI's files and the
 * operations routes (see src/auth/auth.hook.ts), and where a replication origin delivers a job's
 * events (they carry the job's key instead); an API mount's route by its path within it.
 */
export const PUBLIC_URLS: readonly RegExp[] = [
  /^\/openapi\.json$/,
  /^\/docs(\/.*)?$/,
  /^\/ui(\/.*)?$/,
  /^\/(health|ready|metrics)$/,
  /^\/replications\/:id\/events$/,
];
