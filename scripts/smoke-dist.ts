/**
 * `npm run smoke:dist`: the compiled server (dist/, from `npm run build`) run as production runs
 * it, `node dist/src/main.js`, by the Node.js that runs this script, with authentication on, from
 * a working directory outside the repository and without NODE_OPTIONS (no tsx). It checks:
 *  - dist/ holds JavaScript only and nothing in it imports tsx or a `.ts` file;
 *  - the server starts, becomes ready and reports package.json's version;
 *  - it serves the built web UI (ui/dist, `npm run build`) at /ui: the page, and its script
 *    compressed and cached as the build made it;
 *  - a Flow is created, storage allocated, bytes uploaded through the presigned URL, a segment
 *    registered and read back with the same bytes;
 *  - SIGTERM stops it with exit status 0, no error logged and nothing on stderr (where Node.js
 *    prints its deprecation and experimental-feature warnings);
 *  - restarted on the same data, the segment is still there and a write succeeds; SIGTERM again
 *    exits 0;
 *  - the compiled CLIs (dist/mgmt/main.js, dist/mgmt/main.js under both names) open that store;
 *  - started on a fresh store (no credentials yet), it prints its first-start banner, whose
 *    management command runs where the server ran and opens that store; so does the usage
 *    text's `npm run mgmt -- <command>`, in the installation's folder.
 *
 * `npm run smoke:dist -- --image <dir>`: the same against <dir> laid out as the container image's
 * /app (scripts/image-tree.sh: dist/, bin/, production dependencies only), where the CLIs run
 * through bin/tams-mgmt.mjs and bin/tams-admin.mjs, which pick dist/ there (no tsx).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { awaitListening } from '../tools/server-process.ts';

const { values: args } = parseArgs({ options: { image: { type: 'string' } } });
const ROOT = args.image === undefined ? fileURLToPath(new URL('../', import.meta.url)) : resolve(args.image);
const DIST = join(ROOT, 'dist');
const START_TIMEOUT_MS = 60_000;

type Doc = Record<string, unknown>;

interface Server {
  url: string;
  child: ChildProcess;
  logs: Doc[];
  stderr: () => string;
  exited: Promise<number | null>;
}

function log(message: string): void {
  process.stdout.write(`smoke-dist: ${message}\n`);
}

/**
 * Every file of dist/ is JavaScript that loads no TypeScript and no tsx, or a JSON module one of
 * them imports (the OpenAPI examples, src/http/openapi.examples.json), which must parse.
 */
function checkDist(): void {
  assert.ok(existsSync(join(DIST, 'src/main.js')), 'dist/src/main.js is missing: run `npm run build` first');
  const files = readdirSync(DIST, { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
  for (const file of files) {
    const path = join(file.parentPath, file.name);
    const text = readFileSync(path, 'utf8');
    if (path.endsWith('.json')) {
      assert.doesNotThrow(() => JSON.parse(text), `${path} is not JSON`);
      continue;
    }
    assert.ok(path.endsWith('.js'), `dist holds a file that is neither JavaScript nor JSON: ${path}`);
    assert.doesNotMatch(
      text,
      /from '[^']*\.ts'|import\('[^']*\.ts'\)|'tsx(\/[^']*)?'/,
      `${path} loads TypeScript`,
    );
  }
  log(`dist/: ${files.length} JavaScript and JSON files, none loading TypeScript or tsx`);
}

/** The environment without NODE_OPTIONS (which could --import tsx) or the caller's TAMS_* settings. */
function cleanEnv(settings: Record<string, string>): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(
    ([k]) => !k.startsWith('TAMS_') && k !== 'NODE_OPTIONS',
  );
  return { ...Object.fromEntries(inherited), ...settings };
}

