/**
 * Two replicas' auth administration on one VAST database (the fake): two stores opened on one
 * schema through two VAST engines, each with its own write turn, and every change asked of both
 * at once with 30 ms per round trip, so that the two transactions overlap. A change that checks
 * before it writes (a name free, no one able to sign in) must happen once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEngine } from '../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../tools/vast-fake/fake.server.ts';
import { systemClock } from '../common/clock.ts';
import { BadRequestError } from '../common/errors.ts';
import { loadConfig } from '../config.ts';
import type { TableManager } from '../db/manager.ts';
import { SHARED_TOPOLOGY } from '../db/topology.ts';
import { openStoreDb } from '../store/store.open.ts';
import { T } from '../store/tables.ts';
import { SCOPES } from './auth.model.ts';
import { type AuthModule, createAuth } from './auth.module.ts';

let vast: FakeVast;
const dbs: TableManager[] = [];
beforeAll(async () => {
  vast = await startFakeVast();
});
afterAll(async () => {
  for (const db of dbs) await db.close();
  await vast?.close();
});

let schemas = 0;
/** Two replicas' auth on one new schema. */
async function replicas(): Promise<[AuthModule, AuthModule, TableManager]> {
  const schema = `auth_replicas_${process.pid}_${++schemas}`;
  const config = loadConfig({ TAMS_AUTH: 'required' });
  const open = async (n: number) => {
    const { db } = await openStoreDb(testEngine(vast, schema), { owner: `replica-${n}` });
    dbs.push(db);
    return db;
  };
  const a = await open(0);
  const b = await open(1);
  const auth = (db: TableManager) =>
    createAuth(config, db, {
      clock: systemClock,
      topology: SHARED_TOPOLOGY,
      testing: { scrypt: { ln: 4, r: 1, p: 1 } },
    });
  return [auth(a), auth(b), a];
}

/** Both at once, with every round trip 30 ms. */
async function atOnce<R>(run: (auth: AuthModule) => Promise<R>, a: AuthModule, b: AuthModule) {
  vast.faults.latencyMs = 30;
  try {
    return await Promise.allSettled([run(a), run(b)]);
  } finally {
    vast.faults.latencyMs = 0;
  }
}

const count = async (db: TableManager, table: string, column: string, value: string) =>
  (await db.select(table, { columns: [column] })).filter((r) => r[column] === value).length;

describe('auth administration on two replicas of one VAST database', () => {
  it('registers one bootstrap token when both start with it', async () => {
    const [a, b, db] = await replicas();
    const spec = { name: 'bootstrap-admin', principal: 'admin', scopes: SCOPES };
    const outcomes = await atOnce((auth) => auth.admin.ensureToken('replica-bootstrap-0001', spec), a, b);
    expect(outcomes.map((o) => (o.status === 'fulfilled' ? o.value : o.reason)).sort()).toEqual([
      'created',
      'present',
    ]);
    expect(await count(db, T.tokens, 'name', 'bootstrap-admin')).toBe(1);
  });

  it('issues one first admin token on an empty store', async () => {
    const [a, b, db] = await replicas();
    const issued = await atOnce(
      (auth) => auth.admin.createFirstToken({ name: 'first-admin', scopes: SCOPES }),
      a,
      b,
    );
    expect(issued.map((o) => o.status === 'fulfilled' && o.value !== undefined).sort()).toEqual([
      false,
      true,
    ]);
    expect(await count(db, T.tokens, 'name', 'first-admin')).toBe(1);
  });

  it('adds one user and one token of a name, refusing the other', async () => {
    const [a, b, db] = await replicas();
    const users = await atOnce(
      (auth) => auth.admin.addUser('editor', 'a long enough password', ['read']),
      a,
      b,
    );
    expect(users.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(users.find((o) => o.status === 'rejected')?.reason).toBeInstanceOf(BadRequestError);
    expect(await count(db, T.users, 'name', 'editor')).toBe(1);

    const tokens = await atOnce((auth) => auth.admin.createToken({ name: 'ingest', scopes: ['read'] }), a, b);
    expect(tokens.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect(await count(db, T.tokens, 'name', 'ingest')).toBe(1);
  });
});
