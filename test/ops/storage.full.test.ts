/**
 * The data directory's disk full under a running server (issue 45, item 15), on a real small
 * file system (a tmpfs mounted for the test, as root or through sudo). Writes are refused at once
 * with 507 and a TAMS error body, never a 500 or a hang; reads keep answering with every
 * acknowledged segment; /ready says why it is not ready and a metric shows it; once space is freed the server
 * takes writes again by itself; and after a kill every acknowledged segment is there.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { WAIT_MS } from '../helpers/deadlines.ts';
import { type HttpClient, httpClient } from '../helpers/server.ts';
import { allocate, allSegments, newFlow, objectIds, secs, waitFor } from '../segments/helpers.ts';
import { type ChildServer, spawnServer } from './child.ts';

/**
 * Mounts a tmpfs of `size` on a new directory, owned by this process's user: as root, or through
 * `sudo -n` (as .ci/run installs packages when it is not root). Undefined when neither may; under
 * CI that fails the file instead, so the check cannot pass by being skipped.
 */
function mountTmpfs(size: string): { path: string; unmount(): void } | undefined {
  const uid = process.getuid?.();
  const gid = process.getgid?.();
  if (uid === undefined || gid === undefined) return undefined;
  const as = (command: string, args: string[]) =>
    uid === 0
      ? execFileSync(command, args, { stdio: 'ignore' })
      : execFileSync('sudo', ['-n', command, ...args], { stdio: 'ignore' });
  const path = mkdtempSync(join(tmpdir(), 'tams-full-'));
  try {
    as('mount', ['-t', 'tmpfs', '-o', `size=${size},uid=${uid},gid=${gid},mode=0700`, 'tmpfs', path]);
  } catch (error) {
    rmSync(path, { recursive: true, force: true });
    if (process.env.CI)
      throw new Error(`cannot mount a tmpfs for the disk-full test (root or sudo -n needed): ${error}`);
    return undefined;
  }
  return {
    path,
    unmount: () => {
      as('umount', [path]);
      rmSync(path, { recursive: true, force: true });
    },
  };
}

/** Writes a file until the disk refuses (ENOSPC), leaving nothing free. */
function fill(path: string): void {
  for (const chunk of [2 ** 20, 2 ** 14, 512, 1]) {
    try {
      for (;;) appendFileSync(path, Buffer.alloc(chunk, 1));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
    }
  }
}

const disk = mountTmpfs('32m');
/**
 * Every request of the test gets its answer within this, or the test fails: the hang this test
 * guards against lasted for good (rebuilds of the store's cache waiting on each other), and a
 * request on a loaded machine answers well within it.
 */
const ANSWER_MS = WAIT_MS;

function timed(http: HttpClient): HttpClient {
  const signal = () => AbortSignal.timeout(ANSWER_MS);
  return {
    request: (method, path, options) => http.request(method, path, { ...options, signal: signal() }),
    get: (path, options) => http.get(path, { ...options, signal: signal() }),
    head: (path, options) => http.head(path, { ...options, signal: signal() }),
    put: (path, body, options) => http.put(path, body, { ...options, signal: signal() }),
    post: (path, body, options) => http.post(path, body, { ...options, signal: signal() }),
    delete: (path, options) => http.delete(path, { ...options, signal: signal() }),
  };
}

