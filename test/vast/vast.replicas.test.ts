/**
 * Two servers on one VAST database (`vast` project only): two app instances in this process,
 * each with its own VAST engine (so its own write turn, as two replicas have), on one schema of
 * the fake, which refuses the second of two transactions that changed one row: at its commit
 * (fake.store.ts), or, in the fake's other mode, at the call that makes the second change
 * (fake.claims.ts, as VAST's SDK tests expect of VAST). Every suite runs in both modes. Every
 * segment registration updates its Flow's row in its transaction, so of two registrations of
 * one Flow that overlap in time only one commits; the other runs again (TamsStore.transaction),
 * sees the winner's segment and refuses its own as overlapping.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTimeRange, type TimeRange } from '../../src/time/index.ts';
import { CONFLICTS_AT, type FakeVast } from '../../tools/vast-fake/fake.server.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { sharedFakeVast } from '../helpers/vast.mode.ts';
import { videoFlow } from '../http/fixtures.ts';
import { allSegments, newFlow, objectIds, secs } from '../segments/helpers.ts';

let a: TestServer;
let b: TestServer;
let vast: FakeVast;
const data = tempDir('tams-replicas-');
beforeAll(async () => {
  vast = await sharedFakeVast();
  // One data directory: one VAST schema for both (test/helpers/vast.mode.ts).
  // Reads never share a snapshot: a read right after the other server's write must see it here
  // (the 50 ms a shared one may lag is docs/replicas.md's bound, held in vast.engine.test).
  const env = { TAMS_WEBHOOK_ALLOW: '127.0.0.1', TAMS_VAST_READ_SNAPSHOT_MS: '0' };
  a = await startServer({ dataDir: data.path, env });
  b = await startServer({ dataDir: data.path, env });
});
afterAll(async () => {
  vast.faults.clear();
  await a?.close();
  await b?.close();
  data.remove();
});

/** Runs `send` on both servers at once, each round trip 20 ms so that the two overlap. */
async function atOnce<T>(send: (server: TestServer, n: number) => Promise<T>): Promise<[T, T]> {
  vast.faults.latencyMs = 20;
  try {
    return await Promise.all([send(a, 0), send(b, 1)]);
  } finally {
    vast.faults.latencyMs = 0;
  }
}

/** Rows of `table` whose `column` is `value`, read from the database under both servers. */
async function rows(table: string, column: string, value: string): Promise<number> {
  const all = await a.runtime.db.select(table, { columns: [column] });
  return all.filter((r) => r[column] === value).length;
}

