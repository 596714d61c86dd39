/** `orphans` and `verify` against a real store with problems made on purpose. */
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { and, col } from '../../src/db/predicate.ts';
import type { FsMediaStore } from '../../src/media/fs/fs.store.ts';
import { T } from '../../src/store/tables.ts';
import type { VerifyReport } from '../../src/store/verify/verify.report.ts';
import { mountClient } from '../helpers/mounts.ts';
import { startServer } from '../helpers/server.ts';
import { initSegmentsFlow } from '../http/fixtures.v82.ts';
import { addSegments, allocate, upload } from '../segments/helpers.ts';
import { makeStore, mgmt, openStore, type Store } from './fixture.ts';

let store: Store;
beforeEach(async () => {
  store = await makeStore();
});
afterEach(() => store.remove());

describe('tams-mgmt orphans', () => {
  it('finds bytes without rows and rows without bytes; only --delete removes the orphaned bytes', async () => {
    // Bytes uploaded for an object whose rows are then lost; an object registered, never uploaded.
    const server = await startServer({ dataDir: store.dir, workers: false, env: store.env });
    let orphanPath: string;
    let fsRoot: string;
    let neverUploaded: string;
    try {
      const [lost, empty] = await allocate(server, store.flowB, { limit: 2 });
      if (!lost || !empty) throw new Error('allocation failed');
      await upload(lost);
      await addSegments(server, store.flowB, { object_id: empty.object_id, timerange: '[100:0_101:0)' });
      neverUploaded = empty.object_id;
      const object = await server.runtime.store.objects.get(lost.object_id);
      orphanPath = object?.storage_path as string;
      const fs = server.runtime.media.stores[0] as FsMediaStore;
      fsRoot = fs.root;
      await server.runtime.db.delete(T.objects, and(col('id').eq(lost.object_id)));
      await server.runtime.db.delete(T.allocations, and(col('object_id').eq(lost.object_id)));
    } finally {
      await server.close();
    }
    const file = `${fsRoot}/${orphanPath}`;
    expect(existsSync(file)).toBe(true);

    const dry = await mgmt(store.env, 'orphans');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/orphaned bytes \(no object row\):\s+1 /);
    expect(dry.out).toContain(orphanPath);
    expect(dry.out).toMatch(/object rows without bytes:\s+1\n/);
    expect(dry.out).toContain(`object ${neverUploaded}`);
    expect(dry.out).toContain('Dry run: nothing was deleted');
    expect(existsSync(file)).toBe(true);

    const run = await mgmt(store.env, 'orphans', '--delete');
    expect(run.code, run.err).toBe(0);
    expect(existsSync(file)).toBe(false);
    expect((await mgmt(store.env, 'orphans')).out).toMatch(/orphaned bytes \(no object row\):\s+0 /);
  });
});

describe('tams-mgmt verify', () => {
  it('passes a healthy store', async () => {
    const run = await mgmt(store.env, 'verify');
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('Checked 8 segments and 7 objects');
    expect(run.out).toContain('No problems found.');
  });

  it('passes a store whose media objects have initialisation segments (TAMS 8.2)', async () => {
    const server = await startServer({ dataDir: store.dir, workers: false, env: store.env });
    try {
      const v8 = mountClient(server, '/tams/v8.2');
      const flow = initSegmentsFlow();
      expect((await v8.put(`/flows/${flow.id}`, flow)).status).toBe(201);
      const [init, a, b] = await allocate(v8, flow.id as string, { limit: 3 });
      if (!init || !a || !b) throw new Error('allocation failed');
      for (const o of [init, a, b]) await upload(o);
      const registered = await v8.post(`/flows/${flow.id}/segments`, [
        { object_id: a.object_id, timerange: '[0:0_1:0)', init_object_id: init.object_id },
        { object_id: b.object_id, timerange: '[1:0_2:0)', init_object_id: init.object_id },
      ]);
      expect(registered.status, registered.text).toBe(201);
    } finally {
      await server.close();
    }
    const run = await mgmt(store.env, 'verify');
    expect(run.code, run.out).toBe(0);
    expect(run.out).toContain('No problems found.');
  });

  it('reports each kind of problem and exits 1', async () => {
    const runtime = await openStore(store.env);
    try {
      const { db } = runtime;
      // Segments of B's external object ext-1 lose their object.
      await db.delete(T.objects, and(col('id').eq('ext-1')));
      // An object no segment uses (not an allocation awaiting its first use).
      await db.insert(T.objects, [{ id: 'lonely', created: new Date() }]);
      // A reference count that disagrees with the segments.
      await db.update(T.objectRefs, and(col('object_id').eq('ext-2')), { segments: 5n });
      // A segment overlapping A's first, and a segment of a Flow that does not exist.
      const [first] = await db.select(T.segments, { where: and(col('flow_id').eq(store.flowA)), limit: 1 });
      const start = first?.seg_start as bigint;
      await db.insert(T.segments, [
        { ...first, seg_start: start + 1_000_000_000n, seg_end: start + 15_000_000_000n },
        { ...first, flow_id: 'no-such-flow' },
      ]);
    } finally {
      await runtime.close();
    }
    const run = await mgmt(store.env, 'verify', '--json');
    expect(run.code).toBe(1);
    const report = JSON.parse(run.out) as VerifyReport & { problems: number };
    expect(report.segmentsWithoutObjects.count).toBe(1);
    expect(report.segmentsWithoutObjects.examples[0]).toContain('ext-1');
    expect(report.objectsWithoutSegments.count).toBe(1);
    expect(report.objectsWithoutSegments.examples[0]).toContain('lonely');
    expect(report.referenceMismatches.examples.some((e) => e.includes('ext-2'))).toBe(true);
    expect(report.overlappingSegments.count).toBe(2);
    expect(report.segmentsOfMissingFlows.count).toBe(1);
    const text = await mgmt(store.env, 'verify');
    expect(text.code).toBe(1);
    expect(text.out).toMatch(/FAIL {2}overlapping segments within a Flow: 2/);
  });
});
