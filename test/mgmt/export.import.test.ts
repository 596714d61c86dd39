/**
 * `export` and `import`: a Flow and its segments as JSON lines, reproduced in another store.
 * Objects: reused when present, recorded at the same path when the target has their storage
 * backend, external when their first segment carries get_urls; otherwise the import is refused
 * before anything is written.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/deps.ts';
import type { SegmentRecord } from '../../src/store/segments.repo.ts';
import { TimeRange } from '../../src/time/index.ts';
import { tempDir } from '../helpers/server.ts';
import { counts, makeStore, mgmt, openStore, type Store } from './fixture.ts';

let source: Store;
let fsId: string;
const work = tempDir('tams-export-');
const targets: (() => void)[] = [];
beforeAll(async () => {
  source = await makeStore();
  const runtime = await openStore(source.env);
  fsId = runtime.media.stores[0]?.descriptor.id as string;
  await runtime.close();
});
afterAll(() => {
  source.remove();
  work.remove();
  for (const remove of targets) remove();
});

/** An empty store; `sharedMedia`: it has the source's fs backend (same id, same directory). */
function target(sharedMedia: boolean): Record<string, string> {
  const dir = tempDir('tams-import-');
  targets.push(dir.remove);
  const env: Record<string, string> = {
    TAMS_DATA_DIR: dir.path,
    TAMS_AUTH: 'none',
    TAMS_LOG_LEVEL: 'silent',
  };
  if (sharedMedia) {
    env.TAMS_FS_STORAGE_ID = fsId;
    env.TAMS_MEDIA_DIR = join(source.dir, 'media');
  }
  return env;
}

async function segmentsOf(env: Record<string, string>, flowId: string): Promise<SegmentRecord[]> {
  const runtime = await openStore(env);
  try {
    return (await runtime.store.segments.page(flowId, TimeRange.ETERNITY, { reverse: false, limit: 1000 }))
      .items;
  } finally {
    await runtime.close();
  }
}

/** The URLs of each object (its uncontrolled instances: TAMS 8.2, ADR 0038), in order. */
async function urlsOf(
  env: Record<string, string>,
  ids: readonly string[],
): Promise<(string | undefined)[][]> {
  const runtime = await openStore(env);
  try {
    const found = await runtime.store.instances.among(ids);
    return ids.map((id) => (found.get(id) ?? []).map((i) => i.url));
  } finally {
    await runtime.close();
  }
}

async function documents(env: Record<string, string>, flowId: string) {
  const runtime: Runtime = await openStore(env);
  try {
    const flow = await runtime.flows.get(flowId, { includeTimerange: true });
    const sourceDoc = await runtime.sources.get(flow.source_id);
    const strip = (d: Record<string, unknown>) => {
      const {
        created,
        metadata_updated,
        segments_updated,
        metadata_version,
        updated,
        collected_by,
        ...rest
      } = d;
      return rest;
    };
    return {
      flow: strip(flow as Record<string, unknown>),
      source: strip(sourceDoc as Record<string, unknown>),
    };
  } finally {
    await runtime.close();
  }
}

describe('tams-mgmt export', () => {
  it('writes a header, each object once, each segment and an end line', async () => {
    const file = join(work.path, 'a.jsonl');
    const run = await mgmt(source.env, 'export', '--flow', source.flowA, '--out', file);
    expect(run.code, run.err).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines[0]).toMatchObject({ type: 'tams-flow-export', version: 1, flow: { id: source.flowA } });
    expect(lines.filter((l) => l.type === 'object')).toHaveLength(5);
    expect(lines.filter((l) => l.type === 'object').every((l) => l.storage_id === fsId)).toBe(true);
    expect(lines.filter((l) => l.type === 'segment')).toHaveLength(5);
    expect(lines.at(-1)).toEqual({ type: 'end', segments: 5, objects: 5 });
  });

  it('fails for an unknown Flow', async () => {
    const run = await mgmt(
      source.env,
      'export',
      '--flow',
      crypto.randomUUID(),
      '--out',
      join(work.path, 'x'),
    );
    expect(run.code).toBe(1);
    expect(run.err).toContain('does not exist');
  });
});