describe.each(CONFLICTS_AT)('two servers on one VAST database, conflicts refused at the %s', (mode) => {
  beforeAll(() => {
    vast.store.conflictsAt = mode;
  });
  it('create one Flow, one Source, one webhook and one object id when both are asked at once', async () => {
    const flow = videoFlow();
    const conflicts = vast.stats.conflicts;
    const created = await atOnce((server, n) =>
      server.put(`/flows/${flow.id}`, { ...flow, label: `from ${n}` }),
    );
    // One creates (201), the other, run again after its commit lost, updates what it finds (204).
    expect(created.map((r) => r.status).sort(), created.map((r) => r.text).join('\n')).toEqual([201, 204]);
    expect([
      await rows('flows', 'id', flow.id as string),
      await rows('sources', 'id', flow.source_id as string),
    ]).toEqual([1, 1]);

    // Two Flows joining one new Source at once: one Source.
    const source = videoFlow().source_id as string;
    const joined = await atOnce((server) => {
      const member = videoFlow({ source_id: source });
      return server.put(`/flows/${member.id}`, member);
    });
    expect(joined.map((r) => r.status)).toEqual([201, 201]);
    expect(await rows('sources', 'id', source)).toBe(1);

    const url = 'http://127.0.0.1:1/replicas';
    const hooks = await atOnce((server) =>
      server.post('/service/webhooks', { url, events: ['flows/created'] }),
    );
    expect(
      hooks.map((r) => r.status),
      hooks.map((r) => r.text).join('\n'),
    ).toEqual([201, 201]);
    expect(await rows('webhooks', 'url', url)).toBe(1);

    const objectId = `replica-object-${flow.id as string}`;
    const allocated = await atOnce((server) =>
      server.post(`/flows/${flow.id}/storage`, { object_ids: [objectId] }),
    );
    expect(allocated.map((r) => r.status).sort(), allocated.map((r) => r.text).join('\n')).toEqual([
      201, 400,
    ]);
    expect(await rows('objects', 'id', objectId)).toBe(1);
    expect(vast.stats.conflicts - conflicts, 'changes refused by the database').toBeGreaterThanOrEqual(4);
  });

  it('lose no tag or property change made on each at the same time', async () => {
    const flowId = await newFlow(a);
    const conflicts = vast.stats.conflicts;
    // Each server changes its own tags and a property of one Flow, all at once, four rounds.
    for (let round = 0; round < 4; round++) {
      const answers = await atOnce((server, n) =>
        Promise.all([
          server.put(`/flows/${flowId}/tags/from_${n}_${round}`, `"${round}"`),
          server.put(`/flows/${flowId}/${n === 0 ? 'label' : 'description'}`, `"round ${round}"`),
        ]),
      );
      expect(answers.flat().map((r) => r.status)).toEqual([204, 204, 204, 204]);
    }
    for (const server of [a, b]) {
      const flow = (
        await server.get<{ tags: Record<string, string>; label: string; description: string }>(
          `/flows/${flowId}`,
        )
      ).body;
      expect(Object.keys(flow.tags).sort()).toEqual(
        [0, 1].flatMap((n) => [0, 1, 2, 3].map((r) => `from_${n}_${r}`)).sort(),
      );
      expect([flow.label, flow.description]).toEqual(['round 3', 'round 3']);
    }
    expect(vast.stats.conflicts - conflicts, 'changes refused by the database').toBeGreaterThan(0);
  });

  it('never both accept two overlapping segments POSTed to each at the same time', async () => {
    const PAIRS = 12;
    const flowId = await newFlow(a);
    const ids = await objectIds(a, flowId, 2 * PAIRS);
    // 20 ms per round trip: each server's transaction (begin, reads, writes, commit) spans the
    // other's, so both read before either commits and the database has to choose.
    vast.faults.latencyMs = 20;
    const conflictsBefore = vast.stats.conflicts;
    const pairs = await Promise.all(
      Array.from({ length: PAIRS }, async (_, k) => {
        const first = { object_id: ids[2 * k] as string, timerange: secs(3 * k, 3 * k + 2) };
        const second = { object_id: ids[2 * k + 1] as string, timerange: secs(3 * k + 1, 3 * k + 3) };
        const [ra, rb] = await Promise.all([
          a.post(`/flows/${flowId}/segments`, first),
          b.post(`/flows/${flowId}/segments`, second),
        ]);
        return { statuses: [ra.status, rb.status], texts: [ra.text, rb.text], first, second };
      }),
    );
    vast.faults.latencyMs = 0;
    const conflicts = vast.stats.conflicts - conflictsBefore;

    const accepted: string[] = [];
    for (const { statuses, texts, first, second } of pairs) {
      // One of each pair, either one: never both, never neither, never a 5xx.
      expect([...statuses].sort(), texts.join('\n')).toEqual([201, 400]);
      accepted.push(statuses[0] === 201 ? first.timerange : second.timerange);
    }
    expect(conflicts, 'changes refused by the database').toBeGreaterThan(0);

    // Both servers read the same segments back: exactly the accepted ones, none overlapping.
    for (const server of [a, b]) {
      const stored = (await allSegments(server, flowId)).map((s) => s.timerange);
      expect([...stored].sort()).toEqual([...accepted].sort());
      const ranges = stored.map((t) => parseTimeRange(t));
      for (let i = 1; i < ranges.length; i++) {
        expect((ranges[i - 1] as TimeRange).overlaps(ranges[i] as TimeRange)).toBe(false);
      }
    }
  });

  it('start together on one new store: migrations once, one bootstrap token, one first-admin token', async () => {
    const TOKEN = 'replicas-bootstrap-admin-token-0001';
    const auth = { TAMS_AUTH: 'required' };
    const headers = { authorization: `Bearer ${TOKEN}` };
    const tokens = async (server: TestServer, name: string) =>
      (await server.runtime.db.select('auth_tokens', { columns: ['name'] })).filter((r) => r.name === name)
        .length;

    // Two servers starting together on one new store, with one bootstrap secret. 50 ms per round
    // trip: their starts (about 60 round trips each, the same steps) keep in step.
    const dir = tempDir('tams-replicas-auth-');
    vast.faults.latencyMs = 50;
    const [p, q] = await Promise.all(
      [0, 1].map(() =>
        startServer({ dataDir: dir.path, env: { ...auth, TAMS_BOOTSTRAP_ADMIN_TOKEN: TOKEN } }),
      ),
    );
    vast.faults.latencyMs = 0;
    const [x, y] = [p as TestServer, q as TestServer];
    try {
      expect(await tokens(x, 'bootstrap-admin')).toBe(1);
      // Each migration applied and recorded once (the lease held by one of them at a time).
      const applied = (await x.runtime.db.select('schema_migrations', { columns: ['id'] })).map((r) => r.id);
      expect(applied.length).toBeGreaterThan(0);
      expect(new Set(applied).size).toBe(applied.length);
      for (const server of [x, y]) expect((await server.get('/auth/users', { headers })).status).toBe(200);
    } finally {
      await x.close();
      await y.close();
      dir.remove();
    }

    // Two servers starting together on one empty store without bootstrap variables: one of
    // them issues the first admin token, not both.
    const empty = tempDir('tams-replicas-first-');
    vast.faults.latencyMs = 50;
    const both = await Promise.all([0, 1].map(() => startServer({ dataDir: empty.path, env: auth })));
    vast.faults.latencyMs = 0;
    try {
      expect(await tokens(both[0] as TestServer, 'first-admin')).toBe(1);
    } finally {
      for (const server of both) await server.close();
      empty.remove();
    }
  });

  it('with no shared snapshot and no credential cache, show every acknowledged write to the other at once', async () => {
    const TOKEN = 'replicas-fresh-admin-token-0001';
    const fresh = {
      TAMS_AUTH: 'required',
      TAMS_BOOTSTRAP_ADMIN_TOKEN: TOKEN,
      TAMS_VAST_READ_SNAPSHOT_MS: '0',
      TAMS_AUTH_CACHE_SECONDS: '0',
      TAMS_WEBHOOK_ALLOW: '127.0.0.1',
    };
    const dir = tempDir('tams-replicas-fresh-');
    const x = await startServer({ dataDir: dir.path, env: fresh });
    const y = await startServer({ dataDir: dir.path, env: fresh });
    const admin = { headers: { authorization: `Bearer ${TOKEN}` } };
    try {
      const flow = videoFlow();
      const flowId = flow.id as string;
      expect((await x.put(`/flows/${flowId}`, flow, admin)).status).toBe(201);
      const allocated = await y.post<{ media_objects: { object_id: string }[] }>(
        `/flows/${flowId}/storage`,
        { limit: 1 },
        admin,
      );
      expect(allocated.status).toBe(201);
      const objectId = allocated.body.media_objects[0]?.object_id;
      for (let k = 0; k < 3; k++) {
        // Written on one, read on the other right after the 2xx, in turn both ways.
        const [w, r] = k % 2 === 0 ? [x, y] : [y, x];
        const timerange = secs(k, k + 1);
        expect(
          (await w.post(`/flows/${flowId}/segments`, { object_id: objectId, timerange }, admin)).status,
        ).toBe(201);
        const listed = await r.get<{ timerange: string }[]>(`/flows/${flowId}/segments`, admin);
        expect(listed.body.map((s) => s.timerange)).toContain(parseTimeRange(timerange).format());
        expect((await w.put(`/flows/${flowId}/tags/take`, `"${k}"`, admin)).status).toBe(204);
        expect((await r.get(`/flows/${flowId}/tags/take`, admin)).body).toBe(`${k}`);
      }
      const url = `http://127.0.0.1:1/fresh-${flowId}`;
      expect((await x.post('/service/webhooks', { url, events: ['flows/updated'] }, admin)).status).toBe(201);
      const hooks = await y.get<{ url: string }[]>('/service/webhooks', admin);
      expect(hooks.body.map((h) => h.url)).toContain(url);

      // A token issued on one is accepted by the other; revoked there, refused here at once.
      const issued = await x.post<{ token: string; id: string }>(
        '/auth/tokens',
        { name: 'fresh-reader', scopes: ['read'] },
        admin,
      );
      expect(issued.status).toBe(201);
      const reader = { headers: { authorization: `Bearer ${issued.body.token}` } };
      expect((await y.get('/flows', reader)).status).toBe(200);
      expect((await x.get('/flows', reader)).status).toBe(200);
      expect((await y.delete(`/auth/tokens/${issued.body.id}`, admin)).status).toBe(204);
      expect((await x.get('/flows', reader)).status).toBe(401);
    } finally {
      await x.close();
      await y.close();
      dir.remove();
    }
  });
});
