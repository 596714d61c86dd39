/**
 * Replication from an origin that requires authentication (TAMS_AUTH required), over real HTTP,
 * with each kind of credentials a job can hold: an opaque API token the origin issued, a user's
 * password (HTTP Basic), and OAuth 2.0 client credentials exchanged at a real authorization server
 * (oidc-provider) for short-lived JWTs the origin checks against the provider's key set. Each job
 * copies a Flow by copy, its media read from the origin's lasting URLs, which only credentials
 * with the read scope open. The client-credentials job keeps following after its first token has
 * expired. A wrong password, a wrong client secret and a revoked token leave the job retrying with
 * a 401 (the password put right, it recovers); no secret appears in the destination's answers,
 * logs or metrics.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, basic, bearer, startAuthServer } from '../auth/auth.fixture.ts';
import { mountClient } from '../helpers/mounts.ts';
import { type HttpClient, startServer, type TestServer } from '../helpers/server.ts';
import { waitFor } from '../segments/helpers.ts';
import {
  addOriginSegments,
  fieldsOf,
  jobUntil,
  makeOrigin,
  type ReplicationJob,
  segmentsOf,
} from './replication.fixture.ts';
import {
  type AuthorizationServer,
  RESOURCE,
  SCOPE_PREFIX,
  startAuthorizationServer,
  startTap,
  type Tap,
  type Tapped,
} from './replication.oauth.fixture.ts';

type Job = ReplicationJob;

type OriginAuth =
  | { type: 'bearer'; token: string }
  | { type: 'basic'; username: string; password: string }
  | {
      type: 'client_credentials';
      token_url: string;
      client_id: string;
      client_secret: string;
      scope: string;
    };

const READER = 'reader';
const READER_PASSWORD = 'reader-password-7f3a91c2';
const LATE_READER = 'late-reader';
const LATE_PASSWORD = 'late-reader-first-password';
/** What the job is given for LATE_READER: wrong until the origin's administrator sets it. */
const LATE_WRONG = 'late-reader-password-not-yet-e41d';
const CLIENT_ID = 'tams-replicator';
/** Characters a form encoding must carry (RFC 6749 §2.3.1: client_secret_basic form-encodes). */
const CLIENT_SECRET = 'cc-secret+/:=9d2b7e61';
const WRONG_CLIENT_SECRET = 'cc-secret-not-this-one-0a5c';
/** Short enough that the job outlives its first access token within the test. */
const TOKEN_TTL_SECONDS = 4;
const SEGMENTS = 4;

let provider: AuthorizationServer;
let origin: TestServer;
let tap: Tap;
let destination: TestServer;
/** The origin's 8.2 API with its bootstrap administrator's token: the data the jobs copy. */
let admin: HttpClient;
let readToken: string;
let revokedToken: string;
const logs: string[] = [];
const jobs: string[] = [];

beforeAll(async () => {
  provider = await startAuthorizationServer({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ttlSeconds: TOKEN_TTL_SECONDS,
  });
  origin = await startAuthServer({
    TAMS_JWT_JWKS_URL: provider.jwksUrl,
    TAMS_JWT_ISSUER: provider.issuer,
    TAMS_JWT_AUDIENCE: RESOURCE,
    TAMS_JWT_SCOPE_PREFIX: SCOPE_PREFIX,
    // An expired token is refused at once, not 30 s later: the test sees the first one lapse.
    TAMS_JWT_CLOCK_TOLERANCE_SECONDS: '0',
  });
  tap = await startTap(origin.url);
  destination = await startServer({
    logLines: (line) => logs.push(line),
    env: {
      TAMS_AUTH: 'none',
      TAMS_METRICS: 'true',
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_REPLICATION_POLL_SECONDS: '0.2',
      // The suite's six jobs run at once (one replica runs four by default).
      TAMS_REPLICATION_MAX_JOBS: '8',
      TAMS_WORKER_IDLE_MS: '50',
    },
  });
  admin = withHeaders(mountClient(origin, '/tams/v8.2'), bearer(ADMIN_TOKEN));
  const accounts = origin.runtime.auth.admin;
  readToken = (await accounts.createToken({ name: 'replicator', scopes: ['read'] })).token;
  revokedToken = (await accounts.createToken({ name: 'replicator-revoked', scopes: ['read'] })).token;
  await accounts.addUser(READER, READER_PASSWORD, ['read']);
  await accounts.addUser(LATE_READER, LATE_PASSWORD, ['read']);
});

