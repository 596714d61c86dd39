/**
 * Objects of unknown size (issue 45, item 4): every report counts them from one definition
 * (docs/analytics.md): an object segments use, in a backend or external, whose bytes the size follower
 * has not recorded. Two Flows hold objects with bytes, objects registered and never uploaded,
 * external objects (client URLs only) and an allocation never used; each report's figures are
 * checked against the others and against a count made through the TAMS API itself (the Flows'
 * segments, and a GET of each object's own URL for its bytes).
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AnalyticsRuntime, analyticsFeature } from '../../src/analytics/analytics.feature.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { audioFlow, createFlow, videoFlow } from '../http/fixtures.ts';
import {
  type AllocatedObject,
  addSegments,
  allocate,
  type Segment,
  secs,
  upload,
} from '../segments/helpers.ts';

const A = '51000000-0000-4000-8000-00000000000a';
const B = '52000000-0000-4000-8000-00000000000b';
const quiet = { info: () => {}, warn: () => {}, error: () => {} };

let server: TestServer;

interface Figures {
  objects: number;
  bytes: number;
  unsized_objects: number;
}
type StorageDoc = {
  backends: (Figures & { storage_id: string })[];
  formats: (Figures & { format: string | null })[];
  growth: { series: (Figures & { storage_id: string })[] };
  totals: Figures;
  unreferenced: { allocated_unused: number };
};
type TopDoc = { flows: (Figures & { flow_id: string })[]; unsized_objects: number };

const external = (id: string, start: number): Segment => ({
  object_id: id,
  timerange: secs(start, start + 1),
  get_urls: [{ url: `https://cdn.invalid/${id}` }],
});

async function follow(): Promise<void> {
  const analytics = server.runtime.features.get(analyticsFeature) as AnalyticsRuntime;
  const follower = analytics.follower.create(quiet, 'unsized-test', SHARED_TOPOLOGY);
  while (await follower.step()) {
    // each step sizes a batch; false once every event is followed
  }
  await follower.release();
}

/**
 * The count made directly, through the TAMS API: the distinct objects of a Flow's segments, and
 * for each the bytes its own (controlled) URL serves; an object without such a URL (external)
 * or whose URL has no bytes is unsized.
 */
async function direct(flowId: string): Promise<Figures> {
  const res = await server.get<Segment[]>(`/flows/${flowId}/segments`, {
    query: { verbose_storage: true, limit: 1000 },
  });
  expect(res.status).toBe(200);
  const seen = new Map<string, number | null>();
  for (const s of res.body) {
    if (seen.has(s.object_id)) continue;
    const own = s.get_urls?.find((u) => u.controlled === true);
    let size: number | null = null;
    if (own !== undefined) {
      const media = await fetch(own.url);
      const bytes = await media.arrayBuffer();
      if (media.status === 200) size = bytes.byteLength;
    }
    seen.set(s.object_id, size);
  }
  const sizes = [...seen.values()];
  return {
    objects: sizes.length,
    bytes: sizes.reduce<number>((sum, n) => sum + (n ?? 0), 0),
    unsized_objects: sizes.filter((n) => n === null).length,
  };
}

const sum = (rows: readonly Figures[]): Figures => ({
  objects: rows.reduce((n, r) => n + r.objects, 0),
  bytes: rows.reduce((n, r) => n + r.bytes, 0),
  unsized_objects: rows.reduce((n, r) => n + r.unsized_objects, 0),
});
const figures = ({ objects, bytes, unsized_objects }: Figures): Figures => ({
  objects,
  bytes,
  unsized_objects,
});

async function reports() {
  const get = async <T>(path: string) => {
    const res = await server.get<T>(path);
    expect(res.status, res.text).toBe(200);
    return res.body;
  };
  return {
    usageA: figures(await get<Figures>(`/analytics/flows/${A}/usage`)),
    usageB: figures(await get<Figures>(`/analytics/flows/${B}/usage`)),
    top: await get<TopDoc>('/analytics/flows/top'),
    storage: await get<StorageDoc>('/analytics/storage'),
  };
}

let lagged: AllocatedObject;

