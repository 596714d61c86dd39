/**
 * tams-mgmt replicate against a real server over HTTP (workers off: only what the API does at
 * once). The commands go through a loopback proxy that keeps the bodies posted, so the test sees
 * the origin's credentials leave the environment for the server, and never come back: not in the
 * command's output, not in the API's documents. The server pages lists by two, so `list` follows
 * pages, and it requires a token, read once from standard input however many pages there are.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runMgmt } from '../../mgmt/mgmt.cli.ts';
import { listenOnLoopback } from '../../tools/loopback.ts';
import { runCli } from '../helpers/cli.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { type Doc, expectError, uuid } from '../http/fixtures.ts';

const TOKEN = 'mgmt-replicate-admin-token-0123456789';
const SECRET = 'origin-secret-never-printed-5c1d9e';
// Admitted by the allow-list and never asked: no worker runs.
const ORIGIN = 'http://127.0.0.1:9/tams/v8.2';
const AUTH = { headers: { authorization: `Bearer ${TOKEN}` } };

let server: TestServer;
let proxy: Server;
let proxyUrl: string;
/** Every body POSTed to /replications through the proxy. */
const posted: Doc[] = [];

beforeAll(async () => {
  server = await startServer({
    workers: false,
    env: {
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      TAMS_REPLICATION: 'true',
      TAMS_REPLICATION_ALLOW: '127.0.0.1',
      TAMS_PAGE_LIMIT_DEFAULT: '2',
      TAMS_PAGE_LIMIT_MAX: '2',
    },
  });
  proxy = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    if (req.method === 'POST' && req.url === '/replications') posted.push(JSON.parse(body) as Doc);
    const headers: Record<string, string> = {};
    for (const name of ['authorization', 'content-type']) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    const answer = await fetch(new URL(req.url ?? '/', server.url), {
      method: req.method,
      headers,
      ...(body !== '' && { body }),
    });
    const out: Record<string, string> = {};
    for (const name of ['content-type', 'link']) {
      const value = answer.headers.get(name);
      if (value !== null) out[name] = value;
    }
    res.writeHead(answer.status, out).end(await answer.text());
  });
  await listenOnLoopback(proxy, 0);
  proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => proxy?.close(resolve));
  await server?.close();
});

/** tams-mgmt replicate <argv> --server <proxy>, with the server's token and `env` besides. */
const replicate = (argv: readonly string[], env: Record<string, string> = {}) =>
  runCli(['replicate', ...argv, '--server', proxyUrl], {
    env: { TAMS_LOG_LEVEL: 'silent', TAMS_TOKEN: TOKEN, ...env },
  });

async function made(argv: readonly string[] = ['--flow', uuid()]): Promise<string> {
  const run = await replicate(['start', '--origin', ORIGIN, ...argv, '--json']);
  expect(run.code, run.err).toBe(0);
  return (JSON.parse(run.out) as Doc).id as string;
}

interface StartCase {
  /** The kind of credentials, as the job shows them. */
  name: string;
  env: Record<string, string>;
  args: string[];
  /** `origin.auth` in the body sent. */
  sent: Doc | undefined;
  shown: Doc;
}

