/**
 * What the engine makes of a refusal, over real HTTP: the fake VAST server behind a loopback
 * proxy that answers chosen calls as a real cluster might. Every 409, at commit or at a call,
 * whatever its code, is a conflict (both official clients' rule), so the write is run again, never
 * failed or doubled; whether a schema, table or column exists is decided by exact-name listings
 * (the SDK's way), so a 409 to a create of something not listed is a conflict too (another
 * process's open transaction making it): the DDL runs again, and a 409 that persists surfaces as a
 * conflict; a missing table answered otherwise than 404 is still missing.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isCommit,
  LOSE_ANSWER,
  type ProxyAnswer,
  type VastProxy,
  vastProxy,
  vastRefusal,
} from '../../../../test/support/db/engines/vast/vast.proxy.testkit.ts';
import { testEngine } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { CONFLICT_RUNS } from '../../db.conflicts.ts';
import { DbConflictError, DbUnavailableError } from '../../db.errors.ts';
import type { TableDef } from '../../db.types.ts';
import { VastHttpError } from './transport/transport.errors.ts';
import type { VastEngine } from './vast.engine.ts';
import { VastCommitUnknownError } from './vast.tx.ts';

const T: TableDef = {
  name: 'items',
  columns: [
    { name: 'id', type: 'int64', nullable: false },
    { name: 'label', type: 'string' },
  ],
};

let vast: FakeVast;
let proxy: VastProxy;
const engines: VastEngine[] = [];
beforeAll(async () => {
  vast = await startFakeVast();
  proxy = await vastProxy(vast.url);
});
afterEach(async () => {
  proxy.intercept = () => undefined;
  for (const e of engines.splice(0)) await e.close();
});
afterAll(async () => {
  await proxy?.close();
  await vast?.close();
});

let schemas = 0;
/** An engine through the proxy, in a schema of its own, and one straight to the fake beside it. */
function engines2(): { viaProxy: VastEngine; direct: VastEngine } {
  const schema = `refusals_${++schemas}`;
  const viaProxy = testEngine({ ...vast, url: proxy.url }, schema);
  const direct = testEngine(vast, schema);
  engines.push(viaProxy, direct);
  return { viaProxy, direct };
}

/** Answers the first `times` requests `pick` chooses with `answer`; forwards the rest. */
function refuse(
  pick: (method: string, target: string) => boolean,
  answer: ProxyAnswer,
  times = 1,
): () => number {
  let fired = 0;
  proxy.intercept = (seen) => {
    if (fired >= times || !pick(seen.method, seen.target)) return undefined;
    fired++;
    return answer;
  };
  return () => fired;
}

const onTarget = (method: string, pattern: RegExp) => (m: string, target: string) =>
  m === method && pattern.test(target);

describe('a 409 at commit', () => {
  it('of an autocommit write whatever its code: the write runs again, stored once', async () => {
    const { viaProxy } = engines2();
    await viaProxy.createTable(T);
    const fired = refuse(
      onTarget('PUT', /^\/\?transaction$/),
      vastRefusal(409, 'TransactionAborted', 'aborted'),
    );
    await viaProxy.session.insert('items', [{ id: 1n, label: 'one' }]);
    expect(fired()).toBe(1);
    expect(await viaProxy.session.select('items')).toEqual([{ id: 1n, label: 'one' }]);
  });

  it('of a transaction: a DbConflictError (the store runs it again), nothing applied', async () => {
    const { viaProxy } = engines2();
    await viaProxy.createTable(T);
    proxy.intercept = (seen) =>
      isCommit(seen) ? vastRefusal(409, 'SerializationFailure', 'lost') : undefined;
    const outcome = await viaProxy
      .transaction((tx) => tx.insert('items', [{ id: 2n, label: 'two' }]))
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(DbConflictError);
    proxy.intercept = () => undefined;
    expect(await viaProxy.session.select('items')).toEqual([]);
  });

  // The first try of the commit is applied and its answer lost; the resend is refused 409 (what
  // VAST answers a second commit is not published). Re-running the write would store it twice.
  it('to a resend after a lost answer: 503, the write not run again, stored once', async () => {
    const { viaProxy, direct } = engines2();
    await viaProxy.createTable(T);
    let commits = 0;
    proxy.intercept = (seen) => {
      if (!isCommit(seen)) return undefined;
      commits++;
      return commits === 1 ? LOSE_ANSWER : vastRefusal(409, 'TransactionConflict', 'not open');
    };
    const outcome = await viaProxy.session
      .insert('items', [{ id: 3n, label: 'three' }])
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(VastCommitUnknownError);
    expect(outcome).toBeInstanceOf(DbUnavailableError);
    expect(outcome).not.toBeInstanceOf(DbConflictError);
    expect(commits).toBe(2);
    proxy.intercept = () => undefined;
    expect(await direct.session.select('items')).toEqual([{ id: 3n, label: 'three' }]);
  });
});