beforeAll(async () => {
  server = await startServer({ workers: false, env: { TAMS_ANALYTICS: 'true' } });
  await createFlow(server, videoFlow({ id: A }));
  await createFlow(server, audioFlow({ id: B }));
  // A: two objects with bytes, one registered and never uploaded, two external objects, and an
  // allocation never used (nor uploaded). B: one with bytes, one never uploaded, three external.
  const [a1, a2, aNever, aUnused, aLater] = (await allocate(server, A, { limit: 5 })) as AllocatedObject[];
  const [b1, bNever] = (await allocate(server, B, { limit: 2 })) as AllocatedObject[];
  lagged = aLater as AllocatedObject;
  await upload(a1 as AllocatedObject, Buffer.alloc(100));
  await upload(a2 as AllocatedObject, Buffer.alloc(250));
  await upload(b1 as AllocatedObject, Buffer.alloc(40));
  await upload(lagged, Buffer.alloc(7));
  expect(aUnused).toBeDefined();
  await addSegments(server, A, [
    { object_id: (a1 as AllocatedObject).object_id, timerange: secs(0, 1) },
    { object_id: (a2 as AllocatedObject).object_id, timerange: secs(1, 2) },
    { object_id: (aNever as AllocatedObject).object_id, timerange: secs(2, 3) },
    external('ext-a1', 3),
    external('ext-a2', 4),
    // an external object used again: one object
    { object_id: 'ext-a1', timerange: secs(5, 6) },
  ]);
  await addSegments(server, B, [
    { object_id: (b1 as AllocatedObject).object_id, timerange: secs(0, 1) },
    { object_id: (bNever as AllocatedObject).object_id, timerange: secs(1, 2) },
    external('ext-b1', 2),
    external('ext-b2', 3),
    external('ext-b3', 4),
  ]);
  await follow();
});
afterAll(async () => {
  await server?.close();
});

describe('objects of unknown size', () => {
  it('are counted alike by usage, top and storage, and as a direct count finds them', async () => {
    const [dA, dB] = [await direct(A), await direct(B)];
    // What was built: A 5 objects (350 B; the never-uploaded one and two external unsized), B 5.
    expect(dA).toEqual({ objects: 5, bytes: 350, unsized_objects: 3 });
    expect(dB).toEqual({ objects: 5, bytes: 40, unsized_objects: 4 });
    const store = sum([dA, dB]);
    const { usageA, usageB, top, storage } = await reports();

    expect(usageA).toEqual(dA);
    expect(usageB).toEqual(dB);
    // top: each Flow as its usage (no object is shared), and the store-wide figure.
    const topOf = (id: string) => figures(top.flows.find((f) => f.flow_id === id) as Figures);
    expect(topOf(A)).toEqual(dA);
    expect(topOf(B)).toEqual(dB);
    expect(top.unsized_objects).toBe(store.unsized_objects);
    // storage: the store as a whole, per format (every object once), per backend (external
    // objects have none), growth (registrations per backend): all the same objects.
    expect(storage.totals).toEqual(store);
    expect(sum(storage.formats)).toEqual(store);
    const externals = 5;
    expect(sum(storage.backends)).toEqual({
      objects: store.objects - externals,
      bytes: store.bytes,
      unsized_objects: store.unsized_objects - externals,
    });
    expect(sum(storage.growth.series)).toEqual(sum(storage.backends));
    // The allocation never used is no Flow's media yet: it is counted apart, and only there.
    expect(storage.unreferenced.allocated_unused).toBe(2);
  });

  it('count an object registered since the follower last ran where its usage is', async () => {
    const before = await reports();
    await addSegments(server, A, { object_id: lagged.object_id, timerange: secs(6, 7) });
    const during = await reports();
    // Not sized yet: unsized in the Flow's usage, the store's totals and its backend...
    const plusOne = (f: Figures) => ({
      ...f,
      objects: f.objects + 1,
      unsized_objects: f.unsized_objects + 1,
    });
    expect(during.usageA).toEqual(plusOne(before.usageA));
    expect(during.storage.totals).toEqual(plusOne(before.storage.totals));
    expect(sum(during.storage.backends)).toEqual(plusOne(sum(before.storage.backends)));
    expect(during.top.unsized_objects).toBe(before.top.unsized_objects + 1);
    await follow();
    // ...and, once the follower has recorded it, sized everywhere, as the direct count says.
    const after = await reports();
    const dA = await direct(A);
    expect(dA).toEqual({ objects: 6, bytes: 357, unsized_objects: 3 });
    expect(after.usageA).toEqual(dA);
    expect(figures(after.top.flows.find((f) => f.flow_id === A) as Figures)).toEqual(dA);
    expect(after.storage.totals).toEqual(sum([dA, await direct(B)]));
    expect(sum(after.storage.formats)).toEqual(after.storage.totals);
    expect(after.top.unsized_objects).toBe(after.storage.totals.unsized_objects);
  });
});
