/**
 * `tams-mgmt vast check` with one setting wrong, as an admin gets it wrong on day one: an endpoint
 * that is not VAST, one where nothing listens, a wrong secret or access key, a bucket that does
 * not exist. Each time the kit stops at the first check that makes the rest meaningless, exits
 * non-zero and says, in a screenful, what went wrong and which setting to change; the names the
 * admin typed are on the screen (a typo shows), the keys are not, nor in any file; and it does
 * not claim to have left scratch schemas behind when it never made one.
 */

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { SLOW_TEST_MS } from '../../helpers/deadlines.ts';
import { closedPort } from '../../helpers/ports.ts';
import { files, type KitRun, runKit } from './field.run.ts';

const SECRET = 'kit-secret-key-do-not-leak';
const ACCESS = 'KITACCESSKEY0001';
const BUCKET = 'acme-media-db';
/** What an admin sees at most before knowing what to do. */
const MAX_LINES = 30;

let vast: FakeVast;
let out: string;
/** A web server that is not VAST, as an endpoint pointing at the wrong host finds. */
let web: http.Server;
let webUrl: string;

beforeAll(async () => {
  vast = await startFakeVast({ bucket: BUCKET, accessKey: ACCESS, secretKey: SECRET });
  out = mkdtempSync(join(tmpdir(), 'tams-kit-stop-'));
  web = http.createServer((req, res) => {
    req.resume();
    res.writeHead(404, { server: 'nginx/1.24.0', 'content-type': 'text/html' });
    res.end('<html><body><h1>404 Not Found</h1></body></html>');
  });
  await new Promise<void>((resolve) => web.listen(0, '127.0.0.1', resolve));
  webUrl = `http://127.0.0.1:${(web.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await vast?.close();
  await new Promise((resolve) => web?.close(resolve));
  if (out) rmSync(out, { recursive: true, force: true });
});

const settings = () => ({
  TAMS_DB: 'vast',
  TAMS_VAST_ENDPOINTS: vast.url,
  TAMS_VAST_ACCESS_KEY: ACCESS,
  TAMS_VAST_SECRET_KEY: SECRET,
  TAMS_VAST_BUCKET: BUCKET,
});

/** Runs the kit with `change` applied to the right settings, into a folder of its own. */
function kit(name: string, change: Record<string, string>): Promise<KitRun> {
  return runKit(['vast', 'check', '--out', join(out, name)], { ...settings(), ...change });
}

/** What every early stop shows: non-zero, short, the cause and the fix, no false leftovers. */
function expectStop(r: KitRun, cause: RegExp, setting: string): void {
  const all = r.stdout + r.stderr;
  expect(r.code, all).toBe(1);
  expect(r.lines, all).toBeLessThanOrEqual(MAX_LINES);
  expect(r.stdout, all).toMatch(cause);
  expect(r.stdout, all).toMatch(new RegExp(`what to do: .*${setting}`));
  expect(all).not.toContain('left behind');
}

describe('tams-mgmt vast check stops at the first failure that leaves nothing else to check', () => {
  it(
    'on an endpoint that is not VAST',
    async () => {
      const r = await kit('web', { TAMS_VAST_ENDPOINTS: webUrl });
      expectStop(r, /not a VAST DataBase endpoint.*Server "nginx\/1\.24\.0"/, 'TAMS_VAST_ENDPOINTS');
      expect(r.stdout).toContain(new URL(webUrl).host);
    },
    SLOW_TEST_MS,
  );

  it(
    'on an endpoint where nothing listens',
    async () => {
      const url = `http://127.0.0.1:${await closedPort()}`;
      const r = await kit('nothing', { TAMS_VAST_ENDPOINTS: url });
      expectStop(r, /connection refused/, 'TAMS_VAST_ENDPOINTS');
      expect(r.stdout).toContain(new URL(url).host);
    },
    SLOW_TEST_MS,
  );

  it(
    'on a wrong secret key: the header and the readiness line agree, the keys stay masked',
    async () => {
      const wrong = 'not-the-secret-of-this-key';
      const r = await kit('secret', { TAMS_VAST_SECRET_KEY: wrong });
      expectStop(r, /403 SignatureDoesNotMatch/, 'TAMS_VAST_SECRET_KEY');
      // VAST answered (its Server header says so), refusing the keys; /ready would say not ready.
      expect(r.stdout).toMatch(/VAST: vast 5\.3\.0\.0 \(version 5\.3\.0\.0\).*refused the keys/);
      expect(r.stdout).not.toContain('no Server header seen');
      expect(r.stdout).toMatch(/readiness \(\/ready\): not ready/);
      expect(r.stdout).not.toMatch(/readiness.*: ready\b/);
      expect(readdirSync(join(out, 'secret', 'errors'))).toContain('403-SignatureDoesNotMatch.json');
      for (const key of [wrong, ACCESS]) {
        expect(r.stdout + r.stderr).not.toContain(key);
        for (const file of files(join(out, 'secret')))
          expect(readFileSync(file).toString('latin1').includes(key), `${key} in ${file}`).toBe(false);
      }
    },
    SLOW_TEST_MS,
  );

  it(
    'on an access key the cluster does not know',
    async () => {
      const r = await kit('access', { TAMS_VAST_ACCESS_KEY: 'KITACCESSKEY0002' });
      expectStop(r, /403 InvalidAccessKeyId/, 'TAMS_VAST_ACCESS_KEY');
    },
    SLOW_TEST_MS,
  );

  it(
    'on a bucket that does not exist, its name on the screen',
    async () => {
      const typo = 'acme-media-bd';
      const r = await kit('bucket', { TAMS_VAST_BUCKET: typo });
      expectStop(r, /404 NoSuchBucket/, 'TAMS_VAST_BUCKET');
      expect(r.stdout).toContain(`bucket "${typo}"`);
      expect(r.stdout).toMatch(/readiness \(\/ready\): ready/);
    },
    SLOW_TEST_MS,
  );
});
