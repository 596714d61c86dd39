/**
 * The readiness probe (vast.probe.ts) over real HTTP: the fake VAST server behind a loopback
 * proxy that answers the probe as a real cluster might. Any answer of a supported VAST release
 * counts, whatever its status, but a 401 or 403 (the keys refused); an answer that is not VAST's, or of an older release, is refused
 * with a message naming why.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  isProbe,
  type ProxyAnswer,
  type VastProxy,
  vastProxy,
  vastRefusal,
} from '../../../../test/support/db/engines/vast/vast.proxy.testkit.ts';
import { testEngine } from '../../../../test/support/db/engines/vast/vast.testkit.ts';
import { type FakeVast, startFakeVast } from '../../../../tools/vast-fake/fake.server.ts';
import { DbUnavailableError } from '../../db.errors.ts';
import type { VastEngine } from './vast.engine.ts';
import { VastKeysRefusedError } from './vast.probe.ts';

let vast: FakeVast;
let proxy: VastProxy;
let engine: VastEngine;
beforeAll(async () => {
  vast = await startFakeVast();
  proxy = await vastProxy(vast.url);
  engine = testEngine({ ...vast, url: proxy.url }, 'probe');
});
afterEach(() => {
  proxy.intercept = () => undefined;
});
afterAll(async () => {
  await engine?.close();
  await proxy?.close();
  await vast?.close();
});

/** Answers the probe with `answer`, forwards everything else. */
function probeAnswer(answer: ProxyAnswer): void {
  proxy.intercept = (seen) => (isProbe(seen) ? answer : undefined);
}

const probe = () => engine.server.probe(AbortSignal.timeout(30_000));

describe('the readiness probe', () => {
  it('asks as vastdb 2.1 asks and reads the version from the Server header', async () => {
    const before = proxy.seen.length;
    await probe();
    expect(engine.vastVersion).toBe('5.3.0.0');
    const [sent] = proxy.seen.slice(before);
    expect(sent?.method).toBe('GET');
    expect(sent?.target).toBe('/?transaction');
    expect(sent?.headers['tabular-get-vast-version']).toBe('true');
    expect(Object.keys(sent?.headers ?? {}).filter((h) => h.startsWith('tabular-'))).toEqual([
      'tabular-get-vast-version',
    ]);
  });

  for (const [status, code] of [
    [400, 'BadRequest'],
    [404, 'NoSuchKey'],
    [405, 'MethodNotAllowed'],
    [500, 'InternalError'],
  ] as const) {
    it(`counts an answer ${status} ${code} that names a VAST release as ready`, async () => {
      probeAnswer(vastRefusal(status, code, 'not for this call', 'vast 5.4.1.2'));
      await probe();
      expect(engine.vastVersion).toBe('5.4.1.2');
    });
  }

  for (const [status, code] of [
    [401, 'Unauthorized'],
    [403, 'AccessDenied'],
    [403, 'SignatureDoesNotMatch'],
  ] as const) {
    it(`takes an answer ${status} ${code} of VAST as the keys refused, not ready`, async () => {
      probeAnswer(vastRefusal(status, code, 'refused', 'vast 5.4.1.2'));
      const refused = probe();
      await expect(refused).rejects.toBeInstanceOf(VastKeysRefusedError);
      await expect(refused).rejects.toThrow(
        `VAST refused this server's keys (${status} ${code}): check TAMS_VAST_ACCESS_KEY and TAMS_VAST_SECRET_KEY`,
      );
      await expect(refused).rejects.toMatchObject({ status, code, version: '5.4.1.2' });
    });
  }

  it('refuses a release older than the oldest the engine supports, naming both', async () => {
    probeAnswer({ status: 200, headers: { server: 'vast 4.7.0.3' } });
    await expect(probe()).rejects.toThrow(/runs VAST 4\.7\.0\.3; this server needs VAST 5\.0 or later/);
  });

  it('refuses an answer that is not VAST, or names no version VAST clients read', async () => {
    probeAnswer({ status: 200, headers: { server: 'nginx/1.25' } });
    await expect(probe()).rejects.toThrow(
      /is not a VAST DataBase endpoint: its answer has Server "nginx\/1\.25"/,
    );
    probeAnswer({ status: 403, headers: {} });
    await expect(probe()).rejects.toThrow(/is not a VAST DataBase endpoint: its answer has no Server header/);
    probeAnswer({ status: 200, headers: { server: 'vast 5.3' } });
    await expect(probe()).rejects.toThrow(/answered Server "vast 5\.3": no VAST version/);
  });

  it('takes a cluster that keeps answering 503 as unavailable', async () => {
    probeAnswer(vastRefusal(503, 'SlowDown', 'Please reduce your request rate.'));
    await expect(probe()).rejects.toBeInstanceOf(DbUnavailableError);
  });
});