afterAll(async () => {
  await destination?.close();
  await tap?.close();
  await origin?.close();
  await provider?.close();
});

/** A client sending `headers` with every request (the fixture's helpers take a plain client). */
function withHeaders(client: HttpClient, headers: Record<string, string>): HttpClient {
  const request: HttpClient['request'] = (method, path, opts = {}) =>
    client.request(method, path, { ...opts, headers: { ...headers, ...opts.headers } });
  return {
    request,
    get: (path, opts) => request('GET', path, opts),
    head: (path, opts) => request('HEAD', path, opts),
    put: (path, body, opts) => request('PUT', path, { ...opts, body }),
    post: (path, body, opts) => request('POST', path, { ...opts, body }),
    delete: (path, opts) => request('DELETE', path, opts),
  };
}

/** A new origin Flow with SEGMENTS segments, and a job copying it (through the tap) with `auth`. */
async function replicate(auth: OriginAuth): Promise<{ job: Job; flowId: string }> {
  const flowId = (await makeOrigin(admin)).video;
  await addOriginSegments(admin, flowId, 0, SEGMENTS);
  const res = await destination.post<Job>('/replications', {
    origin: { url: `${tap.url}/tams/v8.2`, auth },
    select: { flow_id: flowId },
    media: 'copy',
  });
  expect(res.status, res.text).toBe(201);
  jobs.push(res.body.id);
  return { job: res.body, flowId };
}

/** The segments here equal the origin's, and every object's bytes were read from the origin. */
async function expectCopied(flowId: string): Promise<void> {
  const want = await segmentsOf(admin, flowId, { include_object_timerange: 'true' });
  const got = await segmentsOf(mountClient(destination, '/tams/v8.2'), flowId, {
    include_object_timerange: 'true',
  });
  expect(got.map(fieldsOf)).toEqual(want.map(fieldsOf));
  for (const [i, segment] of got.entries()) {
    const ours = urlOf(segment, () => true);
    expect(ours.startsWith(destination.url)).toBe(true);
    // The origin's presigned URL, read directly: the tap is not in the way of the test's reads.
    const theirs = urlOf(want[i] ?? {}, (u) => u.presigned === true);
    const [here, there] = await Promise.all([fetch(ours), fetch(theirs)]);
    expect(Buffer.from(await here.arrayBuffer())).toEqual(Buffer.from(await there.arrayBuffer()));
  }
}

/** The first of a segment's get_urls that `which` accepts. */
function urlOf(segment: Record<string, unknown>, which: (u: { presigned?: boolean }) => boolean): string {
  const urls = (segment.get_urls ?? []) as { url: string; presigned?: boolean }[];
  const url = urls.find(which)?.url;
  if (url === undefined) throw new Error(`segment ${String(segment.timerange)} has no such get_url`);
  return url;
}

/** Media GETs of the origin's lasting (unsigned) URLs that passed the tap. */
const lastingMedia = (t: Tapped) => t.method === 'GET' && t.url.startsWith('/media/') && !t.presigned;

/** Each object copied was read once from its lasting URL with the job's credentials, and opened. */
function expectMediaWith(job: Job, carried: (authorization: string | undefined) => boolean): void {
  const reads = tap.seen.filter((t) => lastingMedia(t) && carried(t.authorization) && t.status === 200);
  expect(job.objects_copied).toBeGreaterThan(0);
  expect(reads).toHaveLength(job.objects_copied);
}

