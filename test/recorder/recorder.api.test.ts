/**
 * The recorder's job API over real HTTP: what a source must pass before a job is made (its kind,
 * the allow-list for network sources, the file directory for files, ffmpeg installed), each
 * refusal a 400 with the TAMS error body; a job's life through the API (listed, paged, stopped,
 * started again, deleted); its secrets never shown.
 */
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { type Doc, expectError, nextLink } from '../http/fixtures.ts';

const data = tempDir('tams-recorder-api-');
const files = join(data.path, 'sources');
const outside = join(data.path, 'elsewhere');
let server: TestServer;

beforeAll(async () => {
  mkdirSync(files, { recursive: true });
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(files, 'clip.ts'), 'bytes of a clip');
  writeFileSync(join(outside, 'secret.ts'), 'not for recording');
  symlinkSync(join(outside, 'secret.ts'), join(files, 'link.ts'));
  server = await startServer({
    dataDir: data.path,
    workers: false,
    env: {
      TAMS_AUTH: 'none',
      TAMS_RECORDER: 'true',
      TAMS_RECORDER_ALLOW: '127.0.0.1',
      TAMS_RECORDER_FILE_DIR: files,
      TAMS_RECORDER_MAX_JOBS: '0',
    },
  });
});
afterAll(async () => {
  await server?.close();
  data.remove();
});

const post = (body: unknown) => server.post<Doc>('/recordings', body);

describe('POST /recordings refuses a source that may not be recorded', () => {
  it.each([
    ['udp://10.1.2.3:5000', /10\.1\.2\.3 is in the private range.*TAMS_RECORDER_ALLOW/],
    ['udp://[::1]:5000', /loopback.*TAMS_RECORDER_ALLOW/],
    ['srt://169.254.169.254:9000', /linkLocal.*TAMS_RECORDER_ALLOW/],
    ['udp://239.1.1.1:5000', /multicast.*TAMS_RECORDER_ALLOW/],
    ['rtmp://192.168.0.10/live/one', /private range.*TAMS_RECORDER_ALLOW/],
    ['gopher://127.0.0.1/x', /gopher: sources are not recorded/],
    ['udp://127.0.0.1', /a udp source names its port/],
    ['file:../elsewhere/secret.ts', /no file/],
    ['file:link.ts', /no file/],
    ['file:missing.ts', /no file/],
    ['file://host/clip.ts', /a file source is local/],
    ['not a url', /is not a URL/],
  ])('%s', async (url, why) => {
    const res = await post({ source: { url } });
    expectError(res, 400);
    expect((res.body as Doc).summary).toMatch(why);
  });

  it('a live source has no realtime setting; a storage backend must exist', async () => {
    expectError(await post({ source: { url: 'udp://127.0.0.1:5000', realtime: false } }), 400);
    const res = await post({
      source: { url: 'udp://127.0.0.1:5000' },
      storage_id: '00000000-0000-4000-8000-000000000000',
    });
    expectError(res, 400);
    expect((res.body as Doc).summary).toMatch(/^storage_id: /);
  });

  it('file sources are refused where no file directory is set', async () => {
    const other = tempDir('tams-recorder-nofiles-');
    const plain = await startServer({
      dataDir: other.path,
      workers: false,
      env: { TAMS_AUTH: 'none', TAMS_RECORDER: 'true' },
    });
    try {
      const res = await plain.post<Doc>('/recordings', { source: { url: 'file:clip.ts' } });
      expectError(res, 400);
      expect((res.body as Doc).summary).toContain('TAMS_RECORDER_FILE_DIR is not set');
    } finally {
      await plain.close();
      other.remove();
    }
  });

  it('a server without ffmpeg refuses jobs, naming what to install', async () => {
    const other = tempDir('tams-recorder-noffmpeg-');
    const bare = await startServer({
      dataDir: other.path,
      workers: false,
      env: {
        TAMS_AUTH: 'none',
        TAMS_RECORDER: 'true',
        TAMS_RECORDER_FFMPEG: join(other.path, 'no-ffmpeg-here'),
      },
    });
    try {
      const res = await bare.post<Doc>('/recordings', { source: { url: 'udp://8.8.8.8:5000' } });
      expectError(res, 400);
      expect((res.body as Doc).summary).toContain('is not installed on this server');
      expect((await bare.get('/recordings')).body).toEqual([]);
    } finally {
      await bare.close();
      other.remove();
    }
  });
});

