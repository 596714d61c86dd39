/** `tables` and `clean` against a real store: a dry run changes nothing, the real run does what it says. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { exrFeature } from '../../src/exr/exr.feature.ts';
import { ET } from '../../src/exr/store/exr.tables.ts';
import { T } from '../../src/store/tables.ts';
import { sample } from '../exr/exr.fixtures.ts';
import { startServer } from '../helpers/server.ts';
import { putValue } from '../http/fixtures.ts';
import { counts, makeStore, mgmt, openStore, type Store } from './fixture.ts';

let store: Store;
beforeEach(async () => {
  store = await makeStore();
});
afterEach(() => store.remove());

describe('tams-mgmt tables', () => {
  it('lists every table with its rows and an estimated size', async () => {
    const run = await mgmt(store.env, 'tables', '--json');
    expect(run.code).toBe(0);
    const stats = JSON.parse(run.out) as { table: string; rows: number; bytes?: number }[];
    const byName = new Map(stats.map((s) => [s.table, s]));
    expect(byName.get(T.segments)?.rows).toBe(8);
    expect(byName.get(T.flows)?.rows).toBe(3);
    expect(byName.get(T.segments)?.bytes).toBeGreaterThan(0);
    const text = await mgmt(store.env, 'tables');
    expect(text.code).toBe(0);
    expect(text.out).toMatch(/^segments\s+8\s+\d/m);
  });
});

describe('tams-mgmt clean --flow', () => {
  it('dry run prints the plan and changes nothing; without --yes it refuses', async () => {
    const before = await counts(store.env);
    const dry = await mgmt(store.env, 'clean', '--flow', store.flowA, '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/segments:\s+5/);
    expect(dry.out).toMatch(/objects released:\s+4 \(bytes queued for deletion: 4\)/);
    expect(dry.out).toMatch(/tags:\s+2/);
    expect(dry.out).toMatch(/collection entries:\s+1/);
    expect(dry.out).toContain('Dry run: nothing was changed');
    const refused = await mgmt(store.env, 'clean', '--flow', store.flowA);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('pass --yes');
    expect(await counts(store.env)).toEqual(before);
  });

  it('removes the Flow, its segments, references, tags, collection entries and unshared objects', async () => {
    const before = await counts(store.env);
    const run = await mgmt(store.env, 'clean', '--flow', store.flowA, '--yes');
    expect(run.code, run.err).toBe(0);
    const after = await counts(store.env);
    expect(after[T.segments]).toBe((before[T.segments] ?? 0) - 5);
    expect(after[T.flows]).toBe((before[T.flows] ?? 0) - 1);
    expect(after[T.flowTags]).toBe((before[T.flowTags] ?? 0) - 2);
    expect(after[T.collections]).toBe(0);
    // Four of A's objects went (their bytes queued); the one B uses stays.
    expect(after[T.objects]).toBe((before[T.objects] ?? 0) - 4);
    expect(after[T.mediaGc]).toBe(4);
    const runtime = await openStore(store.env);
    try {
      expect(await runtime.store.flows.get(store.flowA)).toBeNull();
      expect(await runtime.store.objects.get(store.objectsA[0] as string)).not.toBeNull();
      expect(await runtime.store.segments.countFlow(store.flowB)).toBe(3);
    } finally {
      await runtime.close();
    }
    expect((await mgmt(store.env, 'verify')).code).toBe(0);
    const again = await mgmt(store.env, 'clean', '--flow', store.flowA, '--yes');
    expect(again.code).toBe(1);
    expect(again.err).toContain('does not exist');
  });
});

describe('tams-mgmt clean --flow of a Flow being deleted', () => {
  it('finishes what the deletion request started: segments, the Flow row, the request done', async () => {
    // A deletion larger than the sync limit becomes a request; with no workers it stays pending.
    const server = await startServer({
      dataDir: store.dir,
      workers: false,
      env: { ...store.env, TAMS_DELETE_SYNC_LIMIT: '1' },
    });
    let requestId: string;
    try {
      expect((await putValue(server, `/flows/${store.flowA}/read_only`, false)).status).toBe(204);
      const res = await server.delete<{ id: string }>(`/flows/${store.flowA}`);
      expect(res.status).toBe(202);
      requestId = res.body.id;
    } finally {
      await server.close();
    }
    const dry = await mgmt(store.env, 'clean', '--flow', store.flowA, '--dry-run');
    expect(dry.out).toContain(`Flow ${store.flowA} (deleting)`);
    const run = await mgmt(store.env, 'clean', '--flow', store.flowA, '--yes');
    expect(run.code, run.err).toBe(0);
    const runtime = await openStore(store.env);
    try {
      expect(await runtime.store.flows.rowExists(store.flowA)).toBe(false);
      expect(await runtime.store.segments.countFlow(store.flowA)).toBe(0);
      const request = await runtime.deletion.get(requestId);
      expect(request.status).toBe('done');
      expect(request.timerange_remaining).toBe('()');
    } finally {
      await runtime.close();
    }
    expect((await mgmt(store.env, 'verify')).code).toBe(0);
  });
});

describe('tams-mgmt clean --all', () => {
  it('dry run changes nothing; --yes empties the TAMS tables and queues every stored object', async () => {
    // A header catalogued on demand: the catalogue describes content, so it goes with it.
    const runtime = await openStore({ ...store.env, TAMS_EXR: 'true' });
    try {
      const detail = await runtime.features
        .get(exrFeature)
        ?.service.inspectBytes(sample('multipart_3parts'), {
          path: 'shots/a/multipart_3parts.0001.exr',
        });
      expect(detail?.parts.length).toBeGreaterThan(1);
    } finally {
      await runtime.close();
    }
    const before = await counts(store.env);
    expect(before[ET.files]).toBe(1);
    expect(before[ET.channels]).toBeGreaterThan(0);
    const dry = await mgmt(store.env, 'clean', '--all', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toMatch(/^segments\s+8$/m);
    expect(await counts(store.env)).toEqual(before);

    const run = await mgmt(store.env, 'clean', '--all', '--yes');
    expect(run.code, run.err).toBe(0);
    const after = await counts(store.env);
    for (const table of [
      T.segments,
      T.objects,
      T.objectRefs,
      T.flows,
      T.sources,
      T.flowTags,
      T.collections,
      ET.files,
      ET.parts,
      ET.channels,
      ET.attributes,
    ]) {
      expect(after[table], table).toBe(0);
    }
    // The five objects with bytes (A's); the external ones have none.
    expect(after[T.mediaGc]).toBe(5);
    expect(after[T.settings]).toBe(before[T.settings]);
    expect((await mgmt(store.env, 'verify')).code).toBe(0);
  });

  it('refuses wrong usage with status 2', async () => {
    expect((await mgmt(store.env, 'clean')).code).toBe(2);
    expect((await mgmt(store.env, 'clean', '--all', '--flow', store.flowA)).code).toBe(2);
    expect((await mgmt(store.env, 'clean', '--all', '--dry-run', '--yes')).code).toBe(2);
    expect((await mgmt(store.env, 'tables', '--delete')).code).toBe(2);
    expect((await mgmt(store.env, 'nonsense')).code).toBe(2);
  });
});