describe('tams-mgmt replicate start', () => {
  const flow = uuid();
  const source = uuid();
  it.each<StartCase>([
    {
      name: 'basic',
      env: { TAMS_ORIGIN_USERNAME: 'ops', TAMS_ORIGIN_PASSWORD: SECRET },
      args: ['--flow', flow, '--copy', '--once', '--mirror-deletions', '--map-ids', '--label', 'site B'],
      sent: { type: 'basic', username: 'ops', password: SECRET },
      shown: {
        select: { flow_id: flow },
        media: 'copy',
        follow: false,
        mirror_deletions: true,
        ids: 'map',
        label: 'site B',
      },
    },
    {
      name: 'bearer',
      env: { TAMS_ORIGIN_TOKEN: SECRET },
      args: ['--tag', 'channel=one', '--tag', 'site=b=2'],
      sent: { type: 'bearer', token: SECRET },
      shown: { select: { tags: { channel: 'one', site: 'b=2' } }, media: 'reference', follow: true },
    },
    {
      name: 'client_credentials',
      env: {
        TAMS_ORIGIN_TOKEN_URL: 'http://127.0.0.1:9/token',
        TAMS_ORIGIN_CLIENT_ID: 'replicator',
        TAMS_ORIGIN_CLIENT_SECRET: SECRET,
        TAMS_ORIGIN_SCOPE: 'tams.read',
      },
      args: ['--source', source],
      sent: {
        type: 'client_credentials',
        token_url: 'http://127.0.0.1:9/token',
        client_id: 'replicator',
        client_secret: SECRET,
        scope: 'tams.read',
      },
      shown: { select: { source_id: source }, mirror_deletions: false, ids: 'keep' },
    },
    { name: 'none', env: {}, args: ['--flow', flow], sent: undefined, shown: { select: { flow_id: flow } } },
  ])('sends $name credentials from the environment, and never shows them', async (c) => {
    const run = await replicate(['start', '--origin', ORIGIN, ...c.args, '--json'], c.env);
    expect(run.code, run.err).toBe(0);
    expect((posted.at(-1)?.origin as Doc | undefined)?.auth).toEqual(c.sent);
    const job = JSON.parse(run.out) as Doc;
    expect(job).toMatchObject({
      ...c.shown,
      origin: { url: ORIGIN, auth: c.name },
      want: 'run',
      state: 'waiting',
      flows: 0,
      segments_copied: 0,
    });
    const got = await server.get(`/replications/${job.id as string}`, AUTH);
    expect(got.body).toEqual(job);
    expect(`${run.out}${run.err}${got.text}`).not.toContain(SECRET);
  });

  it('prints one line without --json; the list of every job holds no secret either', async () => {
    const run = await replicate(['start', '--origin', ORIGIN, '--flow', uuid()], {
      TAMS_ORIGIN_TOKEN: SECRET,
    });
    expect(run.code, run.err).toBe(0);
    const id = /^Replication (\S+): \1 waiting (\S+): 0 segments copied\n$/.exec(run.out);
    expect(id?.[2], run.out).toBe(ORIGIN);
    const listed = await replicate(['list', '--json']);
    expect(listed.code, listed.err).toBe(0);
    expect((JSON.parse(listed.out) as Doc[]).map((j) => j.id)).toContain(id?.[1]);
    expect(listed.out).not.toContain(SECRET);
  });

  it('says the server refused an origin the allow-list does not admit', async () => {
    const jobs = async () => (JSON.parse((await replicate(['list', '--json'])).out) as Doc[]).length;
    const before = await jobs();
    const run = await replicate(['start', '--origin', 'http://169.254.169.254/', '--flow', uuid()]);
    expect(run.code).toBe(1);
    expect(run.err).toMatch(
      /^tams-mgmt: the server refused: 400 origin\.url: 169\.254\.169\.254 .*linkLocal.*TAMS_REPLICATION_ALLOW/,
    );
    expect(await jobs()).toBe(before);
  });

  const start = ['--origin', ORIGIN, '--flow', uuid()];
  it.each([
    ['no --origin', ['--flow', uuid()], {}, /--origin <url> is required/],
    [
      'no selection',
      ['--origin', ORIGIN],
      {},
      /what to follow is required: --flow <id>, --source <id> or --tag/,
    ],
    ['--flow and --tag', [...start, '--tag', 'a=b'], {}, /--flow and --tag: give one selection/],
    ['--flow and --source', [...start, '--source', uuid()], {}, /--flow and --source: give one/],
    [
      'a --tag without =',
      ['--origin', ORIGIN, '--tag', 'channel'],
      {},
      /--tag "channel": takes <name>=<value>/,
    ],
    ['a --tag twice', ['--origin', ORIGIN, '--tag', 'a=1', '--tag', 'a=2'], {}, /--tag a is given twice/],
    ['--storage without --copy', [...start, '--storage', uuid()], {}, /--storage .* needs --copy/],
    [
      'bearer and basic',
      start,
      { TAMS_ORIGIN_TOKEN: SECRET, TAMS_ORIGIN_USERNAME: 'ops', TAMS_ORIGIN_PASSWORD: SECRET },
      /TAMS_ORIGIN_TOKEN \(bearer\) and TAMS_ORIGIN_USERNAME, TAMS_ORIGIN_PASSWORD \(basic\) name different ways/,
    ],
    [
      'basic and client credentials, in part',
      start,
      { TAMS_ORIGIN_PASSWORD: SECRET, TAMS_ORIGIN_CLIENT_SECRET: SECRET },
      /name different ways to authenticate at the origin/,
    ],
    ['a username alone', start, { TAMS_ORIGIN_USERNAME: 'ops' }, /also needs TAMS_ORIGIN_PASSWORD/],
    [
      'client credentials without a token URL',
      start,
      { TAMS_ORIGIN_CLIENT_ID: 'replicator', TAMS_ORIGIN_CLIENT_SECRET: SECRET },
      /also need TAMS_ORIGIN_TOKEN_URL \(client_credentials/,
    ],
    [
      'a scope alone',
      start,
      { TAMS_ORIGIN_SCOPE: 'tams.read' },
      /TAMS_ORIGIN_SCOPE also needs TAMS_ORIGIN_TOKEN_URL, TAMS_ORIGIN_CLIENT_ID and TAMS_ORIGIN_CLIENT_SECRET/,
    ],
  ])('%s is wrong usage, sent nowhere', async (_name, args, env: Record<string, string>, why) => {
    const before = posted.length;
    const run = await replicate(['start', ...args], env);
    expect(run.code, run.err).toBe(2);
    expect(run.err).toMatch(why);
    expect(run.err).not.toContain(SECRET);
    expect(posted.length).toBe(before);
  });

  it('needs --server', async () => {
    const run = await runCli(['replicate', 'list'], { env: { TAMS_LOG_LEVEL: 'silent' } });
    expect(run.code).toBe(2);
    expect(run.err).toContain('replicate: --server <url> is required');
  });
});

describe('tams-mgmt replicate list|show|flows|pause|resume|delete', () => {
  it('lists every job over pages, with the token read once from standard input', async () => {
    const ids = [await made(), await made(), await made()];
    const listed = await replicate(['list']);
    expect(listed.code, listed.err).toBe(0);
    for (const id of ids) expect(listed.out).toContain(`${id} waiting ${ORIGIN}: 0 segments copied\n`);

    let reads = 0;
    let out = '';
    const code = await runMgmt(['replicate', 'list', '--server', proxyUrl, '--token-stdin'], {
      env: { TAMS_LOG_LEVEL: 'silent' },
      stdout: process.stdout,
      // As a process's standard input: read to its end once, empty after.
      stdin: async () => (reads++ === 0 ? `${TOKEN}\n` : ''),
      io: {
        out: (t) => {
          out += t;
        },
        err: (t) => {
          out += t;
        },
        interactive: false,
      },
    });
    expect(code, out).toBe(0);
    expect(out).toBe(listed.out);
    expect(reads).toBe(1);
  });

  it('shows a job and its Flows, pauses, resumes and deletes it', async () => {
    const id = await made();
    const shown = await replicate(['show', id]);
    expect(shown.code, shown.err).toBe(0);
    expect(JSON.parse(shown.out)).toEqual((await server.get(`/replications/${id}`, AUTH)).body);

    const flows = await replicate(['flows', id]);
    expect(flows.code, flows.err).toBe(0);
    expect(flows.out).toBe('No Flows followed yet.\n');
    expect(JSON.parse((await replicate(['flows', id, '--json'])).out)).toEqual([]);

    const paused = await replicate(['pause', id]);
    expect(paused.code, paused.err).toBe(0);
    expect(paused.out).toBe(`Pausing ${id} paused ${ORIGIN}: 0 segments copied\n`);
    expect((await server.get(`/replications/${id}`, AUTH)).body).toMatchObject({
      want: 'pause',
      state: 'paused',
    });

    const resumed = await replicate(['resume', id]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(resumed.out).toBe(`Resuming ${id} waiting ${ORIGIN}: 0 segments copied\n`);
    expect((await server.get(`/replications/${id}`, AUTH)).body).toMatchObject({
      want: 'run',
      state: 'waiting',
    });

    const deleted = await replicate(['delete', id]);
    expect(deleted.code, deleted.err).toBe(0);
    expect(deleted.out).toBe(
      `Deleted replication job ${id} (the Sources, Flows and segments it copied stay).\n`,
    );
    expectError(await server.get(`/replications/${id}`, AUTH), 404);
    const gone = await replicate(['show', id]);
    expect(gone.code).toBe(1);
    expect(gone.err).toMatch(/^tams-mgmt: the server refused: 404 /);
  });

  it('needs the job id', async () => {
    for (const verb of ['show', 'flows', 'pause', 'resume', 'delete']) {
      const run = await replicate([verb]);
      expect(run.code).toBe(2);
      expect(run.err).toContain(`replicate ${verb}: the job id is required`);
    }
  });
});