describe('a recording job through the API', () => {
  it('is made waiting for a replica, with its Source and multi Flow chosen, and its secrets hidden', async () => {
    const res = await post({
      source: { url: 'srt://127.0.0.1:9000?mode=caller&passphrase=sesame-0123456' },
      label: 'Studio 1',
      segment_duration: 4,
      tags: { channel: 'one' },
      retention_seconds: 3600,
    });
    expect(res.status, res.text).toBe(201);
    expect(res.body).toMatchObject({
      label: 'Studio 1',
      source: { kind: 'srt' },
      segment_duration: 4,
      container: 'video/mp2t',
      tags: { channel: 'one' },
      retention_seconds: 3600,
      want: 'record',
      state: 'waiting',
      segments_written: 0,
      restarts: 0,
      flow_ids: { audio: [] },
    });
    expect(res.body.source_id).toMatch(/^[0-9a-f-]{36}$/);
    expect((res.body.flow_ids as Doc).multi).toMatch(/^[0-9a-f-]{36}$/);
    expect((res.body.source as Doc).url).toContain('passphrase=***');
    const id = res.body.id as string;
    const got = await server.get<Doc>(`/recordings/${id}`);
    expect(got.body).toEqual(res.body);
    expect((await server.get('/recordings')).text).not.toContain('sesame-0123456');
  });

  it('is stopped, started again, listed in pages, and deleted', async () => {
    const made: string[] = [];
    for (const n of [1, 2, 3]) {
      const res = await post({ source: { url: `file:clip.ts` }, label: `clip ${n}` });
      expect(res.status, res.text).toBe(201);
      expect(res.body.source).toMatchObject({ kind: 'file', realtime: true });
      made.push(res.body.id as string);
    }
    const [first] = made as [string];
    const stopped = await server.post<Doc>(`/recordings/${first}/stop`, {});
    expect(stopped.body).toMatchObject({ want: 'stop', state: 'stopped' });
    const again = await server.post<Doc>(`/recordings/${first}/start`, {});
    expect(again.body).toMatchObject({ want: 'record', state: 'waiting' });

    const seen: string[] = [];
    let path: string | undefined = '/recordings?limit=2';
    while (path !== undefined) {
      const page: Awaited<ReturnType<typeof server.get<Doc[]>>> = await server.get<Doc[]>(path);
      expect(page.status).toBe(200);
      seen.push(...page.body.map((j) => j.id as string));
      const next = nextLink(page);
      path = next === undefined ? undefined : `${new URL(next).pathname}${new URL(next).search}`;
    }
    expect(seen.filter((id) => made.includes(id))).toEqual(made);

    expect((await server.delete(`/recordings/${first}`)).status).toBe(204);
    expectError(await server.get(`/recordings/${first}`), 404);
    expectError(await server.post(`/recordings/${first}/stop`, {}), 404);
    expectError(await server.delete(`/recordings/${first}`), 404);
  });
});

describe('tams-mgmt record', () => {
  it('starts, lists, stops and deletes jobs through the server', async () => {
    const env = { TAMS_LOG_LEVEL: 'silent' };
    const server_ = ['--server', server.url];
    const started = await runCli(
      ['record', 'start', 'file:clip.ts', ...server_, '--label', 'from the shell', '--json'],
      { env },
    );
    expect(started.code, started.err).toBe(0);
    const job = JSON.parse(started.out) as Doc;
    expect(job).toMatchObject({ label: 'from the shell', state: 'waiting', source: { kind: 'file' } });
    const listed = await runCli(['record', 'list', ...server_], { env });
    expect(listed.code, listed.err).toBe(0);
    expect(listed.out).toContain(`${job.id as string} waiting file:`);
    const stopped = await runCli(['record', 'stop', job.id as string, ...server_], { env });
    expect(stopped.code, stopped.err).toBe(0);
    expect(stopped.out).toMatch(/^Stopping .* stopped /);
    const deleted = await runCli(['record', 'delete', job.id as string, ...server_], { env });
    expect(deleted.code, deleted.err).toBe(0);
    const refused = await runCli(['record', 'start', 'udp://10.9.9.9:5000', ...server_], { env });
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('private range');
    const usage = await runCli(['record', 'start', 'file:clip.ts'], { env });
    expect(usage.code).toBe(2);
    expect(usage.err).toContain('--server');
  });
});