describe('an opaque API token', () => {
  it('copies a Flow, its media read with the token', async () => {
    const { job, flowId } = await replicate({ type: 'bearer', token: readToken });
    const done = await jobUntil(
      destination,
      job.id,
      (j) => j.state === 'following' && j.segments_copied === SEGMENTS,
    );
    expect(done.origin.auth).toBe('bearer');
    expect(done.last_error).toBeUndefined();
    await expectCopied(flowId);
    expectMediaWith(done, (a) => a === `Bearer ${readToken}`);
    // Every request the job made was let through by the token's read scope, but a webhook
    // registration (it needs write too: the job then follows by polling) and the presigned URLs
    // the tap refuses.
    const refused = tap.seen.filter(
      (t) =>
        t.authorization === `Bearer ${readToken}` &&
        t.status >= 400 &&
        !t.presigned &&
        !(t.method === 'POST' && t.url === '/tams/v8.2/service/webhooks'),
    );
    expect(refused.map((t) => `${t.method} ${t.url} ${t.status}`)).toEqual([]);
  });

  it('is what opens the origin’s lasting media URLs: none open without it', async () => {
    const read = tap.seen.find((t) => lastingMedia(t) && t.status === 200) as Tapped;
    const url = `${origin.url}${read.url}`;
    expect((await fetch(url)).status).toBe(401);
    expect((await fetch(url, { headers: bearer(readToken) })).status).toBe(200);
  });
});

describe('a user’s password (HTTP Basic)', () => {
  it('copies a Flow, its media read with the password', async () => {
    const credentials = basic(READER, READER_PASSWORD).authorization;
    const { job, flowId } = await replicate({
      type: 'basic',
      username: READER,
      password: READER_PASSWORD,
    });
    const done = await jobUntil(
      destination,
      job.id,
      (j) => j.state === 'following' && j.segments_copied === SEGMENTS,
    );
    expect(done.origin.auth).toBe('basic');
    await expectCopied(flowId);
    expectMediaWith(done, (a) => a === credentials);
  });
});

