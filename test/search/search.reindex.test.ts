/**
 * The index built from the tables: a store that had media before search was on is indexed at the
 * next start; `tams-mgmt search reindex` empties it and builds it again, with its progress; a
 * restart goes on from the saved cursor.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { indexed, programme, search, searchEnv, webvtt } from './search.fixtures.ts';

const dir = tempDir('tams-search-reindex-');
afterAll(() => dir.remove());

const SEARCH_OFF = { ...searchEnv(), TAMS_SEARCH: 'false' };
// Embedded engine only: the CLI opens the data directory's DuckDB file (on a shared engine the
// servers of the vast and postgres projects share a schema the CLI does not open the same way).
const embedded = !onSharedEngine;

describe.skipIf(!embedded)('the search index built from the store', () => {
  it('indexes what the store held before search was on, reindexes on demand, and resumes after a restart', async () => {
    const before = await startServer({ dataDir: dir.path, env: SEARCH_OFF });
    const p = await programme(before, {
      label: 'Archive: moon landing',
      videoSeconds: 20,
      captions: [[0, 20, webvtt([[4, 8, 'The astronauts stepped onto the lunar surface.']])]],
    });
    expect((await before.get('/search', { query: { q: 'lunar' } })).status).toBe(404);
    await before.close();

    const first = await startServer({ dataDir: dir.path, env: searchEnv() });
    const status = await indexed(first);
    expect(status.documents).toBeGreaterThanOrEqual(4);
    expect((await search(first, { q: 'lunar surface', mode: 'keyword' })).body.hits[0]).toMatchObject({
      flow_id: p.video,
      timerange: '[4:0_8:0)',
    });
    await first.close();

    const run = await runCli(['search', 'reindex'], { env: { TAMS_DATA_DIR: dir.path, ...searchEnv() } });
    expect(run.code, run.err).toBe(0);
    expect(run.err).toMatch(/reindex: items read: \d+ \/ \d+ \(100%\)/);
    expect(run.err).toMatch(/reindex: \d+ documents/);
    const statusLine = await runCli(['search', 'status', '--json'], {
      env: { TAMS_DATA_DIR: dir.path, ...searchEnv() },
    });
    expect(JSON.parse(statusLine.out)).toMatchObject({ up_to_date: true, building: false });

    const second = await startServer({ dataDir: dir.path, env: searchEnv() });
    await indexed(second);
    expect((await search(second, { q: 'astronauts', mode: 'keyword' })).body.hits).toHaveLength(1);
    const q = await programme(second, {
      label: 'Archive: harbour',
      videoSeconds: 10,
      captions: [[0, 10, webvtt([[1, 3, 'Fishing boats return to the harbour.']])]],
    });
    await indexed(second);
    await second.close();

    const third = await startServer({ dataDir: dir.path, env: searchEnv() });
    const after = await indexed(third);
    expect(after.building).toBe(false);
    expect((await search(third, { q: 'harbour boats', mode: 'keyword' })).body.hits[0]?.flow_id).toBe(
      q.video,
    );
    expect((await search(third, { q: 'astronauts', mode: 'keyword' })).body.hits).toHaveLength(1);
    await third.close();
  });
});
