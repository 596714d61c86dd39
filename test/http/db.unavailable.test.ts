/**
 * A metadata database that cannot be reached (the VAST engine's DbUnavailableError: every
 * endpoint refused, or the cluster kept answering SlowDown) is a 503 with Retry-After and the
 * TAMS error body, naming the backend but no endpoint or credential, never a 500.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DbUnavailableError } from '../../src/db/db.errors.ts';
import type { DbSession, Engine } from '../../src/db/db.types.ts';
import { SHARED_TOPOLOGY } from '../../src/db/topology.ts';
import { startServer, type TestServer } from '../helpers/server.ts';

let server: TestServer;
let down = false;
const failure = () =>
  new DbUnavailableError(
    'VAST DataBase',
    'no endpoint could be reached (2 tried or cooling down: connection refused)',
    7,
    'https://10.0.0.1: connection refused; https://10.0.0.2: connection refused',
  );

/** The engine as it is, until `down`: then every call fails as the VAST engine's would. */
function failing(inner: Engine): Engine {
  const fail = <T>(call: () => T): T | Promise<never> => (down ? Promise.reject(failure()) : call());
  const session = new Proxy(inner.session, {
    get: (target, prop, receiver) => {
      const value = Reflect.get(target, prop, receiver) as unknown;
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => fail(() => (value as (...a: unknown[]) => unknown).apply(target, args));
    },
  }) as DbSession;
  return Object.assign(Object.create(inner) as Engine, {
    topology: SHARED_TOPOLOGY,
    session,
    transaction: <T>(fn: (tx: DbSession) => Promise<T>) => fail(() => inner.transaction(fn)),
  });
}

beforeAll(async () => {
  server = await startServer({ wrapEngine: failing, workers: false });
});
afterAll(async () => {
  down = false;
  await server.close();
});

describe('metadata database unavailable', () => {
  it('answers 503 with Retry-After and a TAMS error body', async () => {
    expect((await server.get('/sources')).status).toBe(200);
    down = true;
    try {
      for (const res of [
        await server.get('/sources'),
        await server.get('/flows/00000000-0000-4000-8000-000000000000'),
      ]) {
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toBe('7');
        expect(res.headers.get('content-type')).toBe('application/json');
        const body = res.body as Record<string, string>;
        expect(Object.keys(body).sort()).toEqual(['message', 'summary', 'time', 'type']);
        expect(body.type).toBe('ServiceUnavailable');
        expect(body.summary).toContain('VAST DataBase');
        expect(res.text).not.toContain('10.0.0.1');
        expect(res.text).not.toContain('https://');
        expect(res.text).not.toMatch(/at .*\.ts:\d+/);
      }
    } finally {
      down = false;
    }
    expect((await server.get('/sources')).status).toBe(200);
  });
});
