/**
 * One bad item never stops the EXR follower (issue 45, item 1): a hostile EXR, an object its
 * backend refuses to read, a file whose rows the store refuses, an event that cannot be planned.
 * Each fails alone: it is recorded where the EXR API shows it, logged once, counted on /metrics,
 * and the files registered after it are catalogued, across a restart too. A backend that is down
 * (it fails its own check) is waited for instead: nothing is recorded as failed.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { DbError } from '../../src/db/db.errors.ts';
import type { DbSession, Engine } from '../../src/db/db.types.ts';
import type { MediaStore } from '../../src/media/media.types.ts';
import { attr, i32, partAttributes, singlePartFile } from '../../tools/exr-files/exr.build.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { addSegments, allocate, upload, waitFor } from '../segments/helpers.ts';
import {
  exrEnv,
  exrFlow,
  type FileDetail,
  type FileDoc,
  frameRange,
  framesListed,
  ingest,
} from './exr.fixtures.ts';

const dir = tempDir('tams-exr-poison-');
afterAll(() => dir.remove());

const good = (n: number) =>
  singlePartFile(partAttributes({ width: 8 + n, extra: [attr('frameTag', 'int', i32(n))] }), 8);
const hostile = () => singlePartFile(partAttributes({ tiles: [0xffffffff, 0xffffffff, 0] }), 1, 0x202);

/** A server whose log lines are kept, parsed. */
async function logged(options: Parameters<typeof startServer>[0] = {}) {
  const lines: Record<string, unknown>[] = [];
  const server = await startServer({ ...options, logLines: (l) => lines.push(JSON.parse(l)) });
  return { server, lines };
}

const warnings = (lines: Record<string, unknown>[], msg: string, objectId?: string) =>
  lines.filter((l) => l.msg === msg && (objectId === undefined || l.object_id === objectId));

