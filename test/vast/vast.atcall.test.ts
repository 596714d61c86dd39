/**
 * Conflicts refused at the call (`vast` project only): the fake VAST refuses the second of two open
 * transactions' changes of one row at that call, with 409 `SerializationFailure` (fake.claims.ts),
 * as VAST's SDK tests expect of VAST. Every 409 to a write call is a conflict, as at commit and as
 * both of VAST's official clients take it: the store runs the transaction again (TamsStore).
 * Measured before: `PUT /flows/{id}/label` answered 500, and a server whose event-slot claim met
 * the refusal did not start.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeTables } from '../../src/store/tables.ts';
import type { FakeRequestInfo, FakeVast, Hold } from '../../tools/vast-fake/fake.server.ts';
import { EVENT_ENV } from '../events/events.fixture.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { sharedFakeVast, vastModeEnv } from '../helpers/vast.mode.ts';
import { videoFlow } from '../http/fixtures.ts';
import { newFlow } from '../segments/helpers.ts';

let vast: FakeVast;
const dirs: ReturnType<typeof tempDir>[] = [];
const servers: TestServer[] = [];
beforeAll(async () => {
  vast = await sharedFakeVast();
  vast.store.conflictsAt = 'call';
});
afterAll(async () => {
  vast.faults.clear();
  for (const s of servers) await s.close();
  for (const d of dirs) d.remove();
});

async function serve(dir: string): Promise<TestServer> {
  const server = await startServer({ dataDir: dir, env: { ...EVENT_ENV, TAMS_VAST_READ_SNAPSHOT_MS: '0' } });
  servers.push(server);
  return server;
}

function newDir(): string {
  const dir = tempDir('tams-atcall-');
  dirs.push(dir);
  return dir.path;
}

const onTable = (req: FakeRequestInfo, table: string) => req.target.split('?')[0]?.endsWith(`/${table}`);

/** Holds the commit of the next transaction that updates `table` (its claims stay meanwhile). */
function holdCommitOfUpdate(table: string): Hold {
  let txid: string | undefined;
  return vast.faults.hold({
    times: 1,
    match: (req) => {
      if (txid === undefined && req.kind === 'update' && onTable(req, table)) {
        txid = req.headers['tabular-txid'];
        return false;
      }
      return req.kind === 'commit' && txid !== undefined && req.headers['tabular-txid'] === txid;
    },
  });
}

describe('a server on a VAST that refuses conflicts at the call', () => {
  it('runs a label change refused at the call with 409 SerializationFailure again: 204, not 500', async () => {
    const dir = newDir();
    const a = await serve(dir);
    const b = await serve(dir);
    const flowId = await newFlow(a);
    const hold = holdCommitOfUpdate('flows');
    const first = b.put(`/flows/${flowId}/label`, '"from b"');
    await expect.poll(() => hold.held).toBe(1);
    const refused = vast.stats.callConflicts;
    const second = a.put(`/flows/${flowId}/label`, '"from a"');
    // a's update of the Flow's row is refused at the call while b's transaction holds it.
    await expect.poll(() => vast.stats.callConflicts).toBeGreaterThan(refused);
    hold.release();
    const [rb, ra] = await Promise.all([first, second]);
    expect([rb.status, ra.status], `${rb.text}\n${ra.text}`).toEqual([204, 204]);
    expect((await b.get(`/flows/${flowId}/label`)).body).toBe('from a');
  });

  it("claims an event slot for a server's first write though another server's open transaction holds the row", async () => {
    const dir = newDir();
    const p = await serve(dir);
    const q = await serve(dir);
    expect(q.runtime.store.eventSlot).toBeUndefined();
    // p's next event-writing transaction updates its slot row; its commit is held.
    const hold = holdCommitOfUpdate('event_slots');
    const held = videoFlow();
    const pending = p.put(`/flows/${held.id}`, held);
    await expect.poll(() => hold.held).toBe(1);
    // q's first write takes a new slot: the claim writes the lowest slot row, p's, which p's open
    // transaction holds: refused at the call.
    const refused = vast.stats.callConflicts;
    const flow = videoFlow();
    const created = q.put(`/flows/${flow.id}`, flow);
    await expect.poll(() => vast.stats.callConflicts).toBeGreaterThan(refused);
    hold.release();
    const [rp, rq] = await Promise.all([pending, created]);
    expect([rp.status, rq.status], `${rp.text}\n${rq.text}`).toEqual([201, 201]);
    expect(q.runtime.store.eventSlot).toBeTypeOf('number');
    expect(q.runtime.store.eventSlot).not.toBe(p.runtime.store.eventSlot);
  });
});

describe('two servers starting together on an empty schema of a VAST that refuses conflicts at the call', () => {
  it('both come up, with every table made once and each migration applied once', async () => {
    const dir = newDir();
    const schema = (await vastModeEnv(dir)).TAMS_VAST_SCHEMA as string;
    expect([...vast.store.committed.tables.keys()].filter((k) => k.startsWith(`${schema}/`))).toEqual([]);
    // The first DDL transaction's commit is held until the other server's DDL comes: that one
    // is refused at the call (the schema, or the table, is the held transaction's), whatever
    // order the two starts take.
    const refused = vast.stats.callConflicts;
    let first: string | undefined;
    const hold: Hold = vast.faults.hold({
      times: 1,
      match: (req) => {
        const txid = req.headers['tabular-txid'];
        if (req.kind === 'ddl' && first === undefined) first = txid;
        else if (req.kind === 'ddl' && txid !== first && hold.held > 0) hold.release();
        return req.kind === 'commit' && txid === first;
      },
    });
    const started = await Promise.allSettled([serve(dir), serve(dir)]);
    expect(
      started.map((s) => s.status),
      started.map((s) => (s.status === 'rejected' ? String(s.reason) : '')).join('\n'),
    ).toEqual(['fulfilled', 'fulfilled']);
    expect(vast.stats.callConflicts - refused, 'DDL refused at the call').toBeGreaterThan(0);
    const [x] = started.map((s) => (s as PromiseFulfilledResult<TestServer>).value) as [TestServer];
    const tables = [...vast.store.committed.tables]
      .filter(([k]) => k.startsWith(`${schema}/`))
      .map(([k, t]) => ({ name: k.slice(schema.length + 1), columns: t.fields.map((f) => f.name) }));
    expect(tables.map((t) => t.name).sort()).toEqual(storeTables.map((t) => t.name).sort());
    for (const t of tables) expect(new Set(t.columns).size, t.name).toBe(t.columns.length);
    const applied = (await x.runtime.db.select('schema_migrations', { columns: ['id'] })).map((r) => r.id);
    expect(new Set(applied).size).toBe(applied.length);
  });
});
