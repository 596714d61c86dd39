import { randomBytes } from 'node:crypto';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DESCRIPTOR } from '../../../test/support/media/fs/fs.testkit.ts';
import { createFsMediaStore } from '../../media/fs/fs.store.ts';
import { MediaRegistry } from '../../media/media.registry.ts';
import type { MediaStore } from '../../media/media.types.ts';
import type { SegmentRecord } from '../../store/segments.repo.ts';
import type { FlowRecord } from '../../store/store.types.ts';
import { parseTimeRange } from '../../time/index.ts';
import { planSegment } from './search.captions.ts';
import { TransientFailure } from './search.failure.ts';
import { IndexPlan } from './search.indexplan.ts';

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const FLOW = {
  id: 'b4c9e1a2-7d3f-4e5a-9b8c-1d2e3f4a5b6c',
  source_id: 'c5d0f2b3-8e4a-4f6b-8c9d-2e3f4a5b6c7d',
  format: 'urn:x-nmos:format:data',
  codec: 'text/vtt',
  container: 'text/vtt',
  created: new Date(0),
  metadata_updated: new Date(0),
  metadata_version: '1',
} as FlowRecord;

/**
 * A real fs backend whose media directory is away (renamed) until `check` is called: the outage
 * ends between the read that found nothing and the backend's check, the interleaving a loaded
 * machine gives when storage comes back while the indexer is reading.
 */
async function outageEndingAtCheck(): Promise<{ backend: MediaStore; segment: SegmentRecord }> {
  const dir = await mkdtemp(join(tmpdir(), 'tams-captions-'));
  dirs.push(dir);
  const root = join(dir, 'media');
  const store = await createFsMediaStore({ root, secret: randomBytes(32), descriptor: TEST_DESCRIPTOR });
  await writeFile(join(root, 'fog.vtt'), 'WEBVTT\n\n00:01:01.000 --> 00:01:03.000\nFog rolls in.\n');
  await rename(root, `${root}-away`);
  const backend = new Proxy(store, {
    get(target, key, receiver) {
      if (key !== 'check') return Reflect.get(target, key, receiver);
      return async () => {
        await rename(`${root}-away`, root);
        return target.check();
      };
    },
  });
  const segment: SegmentRecord = {
    flow_id: FLOW.id,
    object_id: 'fog',
    timerange: parseTimeRange('[60:0_70:0)'),
    storage: { id: TEST_DESCRIPTOR.id, path: 'fog.vtt' },
  };
  return { backend, segment };
}

describe("a timed-text segment's object", () => {
  it('is read again once its backend passes its check: an outage that ended is not its failure', async () => {
    const { backend, segment } = await outageEndingAtCheck();
    const plan = new IndexPlan();
    await planSegment({ media: new MediaRegistry([backend]) }, FLOW, segment, plan);
    const [note] = plan.notes.values();
    expect(note?.error).toBeUndefined();
    expect(note).toMatchObject({ cues: 1, indexed: 1 });
    expect([...plan.additions.values()].map((d) => d.text)).toEqual(['Fog rolls in.']);
  });

  it('is missing, its failure, when it cannot be read while its backend passes its check', async () => {
    const { backend, segment } = await outageEndingAtCheck();
    const plan = new IndexPlan();
    const gone = { ...segment, storage: { id: TEST_DESCRIPTOR.id, path: 'gone.vtt' } };
    await planSegment({ media: new MediaRegistry([backend]) }, FLOW, gone, plan);
    expect([...plan.notes.values()].map((n) => n.error)).toEqual([
      'the object is missing from its storage backend',
    ]);
  });

  it('waits, transient, while its backend fails its check', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tams-captions-'));
    dirs.push(dir);
    const root = join(dir, 'media');
    const store = await createFsMediaStore({ root, secret: randomBytes(32), descriptor: TEST_DESCRIPTOR });
    await rename(root, `${root}-away`);
    const segment: SegmentRecord = {
      flow_id: FLOW.id,
      object_id: 'fog',
      timerange: parseTimeRange('[60:0_70:0)'),
      storage: { id: TEST_DESCRIPTOR.id, path: 'fog.vtt' },
    };
    await expect(
      planSegment({ media: new MediaRegistry([store]) }, FLOW, segment, new IndexPlan()),
    ).rejects.toBeInstanceOf(TransientFailure);
  });
});