describe.skipIf(disk === undefined)('the data directory disk full (a real tmpfs)', () => {
  const dir = disk?.path ?? '';
  let child: ChildServer | undefined;
  afterAll(async () => {
    child?.process.kill('SIGKILL');
    await child?.exited;
    disk?.unmount();
  });

  it('refuses writes with 507 at once, keeps reads and every acknowledged segment, and recovers', async () => {
    child = await spawnServer({ TAMS_DATA_DIR: dir });
    const http = timed(httpClient(child.url));
    const flowId = await newFlow(http);
    const ids = await objectIds(http, flowId, 400);
    const [upload] = await allocate(http, flowId, { limit: 1 });
    const acked: string[] = [];
    const post = async (i: number) => {
      const res = await http.post(`/flows/${flowId}/segments`, {
        object_id: ids[i],
        timerange: secs(i, i + 1),
      });
      if (res.status === 201) {
        acked.push(ids[i] as string);
        // POSTs side by side answer in any order; the Flow lists its segments in time order,
        // which is the ids' order (segment i at second i).
        acked.sort((a, b) => ids.indexOf(a) - ids.indexOf(b));
      }
      return res;
    };
    for (let i = 0; i < 20; i++) expect((await post(i)).status).toBe(201);

    const filler = join(dir, 'filler');
    fill(filler);
    // Side by side, as ingest clients post: each acknowledged or refused, at once; until refused
    // (registrations may still be acknowledged through the journal, written in place, until
    // DuckDB fails to take them: a read of their tables makes it try at once).
    const refused: { status: number; body: unknown }[] = [];
    for (let i = 20; i < 400 && refused.length === 0; i += 10) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, k) => post(i + k)));
      for (const res of answers) {
        expect([201, 507], res.text).toContain(res.status);
        if (res.status === 507) refused.push(res);
      }
      expect((await http.get(`/objects/${acked.at(-1)}`)).status).toBe(200);
    }
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.body).toMatchObject({
      type: 'InsufficientStorage',
      summary: expect.stringContaining('the disk holding its files is full'),
      message: expect.any(String),
      time: expect.any(String),
    });
    // Other writes too, while reads answer with every acknowledged segment.
    expect((await http.post(`/flows/${flowId}/storage`, { limit: 1 })).status).toBe(507);
    expect((await http.put(`/flows/${flowId}/label`, JSON.stringify('full'))).status).toBe(507);
    const put = await fetch(upload?.put_url.url ?? '', {
      method: 'PUT',
      headers: { 'content-type': upload?.put_url['content-type'] ?? '' },
      body: Buffer.alloc(64 * 1024, 7),
      signal: AbortSignal.timeout(ANSWER_MS),
    });
    expect(put.status, await put.clone().text()).toBe(507);
    expect(await put.json()).toMatchObject({ type: 'InsufficientStorage' });
    expect((await allSegments(http, flowId)).map((s) => s.object_id)).toEqual(acked);
    expect((await http.get(`/objects/${acked.at(-1)}`)).status).toBe(200);
    expect((await http.get(`/flows/${flowId}`)).status).toBe(200);
    expect((await http.get('/health')).status).toBe(200);
    const ready = await http.get<{ summary: string }>('/ready');
    expect(ready.status).toBe(503);
    expect(ready.body.summary).toMatch(/storage "DuckDB files": DuckDB refuses writes, reads go on: .*full/);
    expect((await http.get('/metrics')).text).toMatch(/^tams_storage_writes_refused 1$/m);

    // Space freed: the server finds it by itself and takes writes again.
    rmSync(filler);
    await waitFor('ready again', async () => (await http.get('/ready')).status === 200, 60_000);
    expect((await http.get('/metrics')).text).toMatch(/^tams_storage_writes_refused 0$/m);
    const next = acked.length === 0 ? 0 : ids.indexOf(acked.at(-1) as string) + 1;
    expect((await post(next + 100)).status).toBe(201);
    expect((await allSegments(http, flowId)).map((s) => s.object_id)).toEqual(acked);

    // Killed: every acknowledged segment is there at the next start, once.
    child.process.kill('SIGKILL');
    await child.exited;
    child = await spawnServer({ TAMS_DATA_DIR: dir });
    const again = timed(httpClient(child.url));
    expect((await allSegments(again, flowId)).map((s) => s.object_id)).toEqual(acked);
    child.process.kill('SIGTERM');
    expect(await child.exited).toBe(0);
    child = undefined;
    const verify = await runCli(['verify'], { env: { TAMS_DATA_DIR: dir, TAMS_LOG_LEVEL: 'silent' } });
    expect(verify.code, verify.out + verify.err).toBe(0);
  }, 240_000);
});