describe('tams-mgmt import', () => {
  it('reproduces a Flow with objects in a shared backend: documents, segments and their storage', async () => {
    const file = join(work.path, 'a2.jsonl');
    expect((await mgmt(source.env, 'export', '--flow', source.flowA, '--out', file)).code).toBe(0);
    const env = target(true);
    const run = await mgmt(env, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    expect(run.out).toContain('5 of 5 segments');
    expect(run.out).toContain('5 in this store');
    const before = await documents(source.env, source.flowA);
    const after = await documents(env, source.flowA);
    // The collection (Flow C) is not in the target; everything else is reproduced, read_only included.
    expect(after.flow).toEqual({ ...before.flow, collected_by: undefined });
    expect(after.flow.read_only).toBe(true);
    expect(after.source).toEqual(before.source);
    const original = await segmentsOf(source.env, source.flowA);
    const imported = await segmentsOf(env, source.flowA);
    expect(imported).toEqual(original);
    expect(imported[0]?.storage?.id).toBe(fsId);
    expect((await mgmt(env, 'verify')).code).toBe(0);

    const again = await mgmt(env, 'import', file);
    expect(again.code).toBe(1);
    expect(again.err).toContain('already exists');
    const copy = crypto.randomUUID();
    const renamed = await mgmt(env, 'import', file, '--as', copy);
    expect(renamed.code, renamed.err).toBe(0);
    // The second copy reuses the objects the first import created.
    expect(renamed.out).toContain('5 already here');
    expect((await segmentsOf(env, copy)).map((s) => s.timerange.format())).toEqual(
      original.map((s) => s.timerange.format()),
    );
  });

  it('imports external objects anywhere and refuses objects it cannot place, writing nothing', async () => {
    const fileB = join(work.path, 'b.jsonl');
    expect((await mgmt(source.env, 'export', '--flow', source.flowB, '--out', fileB)).code).toBe(0);
    const fileA = join(work.path, 'a3.jsonl');
    expect((await mgmt(source.env, 'export', '--flow', source.flowA, '--out', fileA)).code).toBe(0);
    const env = target(false);
    const empty = await counts(env);

    const refused = await mgmt(env, 'import', fileA);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain('neither in this store nor in one of its storage backends');
    expect(await counts(env)).toEqual(empty);

    // B's first segment uses A's object (no get_urls): refused too.
    expect((await mgmt(env, 'import', fileB)).code).toBe(1);
    // B without that segment: its external objects import.
    const lines = readFileSync(fileB, 'utf8').trim().split('\n');
    const kept = lines.filter((l) => !l.includes(source.objectsA[0] as string));
    const end = JSON.parse(kept.pop() as string);
    kept.push(JSON.stringify({ ...end, segments: 2, objects: 2 }));
    const fileB2 = join(work.path, 'b2.jsonl');
    (await import('node:fs')).writeFileSync(fileB2, `${kept.join('\n')}\n`);
    const run = await mgmt(env, 'import', fileB2);
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('2 external');
    const imported = await segmentsOf(env, source.flowB);
    expect(
      await urlsOf(
        env,
        imported.map((s) => s.object_id),
      ),
    ).toEqual([['http://media.invalid/ext-1'], ['http://media.invalid/ext-2']]);
  });

  it('rejects a truncated file', async () => {
    const file = join(work.path, 'a4.jsonl');
    expect((await mgmt(source.env, 'export', '--flow', source.flowA, '--out', file)).code).toBe(0);
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const truncated = join(work.path, 'cut.jsonl');
    (await import('node:fs')).writeFileSync(truncated, `${lines.slice(0, -2).join('\n')}\n`);
    const run = await mgmt(target(true), 'import', truncated);
    expect(run.code).toBe(1);
    expect(run.err).toContain('truncated');
  });
  it('carries list-valued tags (TAMS 8.x) of the Flow and its Source', async () => {
    const lists = { langs: ['en', 'fr'], none: [] };
    const writer = await openStore(source.env);
    try {
      await writer.store.transaction(async (store) => {
        const flow = await store.flows.get(source.flowA);
        if (!flow) throw new Error('no Flow A');
        await store.flows.save({ ...flow, tags: { ...flow.tags, ...lists } }, false);
        await store.sources.tags.put(flow.source_id, 'crew', ['a', 'b']);
      });
    } finally {
      await writer.close();
    }
    const file = join(work.path, 'a5.jsonl');
    expect((await mgmt(source.env, 'export', '--flow', source.flowA, '--out', file)).code).toBe(0);
    const env = target(true);
    const run = await mgmt(env, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    const reader = await openStore(env);
    try {
      const flow = await reader.store.flows.get(source.flowA);
      expect(flow?.tags).toEqual({ show: 'news', take: '3', ...lists });
      expect((await reader.store.sources.get(flow?.source_id ?? ''))?.tags).toEqual({ crew: ['a', 'b'] });
    } finally {
      await reader.close();
    }
  });
});
