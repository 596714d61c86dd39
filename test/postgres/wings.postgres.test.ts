/**
 * The wings beyond the spec on PostgreSQL, end to end through the API of a server whose engine
 * opens from TAMS_DB=postgres on a real PostgreSQL (tools/postgres/): every analytics report
 * answers what the embedded engine answers for the same store (analytics.fixture.ts, built on
 * both with one clock), media search finds a caption's words, and an EXR upload gets its
 * catalogue row. A focused check of the wings' tables and queries on this engine; the whole
 * suites run on it in the `postgres` mode of the test harness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { buildFixture, E, F, type Fixture, G, L } from '../analytics/analytics.fixture.ts';
import { exrEnv, exrFlow, framesListed, gate, ingest, sample } from '../exr/exr.fixtures.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { indexed, type Programme, programme, search, searchEnv, webvtt } from '../search/search.fixtures.ts';
import { modelGate } from '../support/search/embed/embed.testkit.ts';
import { rowsIn } from './pg.probe.ts';

const available = postgresAvailable();
const model = modelGate();

/** The settings of a server on the throwaway PostgreSQL, in a schema of its own. */
function onPostgres(server: PostgresServer, schema: string): Record<string, string> {
  return { TAMS_DB: 'postgres', TAMS_POSTGRES_URL: server.url, TAMS_POSTGRES_SCHEMA: schema };
}

