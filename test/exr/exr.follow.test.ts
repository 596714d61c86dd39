/**
 * The follower of the outbox: what was registered while EXR inspection was off is caught up at
 * the next start (from the saved cursor), a replica holding the lease keeps the others off until
 * it lets go, a restart does not inspect again what was applied, and `tams-mgmt exr backfill`
 * catalogues the EXR Flows' segments with its progress.
 */

import { afterAll, describe, expect, it } from 'vitest';
import { exrFeature } from '../../src/exr/exr.feature.ts';
import { runCli } from '../helpers/cli.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { waitFor } from '../segments/helpers.ts';
import { exrEnv, exrFlow, type FileDoc, files, framesListed, gate, ingest, sample } from './exr.fixtures.ts';

const dir = tempDir('tams-exr-follow-');
afterAll(() => dir.remove());

const EXR_OFF = { ...exrEnv(), TAMS_EXR: 'false' };
// The CLI opens the data directory's DuckDB file (on a shared engine the test servers' schema is
// their own).
const embedded = !onSharedEngine;
const frames = (names: string[]) => names.map((n) => ({ bytes: sample(n) }));

describe.skipIf(gate.skip)(`the EXR follower across restarts and replicas${gate.note}`, () => {
  it('catches up after a start, leaves the catalogue to the lease holder, and resumes from its cursor', async () => {
    const off = await startServer({ dataDir: dir.path, env: EXR_OFF });
    const flowId = await exrFlow(off);
    await ingest(
      off,
      flowId,
      frames(['scanline_rgba_half_zip', 'scanline_rgba_half_rle', 'scanline_rgba_half_piz']),
    );
    expect((await off.get('/exr/files')).status).toBe(404);
    await off.close();

    const on = await startServer({ dataDir: dir.path, env: exrEnv() });
    await framesListed(on, flowId, 3);
    // Another replica takes the lease (once this one, idle, let it go): new frames wait for it.
    await waitFor(
      'the exr-inspect lease taken by another replica',
      () =>
        on.runtime.store.transaction((tx) =>
          tx.leases.take('exr-inspect', 'another-replica', new Date(), 3600_000),
        ),
      20_000,
    );
    await ingest(on, flowId, frames(['scanline_rgba_half_b44', 'scanline_rgba_half_b44a']), 3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect((await files(on, { flow_id: flowId, status: 'all' })).body).toHaveLength(3);
    await on.runtime.store.transaction((tx) => tx.leases.release('exr-inspect', 'another-replica'));
    on.runtime.features.get(exrFeature)?.follower.wake();
    const five = await framesListed(on, flowId, 5);
    expect(five.map((f) => f.frame?.frame_number)).toEqual([0, 1, 2, 3, 4]);
    await on.close();

    const again = await startServer({ dataDir: dir.path, env: exrEnv() });
    await ingest(again, flowId, frames(['scanline_rgba_half_dwaa']), 5);
    const six = await framesListed(again, flowId, 6);
    // Applied once each: nothing was inspected twice across the restarts.
    expect(six.map((f: FileDoc) => f.inspection_count)).toEqual([1, 1, 1, 1, 1, 1]);
    await again.close();
  });

  it.skipIf(!embedded)('backfills the EXR Flows from the tables with a progress bar', async () => {
    const env = { TAMS_DATA_DIR: dir.path, ...exrEnv() };
    const run = await runCli(['exr', 'backfill'], { env });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/backfill: segments: 6 \/ 6 \(100%\)/);
    expect(run.err).toMatch(/backfill: 6 segments, 0 files inspected, 0 failed/);
    const forced = await runCli(['exr', 'backfill', '--force'], { env });
    expect(forced.code, forced.err).toBe(0);
    expect(forced.err).toMatch(/backfill: 6 segments, 6 files inspected, 0 failed/);
    const unknown = await runCli(['exr', 'backfill', '--flow', '7c9e6679-7425-40de-944b-e07fc1f90ae7'], {
      env,
    });
    expect(unknown.code).toBe(1);

    const server = await startServer({ dataDir: dir.path, env: exrEnv() });
    const listed = (await files(server, { limit: 100 })).body;
    expect(listed).toHaveLength(6);
    expect(listed.every((f) => f.inspection_count === 2)).toBe(true);
    await server.close();
  });
});