async function metric(server: TestServer, name: string): Promise<number | undefined> {
  const text = await (await fetch(`${server.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

/** Makes every backend of the server fail reads of paths `broken` says (and, with `down`, its check). */
function breakReads(server: TestServer, broken: (path: string) => boolean, down = false): () => void {
  const undo: (() => void)[] = [];
  for (const backend of server.runtime.media.stores) {
    const { read, check } = backend;
    const mutable = backend as { -readonly [K in keyof MediaStore]: MediaStore[K] };
    mutable.read = async (path, range) => {
      if (broken(path)) throw new Error(`AccessDenied: ${path} may not be read`);
      return read.call(backend, path, range);
    };
    if (down) {
      mutable.check = async () => {
        throw new Error('the backend does not answer');
      };
    }
    undo.push(() => {
      mutable.read = read;
      mutable.check = check;
    });
  }
  return () => {
    for (const u of undo) u();
  };
}

async function lookup(server: TestServer, objectId: string) {
  return server.get<FileDetail>('/exr/lookup', { query: { object_id: objectId } });
}

describe('the EXR follower and one bad item', () => {
  it('catalogues a hostile EXR (tiles 0xFFFFFFFF) with its issue and goes on with the next', async () => {
    const { server } = await logged({ env: exrEnv() });
    try {
      const flowId = await exrFlow(server);
      await ingest(server, flowId, [{ bytes: Buffer.from(hostile()) }, { bytes: Buffer.from(good(1)) }]);
      const frames = await framesListed(server, flowId, 2);
      expect(frames.map((f) => f.status)).toEqual(['inspected', 'inspected']);
      const first = await lookup(server, frames[0]?.object_id as string);
      expect((first.body.issues as { code: string }[]).map((i) => i.code)).toContain('VALUE_OUT_OF_RANGE');
      // The health probes said nothing was wrong, and nothing was.
      expect((await server.get('/ready')).status).toBe(200);
    } finally {
      await server.close();
    }
  });

  it('records an object its backend will not read as failed, once, and goes on across a restart', async () => {
    const first = await logged({ dataDir: dir.path, env: exrEnv() });
    const flowId = await exrFlow(first.server);
    let bad: string;
    try {
      bad = await ingestBroken(first.server, flowId);
      const frames = await framesListed(first.server, flowId, 3);
      expect(frames.map((f) => f.status)).toEqual(['inspected', 'failed', 'inspected']);
      const failed = (await lookup(first.server, bad)).body;
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'INSPECT_ERROR' } });
      expect(failed.error?.message).toContain('AccessDenied');
      expect(await metric(first.server, 'tams_exr_files_failed_total')).toBe(1);
      expect(warnings(first.lines, 'exr: object not inspected', bad)).toHaveLength(1);
      // Later registrations are catalogued as ever.
      await ingest(first.server, flowId, [{ bytes: Buffer.from(good(4)) }], 3);
      expect((await framesListed(first.server, flowId, 4)).at(-1)?.status).toBe('inspected');
      expect(warnings(first.lines, 'exr: object not inspected', bad)).toHaveLength(1);
    } finally {
      await first.server.close();
    }

    const again = await logged({ dataDir: dir.path, env: exrEnv() });
    try {
      await ingest(again.server, flowId, [{ bytes: Buffer.from(good(5)) }], 4);
      const frames = await framesListed(again.server, flowId, 5);
      expect(frames.map((f) => f.status)).toEqual([
        'inspected',
        'failed',
        'inspected',
        'inspected',
        'inspected',
      ]);
      // Not tried again: its failure stands as recorded (tams-mgmt exr backfill retries failures).
      expect((await lookup(again.server, bad)).body).toMatchObject({ status: 'failed', inspection_count: 1 });
      expect(warnings(again.lines, 'exr: object not inspected')).toHaveLength(0);
    } finally {
      await again.server.close();
    }
  });

  it('waits for a backend that fails its own check instead of recording its objects as failed', async () => {
    const { server, lines } = await logged({ env: exrEnv() });
    try {
      const flowId = await exrFlow(server);
      const restore = breakReads(server, () => true, true);
      await ingest(server, flowId, [{ bytes: Buffer.from(good(1)) }]);
      await waitFor(
        'the EXR follower to fail a step',
        async () => lines.some((l) => l.msg === 'background step failed' && l.worker === 'exr-inspect'),
        30_000,
      );
      expect((await server.get('/exr/files', { query: { flow_id: flowId, status: 'all' } })).body).toEqual(
        [],
      );
      expect(await metric(server, 'tams_exr_follower_failing_steps')).toBeGreaterThan(0);
      restore();
      const [frame] = await framesListed(server, flowId, 1);
      expect(frame?.status).toBe('inspected');
      await waitFor('the failing steps to be over', async () =>
        (await metric(server, 'tams_exr_follower_failing_steps')) === 0 ? true : undefined,
      );
      expect(await metric(server, 'tams_exr_files_failed_total')).toBe(0);
    } finally {
      await server.close();
    }
  });

  it('records a file whose rows the store refuses as failed, and goes on', async () => {
    const refused = 'refused-frame-0002';
    let refusedPath = '';
    const { server, lines } = await logged({
      env: exrEnv(),
      wrapEngine: refusing('exr_parts', () => refusedPath),
    });
    try {
      const flowId = await exrFlow(server);
      await ingestNamed(server, flowId, ['a-frame-0001', refused, 'a-frame-0003'], (paths) => {
        refusedPath = paths.get(refused) as string;
      });
      const frames = await framesListed(server, flowId, 3);
      expect(frames.map((f: FileDoc) => f.status)).toEqual(['inspected', 'failed', 'inspected']);
      const failed = (await lookup(server, refused)).body;
      expect(failed).toMatchObject({ status: 'failed', error: { code: 'NOT_RECORDED' } });
      expect(failed.error?.message).toContain('refused for the test');
      expect(warnings(lines, 'exr: object not inspected', refused)).toHaveLength(1);
      expect(await metric(server, 'tams_exr_files_failed_total')).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('skips an event it cannot plan, says so, and goes on', async () => {
    const { server, lines } = await logged({ env: exrEnv() });
    try {
      const flowId = await exrFlow(server);
      const flow = (await server.get<{ source_id: string }>(`/flows/${flowId}`)).body;
      // An event whose segment's timerange does not parse (as another version might have written it).
      await server.runtime.store.transaction(async (tx) => {
        await tx.events.append([
          {
            event_type: 'flows/segments_added',
            event_timestamp: new Date(),
            flow_id: flowId,
            source_id: flow.source_id,
            flow_collected_by: [],
            source_collected_by: [],
            payload: { flow_id: flowId, segments: [{ object_id: 'x', timerange: 'not a timerange' }] },
          },
        ]);
      });
      await ingest(server, flowId, [{ bytes: Buffer.from(good(1)) }]);
      const [frame] = await framesListed(server, flowId, 1);
      expect(frame?.status).toBe('inspected');
      const stats = await server.get<{ skipped_events?: number }>('/exr/stats');
      expect(stats.body.skipped_events).toBe(1);
      expect(warnings(lines, 'exr: event skipped')).toHaveLength(1);
      expect(await metric(server, 'tams_exr_events_skipped_total')).toBe(1);
    } finally {
      await server.close();
    }
  });
});

/**
 * Ingests frames named `ids` from frame 0 as `ingest` does; `before` is given the storage path of
 * each object once they are allocated, before they are uploaded and registered.
 */
async function ingestNamed(
  server: TestServer,
  flowId: string,
  ids: string[],
  before: (paths: Map<string, string>) => void,
): Promise<void> {
  const objects = await allocate(server, flowId, { object_ids: ids });
  const paths = new Map<string, string>();
  for (const o of objects) {
    const stored = await server.runtime.store.objects.get(o.object_id);
    paths.set(o.object_id, stored?.storage_path as string);
  }
  before(paths);
  for (const [i, o] of objects.entries()) await upload(o, Buffer.from(good(i)));
  await addSegments(
    server,
    flowId,
    objects.map((o, i) => ({ object_id: o.object_id, timerange: frameRange(i) })),
  );
}

/** Ingests three frames, the second of which its backend refuses to read; returns its object id. */
async function ingestBroken(server: TestServer, flowId: string): Promise<string> {
  const bad = 'unreadable-frame-0002';
  await ingestNamed(server, flowId, ['readable-frame-0001', bad, 'readable-frame-0003'], (paths) => {
    // Left broken until the server closes.
    breakReads(server, (path) => path === paths.get(bad));
  });
  return bad;
}

/** An engine whose transactions refuse inserts into `table` of rows whose file_path is `path()`. */
function refusing(table: string, path: () => string): (engine: Engine) => Engine {
  const guard = (tx: DbSession): DbSession =>
    Object.assign(Object.create(tx) as DbSession, {
      insert: async (name: string, rows: readonly Record<string, unknown>[]) => {
        if (name === table && rows.some((r) => r.file_path === path())) {
          throw new DbError('invalid_value', `insert into "${name}": refused for the test`);
        }
        return tx.insert(name, rows as never);
      },
    });
  return (inner) =>
    Object.assign(Object.create(inner) as Engine, {
      transaction: <T>(fn: (tx: DbSession) => Promise<T>) => inner.transaction((tx) => fn(guard(tx))),
    });
}
