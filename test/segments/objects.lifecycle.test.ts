/**
 * Object bookkeeping beyond references: uploads abandoned before any registration are collected
 * after the grace period (the spec: implementations must handle objects uploaded but never
 * registered), and the Flow segment state the embedded engine writes behind survives restarts.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { openEngine } from '../../src/db/engine.factory.ts';
import { buildRuntime } from '../../src/deps.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { videoFlow } from '../http/fixtures.ts';
import {
  addSegments,
  allocate,
  contiguous,
  FAST_WORKERS,
  fetchStatus,
  newFlow,
  presignedUrls,
  upload,
  waitFor,
} from './helpers.ts';

describe('abandoned uploads', () => {
  it('deletes objects allocated and never used once the grace period is over, and only those', async () => {
    // On VAST (the `vast` project) every step is a few round trips: allocate-to-register takes
    // longer than 1 s on a loaded machine, and a used object must not look abandoned meanwhile.
    const grace = process.env.TAMS_TEST_ENGINE === 'vast' ? '4' : '1';
    const server = await startServer({ env: { ...FAST_WORKERS, TAMS_UNUSED_OBJECT_GRACE_SECONDS: grace } });
    try {
      const flowId = await newFlow(server);
      const [used, abandoned] = await allocate(server, flowId, { limit: 2 });
      if (!used || !abandoned) throw new Error('two objects expected');
      await upload(used);
      await upload(abandoned);
      await addSegments(server, flowId, contiguous([used.object_id]));
      const usedUrl = (await presignedUrls(server, flowId)).get(used.object_id) as string;
      // The abandoned object's bytes, reached through the store's own signed URL for its path.
      const abandonedPath = new URL(abandoned.put_url.url).pathname.slice('/media/'.length);
      const [media] = server.runtime.media.stores;
      expect(await media?.head(abandonedPath)).not.toBeNull();

      await waitFor(
        'the abandoned object to be collected',
        async () => (await media?.head(abandonedPath)) === null,
      );
      // It is gone as an object too: registering it now fails.
      const late = await server.post(`/flows/${flowId}/segments`, {
        object_id: abandoned.object_id,
        timerange: '[100:0_110:0)',
      });
      expect(late.status).toBe(400);
      // The used one keeps its bytes, and its allocation row has been tidied away.
      expect(await fetchStatus(usedUrl)).toBe(200);
      await waitFor(
        'allocations compacted',
        async () => (await server.runtime.store.objects.allocationRows()) === 0,
      );
    } finally {
      await server.close();
    }
  });
});

describe('allocations used before a restart', () => {
  const dir = tempDir('tams-alloc-');
  afterAll(() => dir.remove());

  it('are known as used from their segments when the store reopens, and only the unused go', async () => {
    // No workers first: the allocation rows not removed at registration are still there when the
    // server stops.
    const first = await startServer({ dataDir: dir.path, workers: false });
    let usedUrl: string;
    let flowId: string;
    let abandonedId: string;
    try {
      flowId = await newFlow(first);
      const [used, abandoned] = await allocate(first, flowId, { limit: 2 });
      if (!used || !abandoned) throw new Error('two objects expected');
      abandonedId = abandoned.object_id;
      await upload(used);
      await addSegments(first, flowId, contiguous([used.object_id]));
      usedUrl = (await presignedUrls(first, flowId)).get(used.object_id) as string;
      // The used one's row goes with its registration where the store has no cache (a shared
      // database), at housekeeping where it has one (ObjectsRepo.registered).
      expect(await first.runtime.store.objects.allocationRows()).toBe(first.runtime.store.layered ? 2 : 1);
    } finally {
      await first.close();
    }
    const second = await startServer({
      dataDir: dir.path,
      env: { ...FAST_WORKERS, TAMS_UNUSED_OBJECT_GRACE_SECONDS: '1' },
    });
    try {
      // The abandoned one is released (registering it fails), the used one's row tidied away.
      await waitFor(
        'allocations tidied',
        async () => (await second.runtime.store.objects.allocationRows()) === 0,
      );
      const late = await second.post(`/flows/${flowId}/segments`, {
        object_id: abandonedId,
        timerange: '[100:0_110:0)',
      });
      expect(late.status).toBe(400);
      const url = new URL(usedUrl);
      url.host = new URL(second.url).host;
      expect(await fetchStatus(url.toString())).toBe(200);
      expect((await second.get<unknown[]>(`/flows/${flowId}/segments`)).body).toHaveLength(1);
    } finally {
      await second.close();
    }
  });
});

describe('Flow segment state written behind', () => {
  const dir = tempDir('tams-state-');
  afterAll(() => dir.remove());

  it('keeps timerange and segments_updated across a restart', async () => {
    let flowId: string;
    let before: { timerange: string; segments_updated: string };
    const first = await startServer({ dataDir: dir.path });
    try {
      flowId = await newFlow(first);
      const objects = await allocate(first, flowId, { limit: 3 });
      await addSegments(
        first,
        flowId,
        contiguous(
          objects.map((o) => o.object_id),
          20,
        ),
      );
      before = (await first.get<typeof before>(`/flows/${flowId}`, { query: { include_timerange: true } }))
        .body;
      expect(before.timerange).toBe('[20:0_50:0)');
    } finally {
      await first.close();
    }
    const second = await startServer({ dataDir: dir.path });
    try {
      const after = await second.get<typeof before>(`/flows/${flowId}`, {
        query: { include_timerange: true },
      });
      expect(after.body.timerange).toBe(before.timerange);
      expect(after.body.segments_updated).toBe(before.segments_updated);
    } finally {
      await second.close();
    }
  });
});

describe('a crash before the Flow state is written behind', () => {
  const dir = tempDir('tams-crash-');
  afterAll(() => dir.remove());

  it('recomputes the timeranges and segments_updated when the store reopens', async () => {
    const config = loadConfig({ TAMS_DATA_DIR: dir.path, TAMS_LOG_LEVEL: 'silent' });
    const flow = videoFlow();
    const flowId = flow.id as string;
    const engine = await openEngine(config);
    const first = await buildRuntime(config, { engine });
    await first.flows.put(flowId, flow, undefined);
    const ctx = { baseUrl: 'http://localhost', expiresIn: 60 };
    const media_objects = await first.storage.allocate(flowId, { limit: 2 }, ctx);
    expect(media_objects).toHaveLength(2);
    const failures = await first.segments.register(
      flowId,
      media_objects.map((o, i) => ({ object_id: o.object_id, timerange: `[${i * 5}:0_${i * 5 + 5}:0)` })),
    );
    expect(failures).toEqual([]);
    const acknowledged = (await first.flows.get(flowId, { includeTimerange: true })).segments_updated;
    expect(acknowledged).toBeDefined();
    // The process dies: the engine closes (committed data is safe) but nothing is flushed.
    await engine.close();

    const second = await buildRuntime(config);
    try {
      expect(second.store.layered).toBe(true);
      const reopened = await second.flows.get(flowId, { includeTimerange: true });
      expect(reopened.timerange).toBe('[0:0_10:0)');
      // And the time the registration gave the Flow, from its event in the outbox.
      expect(reopened.segments_updated).toBe(acknowledged);
    } finally {
      await second.close();
    }
  });
});
