/**
 * `tams-mgmt vast check` end to end, as a user runs it: the CLI in a process of its own (where
 * vitest cannot be loaded, as in the image), with the server's TAMS_VAST_* settings pointing at a
 * fake VAST server, and the kit's own defaults. Every check passes there and the kit exits 0; the
 * idle-transaction check waits what the engine needs (its keep-alive interval, here shortened
 * through the server's own setting, with a margin) and says so; the golden files and the summary
 * are written, with no bucket name, key, secret or host name in them, while the admin's screen
 * shows the host and the bucket (never the keys); the scratch schemas are gone, no transaction is
 * left open, and no schema is said to be left behind unless one is; and every recorded answer
 * reads back through the engine's parsers as the kit recorded it (field.replay.test.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { SLOW_TEST_MS } from '../../helpers/deadlines.ts';
import { files, type KitRun, runKit } from './field.run.ts';
import { replayFolder } from './field.testkit.ts';

const SECRET = 'kit-secret-key-do-not-leak';
const ACCESS = 'KITACCESSKEY0001';
const BUCKET = 'acme-media-db';
/** The engine's keep-alive interval for these runs: 1 s instead of 20 s, so the idle check is short. */
const KEEP_ALIVE_MS = '1000';

let vast: FakeVast;
let out: string;

beforeAll(async () => {
  vast = await startFakeVast({ bucket: BUCKET, accessKey: ACCESS, secretKey: SECRET });
  out = mkdtempSync(join(tmpdir(), 'tams-kit-'));
});

