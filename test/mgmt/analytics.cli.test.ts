/**
 * `tams-mgmt analytics …` on a real store (test/mgmt/fixture.ts: Flow A, five 10 s segments with
 * 1 KiB objects; Flow B reusing A's first object and two external ones): the same reports as
 * /analytics, as tables or JSON, the export to a file, and the size backfill.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { objectSizes } from '../../src/analytics/store/sizes.repo.ts';
import { makeStore, mgmt, openStore, type Store } from './fixture.ts';

let store: Store;
beforeAll(async () => {
  store = await makeStore();
});
afterAll(() => store?.remove());

const json = async (...argv: string[]) => {
  const run = await mgmt(store.env, ...argv, '--json');
  expect(run.code, run.err).toBe(0);
  return JSON.parse(run.out) as Record<string, unknown>;
};

describe('tams-mgmt analytics', () => {
  it('sizes the objects registered before (backfill), then reports their bytes', async () => {
    const before = await json('analytics', 'storage');
    expect(before.backends).toEqual([expect.objectContaining({ objects: 5, bytes: 0, unsized_objects: 5 })]);
    const sizes = await mgmt(store.env, 'analytics', 'sizes');
    expect(sizes.code, sizes.err).toBe(0);
    expect(sizes.err).toMatch(/sizes: 8 segments, 5 objects sized, 0 without bytes/);
    const after = await json('analytics', 'storage');
    expect(after.backends).toEqual([
      expect.objectContaining({ objects: 5, bytes: 5 * 1024, unsized_objects: 0 }),
    ]);
    const usage = await json('analytics', 'usage', '--flow', store.flowA, '--bucket', '1m');
    expect(usage).toMatchObject({
      segments: 5,
      duration: '50:0',
      objects: 5,
      bytes: 5120,
      unsized_objects: 0,
    });
    expect((usage.ingest as unknown[]).length).toBe(1);
  });

  it('prints tables for people', async () => {
    const coverage = await mgmt(store.env, 'analytics', 'coverage', '--flow', store.flowA);
    expect(coverage.code, coverage.err).toBe(0);
    expect(coverage.out).toContain('1 spans, 0 gaps (0:0 s), 50:0 s covered by 5 segments');
    expect(coverage.out).toMatch(/^span\s+\[0:0_50:0\)/m);
    const top = await mgmt(store.env, 'analytics', 'top', '--by', 'segments');
    expect(top.out).toMatch(new RegExp(`^${store.flowA}\\s+A\\s+5\\s+50:0\\s+5\\.0 KiB`, 'm'));
    // A's five objects and B's two external ones (B reuses A's first): those two unsized.
    const storage = await mgmt(store.env, 'analytics', 'storage');
    expect(storage.out).toContain('store: 7 objects (external ones too), 5.0 KiB, 2 of unknown size');
    const durations = await mgmt(store.env, 'analytics', 'durations', '--per-flow');
    expect(durations.out).toMatch(/^all\s+8\s+10:0\s+10:0\s+10:0\s+10:0\s+10:0\s+10:0$/m);
    expect(durations.out).toMatch(new RegExp(`^${store.flowB}\\s+3\\s`, 'm'));
  });

  it('exports to a file, and drops orphaned sizes with --prune', async () => {
    const out = join(store.dir, 'a.csv');
    const run = await mgmt(
      store.env,
      'analytics',
      'export',
      '--table',
      'segments',
      '--format',
      'csv',
      '--flow',
      store.flowA,
      '--out',
      out,
    );
    expect(run.code, run.err).toBe(0);
    expect(run.err).toContain('export: 5 rows of segments as csv');
    expect(readFileSync(out, 'utf8').trimEnd().split('\n')).toHaveLength(6);
    const runtime = await openStore(store.env);
    try {
      await runtime.store.transaction((tx) =>
        objectSizes(tx).insert([{ objectId: 'no-such-object', size: 1n, checked: new Date() }]),
      );
    } finally {
      await runtime.close();
    }
    const prune = await mgmt(store.env, 'analytics', 'sizes', '--prune');
    expect(prune.err).toMatch(/ 1 pruned/);
  });

  it('says what is wrong with the options', async () => {
    for (const argv of [
      ['analytics', 'usage'],
      ['analytics', 'usage', '--flow', store.flowA, '--bucket', '2h'],
      ['analytics', 'coverage', '--flow', store.flowA, '--timerange', 'yesterday'],
      ['analytics', 'export'],
      ['analytics', 'export', '--table', 'auth_tokens'],
      ['analytics', 'top', '--limit', '0'],
    ]) {
      const run = await mgmt(store.env, ...argv);
      expect(run.code, argv.join(' ')).toBe(2);
    }
    // A value the reports refuse names the option.
    const far = await mgmt(
      store.env,
      'analytics',
      'coverage',
      '--flow',
      store.flowA,
      '--min-gap',
      '9223372037:0',
    );
    expect(far.code).toBe(2);
    expect(far.err).toContain('--min-gap 9223372037:0 is beyond the range this store keeps');
  });
});