async function startServer(cwd: string, settings: Record<string, string>): Promise<Server> {
  const child = spawn(process.execPath, ['--max-semi-space-size=32', join(DIST, 'src/main.js')], {
    cwd,
    env: cleanEnv({ TAMS_HOST: '127.0.0.1', TAMS_PORT: '0', TAMS_LOG_LEVEL: 'info', ...settings }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const { url, logs, stderr, exited } = await awaitListening(child, START_TIMEOUT_MS);
  // Listening comes before ready (the store opens, workers start): wait for the state /ready reports.
  const deadline = Date.now() + START_TIMEOUT_MS;
  while ((await fetch(`${url}/ready`)).status !== 200) {
    assert.ok(Date.now() < deadline, 'the server did not become ready');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { url, child, logs, stderr, exited };
}

async function stopServer(server: Server, label: string): Promise<void> {
  server.child.kill('SIGTERM');
  const code = await server.exited;
  assert.equal(code, 0, `${label}: exit status after SIGTERM\n${server.stderr()}`);
  const errors = server.logs.filter((entry) => Number(entry.level) >= 50);
  assert.deepEqual(errors, [], `${label}: errors logged`);
  // Node.js prints its warnings (deprecations, experimental features) on stderr; the server, nothing.
  assert.equal(server.stderr(), '', `${label}: output on stderr`);
  log(`${label}: SIGTERM, exit status 0, no error logged`);
}

function client(server: Server, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    return { status: res.status, body: text === '' ? undefined : JSON.parse(text) };
  };
}

function videoFlow(): Doc {
  return {
    id: randomUUID(),
    label: 'smoke test camera',
    source_id: randomUUID(),
    format: 'urn:x-nmos:format:video',
    codec: 'video/h264',
    container: 'video/mp2t',
    essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
  };
}

/** /ui/ is the built page; the script it names comes brotli-compressed and cached for good. */
async function uiBack(server: Server): Promise<void> {
  const page = await fetch(`${server.url}/ui/`);
  assert.equal(page.status, 200, 'GET /ui/');
  assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
  const html = await page.text();
  const script = /<script type="module" crossorigin src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
  assert.ok(script, 'the page names its script');
  const asset = await fetch(`${server.url}${script}`, { headers: { 'accept-encoding': 'br' } });
  assert.equal(asset.status, 200, `GET ${script}`);
  assert.equal(asset.headers.get('content-encoding'), 'br', `${script} is sent brotli-compressed`);
  assert.match(asset.headers.get('cache-control') ?? '', /immutable/);
  log(`web UI served at /ui (${script}, brotli, immutable)`);
}

/** The flow's segments hold exactly one, and its presigned URL gives back `bytes`. */
async function readBack(api: ReturnType<typeof client>, flowId: string, bytes: Buffer): Promise<void> {
  const listed = await api('GET', `/flows/${flowId}/segments`);
  assert.equal(listed.status, 200);
  const segments = listed.body as { timerange: string; get_urls?: { url: string; presigned?: boolean }[] }[];
  assert.equal(segments.length, 1);
  assert.equal(segments[0]?.timerange, '[0:0_10:0)');
  const url = segments[0]?.get_urls?.find((u) => u.presigned)?.url;
  assert.ok(url, 'the segment has a presigned get_url');
  const got = await fetch(url);
  assert.equal(got.status, 200);
  assert.ok(Buffer.from(await got.arrayBuffer()).equals(bytes), 'the bytes read back differ');
}

/**
 * Media search finds the Flow by its label once the index has followed the outbox; with an
 * embedding model (the repository's .models, not the image's tree) by meaning too, which runs
 * the compiled embedding thread.
 */
async function searchBack(api: ReturnType<typeof client>, flowId: string): Promise<void> {
  let status: { up_to_date?: boolean; embeddings?: string } = {};
  for (let i = 0; i < 600 && !status.up_to_date; i++) {
    const res = await api('GET', '/search/status');
    assert.equal(res.status, 200);
    status = res.body as typeof status;
    if (!status.up_to_date) await new Promise((r) => setTimeout(r, 50));
  }
  assert.ok(status.up_to_date, 'the search index caught up');
  const modes = status.embeddings === undefined ? ['keyword'] : ['keyword', 'semantic'];
  for (const mode of modes) {
    const found = await api(
      'GET',
      `/search?q=${encodeURIComponent('smoke test camera')}&mode=${mode}&kind=flow`,
    );
    assert.equal(found.status, 200, `search ${mode}: ${JSON.stringify(found.body)}`);
    assert.equal((found.body as { hits: { flow_id?: string }[] }).hits[0]?.flow_id, flowId, `search ${mode}`);
  }
  log(
    `media search finds the Flow (${modes.join(', ')}${status.embeddings ? `, ${status.embeddings}` : ''})`,
  );
}

/** A CLI: its bin in the image's tree (where the bin picks dist/), else its compiled entry. */
function runCli(bin: string, entry: string, cliArgs: string[], settings: Record<string, string>): string {
  const file = args.image === undefined ? join(DIST, entry) : join(ROOT, 'bin', bin);
  const run = spawnSync(process.execPath, [file, ...cliArgs], {
    cwd: tmpdir(),
    env: cleanEnv(settings),
    encoding: 'utf8',
  });
  const line = `${relative(ROOT, file)} ${cliArgs.join(' ')}`;
  assert.equal(run.status, 0, `${line}: exit status ${run.status}\n${run.stderr}`);
  log(`${line}: exit status 0`);
  return run.stdout;
}

/** `command` run by a POSIX shell in `cwd`, as a person pastes it; its output. */
function runShell(command: string, cwd: string, settings: Record<string, string>): string {
  const run = spawnSync('sh', ['-c', command], { cwd, env: cleanEnv(settings), encoding: 'utf8' });
  assert.equal(run.status, 0, `${command} (in ${cwd}): exit status ${run.status}\n${run.stderr}`);
  log(`${command} (in ${cwd}): exit status 0`);
  return run.stdout;
}

/**
 * The first start on a store without credentials: the banner on stderr names a management
 * command, which must run where the server ran (the image's /app, or any other folder) and
 * open its store once it is stopped; and the usage text's `npm run mgmt` must run in the
 * installation's folder.
 */
async function bannerBack(work: string): Promise<void> {
  // The image's server runs in /app (its WORKDIR); run from elsewhere, the banner names the
  // CLI by its absolute path.
  const cwd = args.image === undefined ? work : ROOT;
  const settings = { TAMS_DATA_DIR: join(work, 'first-start') };
  const server = await startServer(cwd, settings);
  server.child.kill('SIGTERM');
  assert.equal(await server.exited, 0, `first start: exit status after SIGTERM\n${server.stderr()}`);
  const banner = server.stderr();
  const cli = /^ {3}(node \S+) help$/m.exec(banner)?.[1];
  assert.ok(cli, `the first-start banner names the management CLI:\n${banner}`);
  const usage = runShell(`${cli} help`, cwd, settings);
  const tokens = runShell(`${cli} token list`, cwd, settings);
  assert.match(tokens, /first-admin/, "the banner's CLI lists the first token");
  const npmRun = /\((npm run mgmt --) <command> \[options\]\)/.exec(usage)?.[1];
  assert.ok(npmRun, `the usage names npm run mgmt:\n${usage}`);
  assert.match(runShell(`${npmRun} token list`, ROOT, settings), /first-admin/, 'npm run mgmt lists it too');
  log("first start: the banner's management command and the usage's npm run mgmt work here");
}

async function main(): Promise<void> {
  log(`node ${process.version}, ${ROOT}`);
  checkDist();
  const version = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version as string;
  const work = mkdtempSync(join(tmpdir(), 'tams-smoke-dist-'));
  const token = randomBytes(24).toString('base64url');
  const settings = { TAMS_DATA_DIR: join(work, 'data'), TAMS_BOOTSTRAP_ADMIN_TOKEN: token };
  try {
    const first = await startServer(work, settings);
    log(`started at ${first.url}, ready`);
    let api = client(first, token);
    const service = await api('GET', '/service');
    assert.equal(service.status, 200);
    assert.equal((service.body as Doc).service_version, version, 'service_version is package.json version');
    await uiBack(first);

    const flow = videoFlow();
    assert.equal((await api('PUT', `/flows/${flow.id}`, flow)).status, 201);
    const alloc = await api('POST', `/flows/${flow.id}/storage`, { limit: 1 });
    assert.equal(alloc.status, 201);
    const object = (alloc.body as { media_objects: { object_id: string; put_url: { url: string } }[] })
      .media_objects[0];
    assert.ok(object, 'one media object allocated');
    const bytes = randomBytes(64 * 1024);
    const put = await fetch(object.put_url.url, {
      method: 'PUT',
      headers: { 'content-type': 'video/mp2t' },
      body: bytes,
    });
    assert.equal(put.status, 200, 'upload through the presigned put_url');
    const segment = { object_id: object.object_id, timerange: '[0:0_10:0)' };
    assert.equal((await api('POST', `/flows/${flow.id}/segments`, segment)).status, 201);
    await readBack(api, flow.id as string, bytes);
    log('Flow created, storage allocated, object uploaded, segment registered and read back');
    await searchBack(api, flow.id as string);
    await stopServer(first, 'first start');

    const second = await startServer(work, settings);
    api = client(second, token);
    await readBack(api, flow.id as string, bytes);
    const another = videoFlow();
    assert.equal((await api('PUT', `/flows/${another.id}`, another)).status, 201);
    log('restarted: the segment is there, a new Flow is written');
    await stopServer(second, 'restart');

    runCli('tams-mgmt.mjs', 'mgmt/main.js', ['verify'], settings);
    const tokens = runCli('tams-admin.mjs', 'mgmt/main.js', ['token', 'list', '--json'], settings);
    assert.match(
      JSON.stringify(JSON.parse(tokens)),
      /bootstrap-admin/,
      'tams-admin lists the bootstrap token',
    );
    await bannerBack(work);
    log('passed');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