afterAll(async () => {
  await vast?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

const settings = (fake: FakeVast = vast) => ({
  TAMS_DB: 'vast',
  TAMS_VAST_ENDPOINTS: fake.url,
  TAMS_VAST_ACCESS_KEY: ACCESS,
  TAMS_VAST_SECRET_KEY: SECRET,
  TAMS_VAST_BUCKET: BUCKET,
  TAMS_VAST_KEEP_ALIVE_MS: KEEP_ALIVE_MS,
});

describe('tams-mgmt vast check against the fake VAST', () => {
  let run: KitRun;

  beforeAll(async () => {
    // The kit's own defaults (the idle check's length among them), as an admin runs it.
    run = await runKit(['vast', 'check', '--out', out, '--label', 'fake', '--tx-cap', '8'], settings());
  }, SLOW_TEST_MS);

  it('passes every check, exits 0 and prints one summary naming the VAST version', () => {
    expect(run.stderr).not.toContain('failed:');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^tams-server VAST field check/);
    expect(run.stdout).toContain('VAST: vast 5.3.0.0 (version 5.3.0.0)');
    expect(run.stdout).toMatch(/result: \d+ passed, 0 failed, 0 skipped/);
    // The suites of npm test and the probes all ran.
    for (const group of [
      'settings',
      'engine contract: vast (this cluster)',
      'transactions of two processes',
      'catalog',
      'transactions',
      'data',
    ])
      expect(run.stdout).toContain(group);
    expect(run.stdout).toContain('observed: B (updated first, committed last): refused at commit: conflict');
    expect(run.stdout).toMatch(/timings per operation[\s\S]*query_data\s+\d+/);
  });

  it("checks an idle transaction against the engine's keep-alive interval, and tells the longest idle seen", () => {
    // Twice the engine's interval (TAMS_VAST_KEEP_ALIVE_MS, 1 s here): one keep-alive may be lost.
    expect(run.stdout).toMatch(
      /✓ a transaction idle for 2 s is still open \(the engine keeps transactions alive every 1 s: TAMS_VAST_KEEP_ALIVE_MS\)/,
    );
    // Watched for three intervals by default; the fake keeps idle transactions 60 s.
    expect(run.stdout).toContain('observed: longest idle seen surviving: 3 s');
    expect(run.stdout).not.toMatch(/alive every 60 s/);
  });

  it('shows the host and the bucket on the screen, and writes neither in its files', () => {
    const host = new URL(vast.url).host;
    for (const text of [run.stdout, run.stderr.split('\n')[0] ?? '']) {
      expect(text).toContain(host);
      expect(text).toContain(BUCKET);
    }
    // The same summary in the file, the names masked (test/vast/field/README.md).
    const hostname = new URL(vast.url).hostname;
    const masked = run.stdout
      .split(BUCKET)
      .join('b'.repeat(BUCKET.length))
      .split(hostname)
      .join('h'.repeat(hostname.length));
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toBe(masked);
  });

  it('writes one answer per operation and error bodies per status, with the engine reading each', () => {
    const answers = readdirSync(join(out, 'answers')).sort();
    for (const op of [
      'begin_transaction',
      'commit_transaction',
      'create_schema',
      'create_table',
      'list_columns',
      'list_schemas',
      'list_tables',
      'insert_rows',
      'query_data',
      'update_rows',
      'delete_rows',
      'drop_table',
      'drop_schema',
      'table_stats',
      'version_probe',
    ])
      expect(answers).toContain(`${op}.json`);
    const errors = readdirSync(join(out, 'errors'));
    expect(errors).toEqual(
      expect.arrayContaining([
        '404-NoSuchTable.json',
        '409-TableAlreadyExists.json',
        '409-TransactionConflict.json',
      ]),
    );
    const replay = replayFolder(out);
    expect(replay.length).toBe(answers.length + errors.length);
    for (const r of replay) expect(r.actual, r.file).toEqual(r.recorded);
  });

  it('leaves no bucket name, key, secret or host in what it wrote, and shows no key', () => {
    const host = new URL(vast.url).hostname;
    for (const file of files(out)) {
      const text = readFileSync(file).toString('latin1');
      for (const secret of [SECRET, ACCESS, BUCKET, host])
        expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    for (const secret of [SECRET, ACCESS]) expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('drops its scratch schemas, says so, and leaves no transaction open', () => {
    expect([...vast.store.committed.schemas.keys()].filter((s) => s.startsWith('tams_kit_'))).toEqual([]);
    expect(vast.store.openTransactions).toBe(0);
    expect(run.stdout).toMatch(/scratch schemas tams_kit_\w+_\*: all dropped/);
    expect(run.stdout + run.stderr).not.toContain('left behind');
  });
});

describe('tams-mgmt vast check on a cluster that will not drop a schema', () => {
  let other: FakeVast;

  beforeAll(async () => {
    other = await startFakeVast({ bucket: BUCKET, accessKey: ACCESS, secretKey: SECRET });
  });

  afterAll(async () => {
    await other?.close();
  });

  it(
    'names each schema left behind, to be dropped by hand, and exits 1',
    async () => {
      // Every drop of a schema is answered 503 SlowDown, as by a cluster too busy for it.
      other.faults.slowDown({ match: (r) => r.method === 'DELETE' && /[?&]schema\b/.test(r.target) });
      const r = await runKit(
        ['vast', 'check', '--out', join(out, 'leftover'), '--idle-seconds', '0', '--tx-cap', '0'],
        // One try per call: each refused drop is given up at once.
        { ...settings(other), TAMS_VAST_RETRY_ATTEMPTS: '1' },
      );
      const left = [...other.store.committed.schemas.keys()].filter((s) => s.startsWith('tams_kit_')).sort();
      expect(left.length).toBeGreaterThan(0);
      expect(r.code, r.stdout + r.stderr).toBe(1);
      const named = /scratch schemas left behind \(drop them by hand\): (.*)/.exec(r.stdout)?.[1];
      expect(named?.split(', ').sort()).toEqual(left);
    },
    SLOW_TEST_MS,
  );
});

describe('tams-mgmt vast check without usable settings', () => {
  it('says which settings are missing and exits 2', async () => {
    const r = await runKit(['vast', 'check', '--out', join(out, 'none')], {
      TAMS_DB: 'vast',
      TAMS_VAST_ENDPOINTS: vast.url,
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('TAMS_VAST_ACCESS_KEY');
    expect(r.stderr).toContain('TAMS_VAST_BUCKET');
  });
});
