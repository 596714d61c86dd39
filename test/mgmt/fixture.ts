/**
 * A real store on a data directory for the management command tests, filled through the API:
 * Flow A (5 segments, objects with bytes in the fs backend, tags, read-only, in a collection),
 * Flow B (reuses one of A's objects, plus 2 external objects), Flow C (collects A).
 */
import { loadConfig } from '../../src/config.ts';
import { buildRuntime, type Runtime } from '../../src/deps.ts';
import { type Run, runCli } from '../helpers/cli.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { createFlow, multiFlow, putValue, videoFlow } from '../http/fixtures.ts';
import { addSegments, allocate, contiguous, upload } from '../segments/helpers.ts';

export interface Store {
  dir: string;
  env: Record<string, string>;
  flowA: string;
  flowB: string;
  flowC: string;
  /** A's objects; the first is also used by B. */
  objectsA: string[];
  remove(): void;
}

export async function makeStore(extraEnv: Record<string, string> = {}): Promise<Store> {
  const dir = tempDir('tams-mgmt-');
  const env = { TAMS_DATA_DIR: dir.path, TAMS_AUTH: 'none', TAMS_LOG_LEVEL: 'silent', ...extraEnv };
  const server: TestServer = await startServer({ dataDir: dir.path, workers: false, env });
  try {
    const a = videoFlow({ label: 'A', tags: { show: 'news', take: '3' } });
    const b = videoFlow({ label: 'B' });
    await createFlow(server, a);
    await createFlow(server, b);
    const flowA = a.id as string;
    const flowB = b.id as string;
    const objects = await allocate(server, flowA, { limit: 5 });
    for (const o of objects) await upload(o);
    const objectsA = objects.map((o) => o.object_id);
    await addSegments(server, flowA, contiguous(objectsA, 0, 10));
    await addSegments(server, flowB, [
      { object_id: objectsA[0] as string, timerange: '[0:0_10:0)' },
      { object_id: 'ext-1', timerange: '[10:0_20:0)', get_urls: [{ url: 'http://media.invalid/ext-1' }] },
      { object_id: 'ext-2', timerange: '[20:0_30:0)', get_urls: [{ url: 'http://media.invalid/ext-2' }] },
    ] as never);
    const c = multiFlow({ flow_collection: [{ id: flowA, role: 'video' }] });
    await createFlow(server, c);
    for (const [path, value] of [
      [`/sources/${a.source_id}/label`, 'source of A'],
      [`/flows/${flowA}/read_only`, true],
    ] as const) {
      const res = await putValue(server, path, value);
      if (res.status !== 204) throw new Error(`PUT ${path}: ${res.status} ${res.text}`);
    }
    return { dir: dir.path, env, flowA, flowB, flowC: c.id as string, objectsA, remove: dir.remove };
  } finally {
    await server.close();
  }
}

/** Runs a management command in-process, as the CLI does. */
export async function mgmt(env: Record<string, string>, ...argv: string[]): Promise<Run> {
  return runCli(argv, { env });
}

/** Opens the store directly (database reads, no cache) for assertions. */
export async function openStore(env: Record<string, string>): Promise<Runtime> {
  return buildRuntime(loadConfig(env), { accelerator: false, env });
}

/** Row counts of every table. */
export async function counts(env: Record<string, string>): Promise<Record<string, number>> {
  const runtime = await openStore(env);
  try {
    const result: Record<string, number> = {};
    for (const table of runtime.db.tableNames()) result[table] = await runtime.db.count(table);
    return result;
  } finally {
    await runtime.close();
  }
}