describe('OAuth 2.0 client credentials', () => {
  let job: Job;
  let flowId: string;
  const jwt = (a: string | undefined) =>
    a?.startsWith('Bearer ') === true && provider.issued().includes(a.slice('Bearer '.length));

  it('copies a Flow with the provider’s access tokens', async () => {
    ({ job, flowId } = await replicate({
      type: 'client_credentials',
      token_url: provider.tokenUrl,
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
      scope: `${SCOPE_PREFIX}read`,
    }));
    job = await jobUntil(
      destination,
      job.id,
      (j) => j.state === 'following' && j.segments_copied === SEGMENTS,
    );
    expect(job.origin.auth).toBe('client_credentials');
    await expectCopied(flowId);
    expectMediaWith(job, jwt);
    const first = provider.issued()[0] as string;
    const claims = payloadOf(first);
    expect(claims.aud).toBe(RESOURCE);
    expect(claims.scope).toBe(`${SCOPE_PREFIX}read`);
    expect(claims.client_id).toBe(CLIENT_ID);
    // The client's secret went to the token endpoint alone, never to the origin.
    const clientBasic = Buffer.from(`${CLIENT_ID}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
    expect(tap.seen.filter((t) => t.authorization?.includes(clientBasic))).toEqual([]);
  });

  it('keeps following with new tokens once the first has expired', async () => {
    const first = provider.issued()[0] as string;
    expect(tap.seen.some((t) => t.authorization === `Bearer ${first}` && t.status === 200)).toBe(true);
    // The origin itself refuses the first token: it has lapsed, not merely aged in the client.
    await waitFor(
      'the first access token to expire',
      async () => (await admin.get('/flows', { headers: bearer(first) })).status === 401,
    );
    const seenBefore = tap.seen.length;
    await addOriginSegments(admin, flowId, 100, 3);
    const here = mountClient(destination, '/tams/v8.2');
    await waitFor('the segments added after the expiry', async () => {
      return (await segmentsOf(here, flowId)).length === SEGMENTS + 3;
    });
    // Brought by requests with tokens issued since, which the origin let through.
    const later = tap.seen.slice(seenBefore).filter((t) => jwt(t.authorization) && t.status === 200);
    expect(later.length).toBeGreaterThan(0);
    expect(later.some((t) => t.authorization === `Bearer ${first}`)).toBe(false);
    expect(provider.tokenRequests()).toBeGreaterThan(1);
    expect(provider.issued().length).toBeGreaterThan(1);
    await expectCopied(flowId);
  });
});

describe('credentials the origin refuses', () => {
  it('a wrong password: retrying with the origin’s 401, recovered once the password is set', async () => {
    const { job, flowId } = await replicate({ type: 'basic', username: LATE_READER, password: LATE_WRONG });
    const failing = await jobUntil(destination, job.id, (j) => j.state === 'retrying');
    expect(failing.last_error).toMatch(/\/tams\/v8\.2\/service answered 401/);
    expect(failing.last_error).not.toContain(LATE_WRONG);
    expect(failing.segments_copied).toBe(0);
    // The origin's administrator gives the user the password the job holds: the next try passes.
    await origin.runtime.auth.admin.setPassword(LATE_READER, LATE_WRONG);
    await jobUntil(destination, job.id, (j) => j.state === 'following' && j.segments_copied === SEGMENTS);
    await expectCopied(flowId);
  });

  it('a wrong client secret: retrying with the token endpoint’s 401', async () => {
    const { job } = await replicate({
      type: 'client_credentials',
      token_url: provider.tokenUrl,
      client_id: CLIENT_ID,
      client_secret: WRONG_CLIENT_SECRET,
      scope: `${SCOPE_PREFIX}read`,
    });
    const failing = await jobUntil(destination, job.id, (j) => j.state === 'retrying');
    expect(failing.last_error).toMatch(/token endpoint answered 401/);
    expect(failing.last_error).not.toContain(WRONG_CLIENT_SECRET);
    expect(failing.segments_copied).toBe(0);
  });

  it('a revoked token: retrying with the origin’s 401', async () => {
    const { job } = await replicate({ type: 'bearer', token: revokedToken });
    await jobUntil(destination, job.id, (j) => j.state === 'following' && j.segments_copied === SEGMENTS);
    await origin.runtime.auth.admin.revokeToken('replicator-revoked');
    const failing = await jobUntil(destination, job.id, (j) => j.state === 'retrying');
    expect(failing.last_error).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/tams\/v8\.2\/\S+ answered 401/);
    expect(failing.last_error).not.toContain(revokedToken);
  });
});

describe('the secrets', () => {
  it('appear in no answer, log line or metric of the destination', async () => {
    const secrets = [
      readToken,
      revokedToken,
      READER_PASSWORD,
      LATE_WRONG,
      CLIENT_SECRET,
      encodeURIComponent(CLIENT_SECRET),
      WRONG_CLIENT_SECRET,
      ...provider.issued(),
      // The Authorization headers themselves, as a log of a request's headers would hold them.
      ...[
        basic(READER, READER_PASSWORD),
        basic(LATE_READER, LATE_WRONG),
        basic(CLIENT_ID, encodeURIComponent(CLIENT_SECRET)),
        basic(CLIENT_ID, WRONG_CLIENT_SECRET),
      ].map((h) => h.authorization.slice('Basic '.length)),
    ];
    expect(provider.issued().length).toBeGreaterThan(1);
    const answers = [await destination.get('/replications'), await destination.get('/metrics')];
    for (const id of jobs) {
      answers.push(await destination.get(`/replications/${id}`));
      answers.push(await destination.get(`/replications/${id}/flows`));
    }
    for (const res of answers) expect(res.status).toBe(200);
    expect(answers[1]?.text).toContain('tams_replication_');
    // The failures were logged, so the log was there to leak into.
    expect(logs.some((l) => l.includes('answered 401'))).toBe(true);
    const leaks = secrets.filter((s) => [...answers.map((r) => r.text), ...logs].some((t) => t.includes(s)));
    expect(leaks).toEqual([]);
  });
});

/** A JWT's claims (its signature was the origin's to check). */
function payloadOf(token: string): Record<string, unknown> {
  const part = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
}