describe('a 409 at a write call', () => {
  const refused = vastRefusal(409, 'SerializationFailure', 'changed by another open transaction');

  it('of an autocommit write whatever its code: the write runs again, stored once', async () => {
    const { viaProxy } = engines2();
    await viaProxy.createTable(T);
    const fired = refuse(onTarget('POST', /\/items\?rows$/), refused);
    await viaProxy.session.insert('items', [{ id: 1n, label: 'one' }]);
    expect(fired()).toBe(1);
    expect(await viaProxy.session.select('items')).toEqual([{ id: 1n, label: 'one' }]);
  });

  it('of a transaction: a DbConflictError naming the answer (the store runs it again), nothing applied', async () => {
    const { viaProxy } = engines2();
    await viaProxy.createTable(T);
    refuse(onTarget('POST', /\/items\?rows$/), refused);
    const outcome = await viaProxy
      .transaction((tx) => tx.insert('items', [{ id: 2n, label: 'two' }]))
      .catch((e: unknown) => e);
    expect(outcome).toBeInstanceOf(DbConflictError);
    expect((outcome as Error).message).toContain('409 SerializationFailure');
    expect(await viaProxy.session.select('items')).toEqual([]);
  });
});

describe('a 409 while creating', () => {
  const busy = vastRefusal(409, 'SerializationFailure', 'created by another open transaction');

  it('of a table not listed: a conflict, the DDL transaction run again whole, the table made once', async () => {
    const { viaProxy, direct } = engines2();
    await direct.createTable({ ...T, name: 'other' }); // the schema exists
    const fired = refuse(onTarget('POST', /\/items\?table$/), busy);
    await viaProxy.createTable(T);
    expect(fired()).toBe(1);
    expect((await direct.describeTable('items'))?.columns.map((c) => c.name)).toEqual(['id', 'label']);
  });

  it('that persists, of the schema, a table or a column: a conflict after the re-runs, nothing made', async () => {
    const { viaProxy, direct } = engines2();
    const schema = refuse(onTarget('POST', /\?schema$/), busy, Number.POSITIVE_INFINITY);
    await expect(viaProxy.createTable(T)).rejects.toBeInstanceOf(DbConflictError);
    expect(schema()).toBe(CONFLICT_RUNS); // run again as the store runs a conflict again
    await direct.createTable({ ...T, name: 'other' });
    refuse(onTarget('POST', /\/items\?table$/), busy, Number.POSITIVE_INFINITY);
    await expect(viaProxy.createTable(T)).rejects.toThrow(/409 SerializationFailure/);
    expect(await direct.describeTable('items')).toBeNull();
    refuse(onTarget('POST', /\/other\?column$/), vastRefusal(409, 'TooManyColumns', 'limit'), Infinity);
    await expect(viaProxy.addColumn('other', { name: 'extra', type: 'string' })).rejects.toThrow(
      /TooManyColumns/,
    );
  });

  it('of a table, refused otherwise than 409 for another reason than existence, is an error', async () => {
    const { viaProxy, direct } = engines2();
    await direct.createTable({ ...T, name: 'other' });
    const fired = refuse(
      onTarget('POST', /\/items\?table$/),
      vastRefusal(400, 'BucketNotDatabase', 'not a db'),
    );
    const outcome = await viaProxy.createTable(T).catch((e: unknown) => e);
    expect(fired()).toBe(1);
    expect(outcome).toBeInstanceOf(VastHttpError);
    expect((outcome as VastHttpError).message).toContain('400 BucketNotDatabase');
    expect(await direct.describeTable('items')).toBeNull();
  });

  it('of a table or column another process made first is fine (the listing shows it)', async () => {
    const { viaProxy, direct } = engines2();
    await direct.createTable(T);
    await direct.addColumn('items', { name: 'extra', type: 'string' });
    await viaProxy.createTable(T);
    await viaProxy.addColumn('items', { name: 'extra', type: 'string' });
    expect((await viaProxy.describeTable('items'))?.columns.map((c) => c.name)).toEqual([
      'id',
      'label',
      'extra',
    ]);
  });
});

describe('whether a table exists', () => {
  const badRequest = vastRefusal(400, 'InvalidArgument', 'no such object');

  it('is decided by the exact-name listing when its columns are refused otherwise than 404', async () => {
    const { viaProxy } = engines2();
    await viaProxy.createTable({ ...T, name: 'other' });
    refuse(onTarget('GET', /\/missing\?column$/), badRequest);
    expect(await viaProxy.describeTable('missing')).toBeNull();
    refuse(onTarget('GET', /\/other\?column$/), badRequest);
    await expect(viaProxy.describeTable('other')).rejects.toThrow(/400 InvalidArgument/);
  });

  it('lets a drop of a table that is not listed pass, whatever the refusal', async () => {
    const { viaProxy } = engines2();
    await viaProxy.createTable({ ...T, name: 'other' });
    refuse(onTarget('DELETE', /\/missing\?table$/), vastRefusal(409, 'ObjectNotFound', 'nothing to drop'));
    await viaProxy.dropTable('missing');
    // A 409 is a conflict: the drop runs again; one that persists fails as a conflict.
    refuse(onTarget('DELETE', /\/other\?table$/), vastRefusal(409, 'TableBusy', 'in use'), Infinity);
    await expect(viaProxy.dropTable('other')).rejects.toThrow(/TableBusy/);
  });
});