describe.skipIf(!available)('the wings on PostgreSQL', () => {
  let pg: PostgresServer;
  const dirs: { remove(): void }[] = [];
  const dataDir = () => {
    const dir = tempDir('tams-pg-wings-');
    dirs.push(dir);
    return dir.path;
  };
  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(async () => {
    await pg?.close();
    for (const dir of dirs) dir.remove();
  });

  describe('analytics', () => {
    let onPg: Fixture | undefined;
    let embedded: Fixture | undefined;
    beforeAll(async () => {
      const nowMs = Date.now();
      onPg = await buildFixture({ nowMs, dataDir: dataDir(), env: onPostgres(pg, 'analytics') });
      embedded = await buildFixture({ nowMs });
    });
    afterAll(async () => {
      await onPg?.close();
      await embedded?.close();
    });

    /** The same request to both stores: the status and body PostgreSQL's server answered. */
    async function both(path: string, query: Record<string, string> = {}) {
      const [pgRes, duckRes] = await Promise.all(
        [onPg, embedded].map((f) => (f as Fixture).server.server.get(path, { query })),
      );
      expect(pgRes?.status, `${path} on PostgreSQL: ${pgRes?.text}`).toBe(200);
      expect(pgRes?.body, `${path} ${JSON.stringify(query)}`).toEqual(duckRes?.body);
      expect(pgRes?.headers.get('x-paging-nextkey')).toBe(duckRes?.headers.get('x-paging-nextkey'));
      return pgRes?.body as Record<string, unknown>;
    }

    it('answers every report as the embedded engine does', async () => {
      const fx = onPg as Fixture;
      const tr = (a: number, b: number) => `[${fx.at(a)}_${fx.at(b)})`;
      // Figures of analytics.reports.test.ts, so that two empty answers cannot pass.
      expect(await both(`/analytics/flows/${L}/usage`)).toMatchObject({
        segments: 7,
        bytes: 10500,
        objects: 6,
      });
      await both(`/analytics/flows/${L}/usage`, { timerange: tr(30, 3610), bucket: '1m' });
      await both(`/analytics/flows/${L}/usage`, { limit: '1' });
      await both(`/analytics/flows/${G}/usage`);
      await both(`/analytics/flows/${E}/usage`);
      expect(await both(`/analytics/flows/${L}/coverage`)).toMatchObject({ segments: 7 });
      await both(`/analytics/flows/${L}/coverage`, { min_gap: '10:0' });
      await both(`/analytics/flows/${F}/coverage`, { min_gap: '0:1' });
      expect(await both('/analytics/storage')).toMatchObject({
        totals: { objects: 10, bytes: 11050, unsized_objects: 1 },
        unreferenced: { allocated_unused: 1, awaiting_deletion: 1 },
      });
      await both('/analytics/storage', { bucket: 'hour' });
      expect(await both('/analytics/segments/durations')).toMatchObject({ segments: 12, p50: '5:0' });
      await both('/analytics/segments/durations', { format: 'urn:x-nmos:format:video' });
      await both('/analytics/segments/durations', { flow_id: L, timerange: tr(3600, 3700) });
      await both('/analytics/segments/durations', { group_by: 'flow', limit: '2' });
      const top = await both('/analytics/flows/top');
      expect((top.flows as { flow_id: string }[]).map((f) => f.flow_id)).toContain(L);
      await both('/analytics/flows/top', { by: 'segments' });
      await both('/analytics/flows/top', { by: 'duration' });
      await both('/analytics/flows/top', { by: 'rate', timerange: tr(0, 3600) });
      // Answered from PostgreSQL's tables, not from anything the server kept aside.
      expect(await rowsIn(pg.url, 'analytics')).toMatchObject({ flows: 4, segments: 12, object_sizes: 10 });
    });

    it("exports a Flow's segments as the embedded engine does (object ids are each store's own)", async () => {
      const csv = async (fx: Fixture) => {
        const url = new URL('/analytics/export', fx.server.server.url);
        for (const [k, v] of Object.entries({ table: 'segments', format: 'csv', flow_id: L }))
          url.searchParams.set(k, v);
        const res = await fetch(url);
        expect(res.status).toBe(200);
        let text = await res.text();
        for (const [name, id] of Object.entries(fx.objects)) text = text.replaceAll(id, name);
        return { rows: res.headers.get('x-export-rows'), text };
      };
      const [fromPg, fromDuck] = [await csv(onPg as Fixture), await csv(embedded as Fixture)];
      expect(fromPg.rows).toBe('7');
      expect(fromPg.text).toEqual(fromDuck.text);
    });
  });

  describe('media search and EXR', () => {
    let server: TestServer | undefined;
    let show: Programme | undefined;
    beforeAll(async () => {
      server = await startServer({
        dataDir: dataDir(),
        // With the embedding model where it is installed: its vectors are PostgreSQL rows too.
        env: { ...searchEnv(!model.skip), ...exrEnv(), ...onPostgres(pg, 'wings') },
      });
      show = await programme(server, {
        label: 'Saturday football',
        videoSeconds: 20,
        captions: [
          [
            0,
            20,
            webvtt([
              [2, 6, "Welcome to the stadium for this afternoon's match."],
              [10, 14, 'He blasts it past the keeper in the ninetieth minute, what a winner!'],
            ]),
          ],
        ],
      });
      await indexed(server);
    });
    afterAll(async () => {
      await server?.close();
    });

    it('finds the words of an indexed caption', async () => {
      const found = await search(server as TestServer, { q: 'keeper', mode: 'keyword', kind: 'caption' });
      expect(found.status, found.text).toBe(200);
      expect(found.body.hits).toHaveLength(1);
      expect(found.body.hits[0]).toMatchObject({ flow_id: show?.video, timerange: '[10:0_14:0)' });
      const none = await search(server as TestServer, { q: 'zeppelin', mode: 'keyword' });
      expect(none.body.hits).toEqual([]);
      const rows = await rowsIn(pg.url, 'wings');
      expect(rows.search_postings).toBeGreaterThan(0);
    });

    it.skipIf(model.skip)(`finds a caption by meaning${model.note}`, async () => {
      const res = await search(server as TestServer, {
        q: 'late goal decides the game',
        mode: 'semantic',
        kind: 'caption',
      });
      expect(res.status, res.text).toBe(200);
      expect(res.body.hits[0]).toMatchObject({ flow_id: show?.video, timerange: '[10:0_14:0)' });
    });

    it.skipIf(gate.skip)('catalogues an uploaded EXR frame', async () => {
      const api = server as TestServer;
      const flowId = await exrFlow(api);
      const [objectId] = await ingest(api, flowId, [{ bytes: sample('scanline_rgba_half_zip') }]);
      const [frame] = await framesListed(api, flowId, 1);
      expect(frame).toMatchObject({
        status: 'inspected',
        object_id: objectId,
        width: 64,
        height: 48,
        channel_names: ['A', 'B', 'G', 'R'],
      });
      expect(await rowsIn(pg.url, 'wings')).toMatchObject({ exr_files: 1, exr_frames: 1, exr_channels: 4 });
    });
  });
});
