/**
 * `tams-mgmt vast check` end to end, as a user runs it: the CLI in a process of its own (where
 * vitest cannot be loaded, as in the image), with the server's TAMS_VAST_* settings pointing at a
 * fake VAST server. Every check passes there; the golden files and the summary are written, with
 * no bucket name, key, secret or host name in them; the scratch schemas are gone and no
 * transaction is left open; and every recorded answer reads back through the engine's parsers
 * as the kit recorded it (the replay of field.replay.test.ts).
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeVast, startFakeVast } from '../../../tools/vast-fake/fake.server.ts';
import { killChild, spawnChild } from '../../helpers/children.ts';
import { SLOW_TEST_MS } from '../../helpers/deadlines.ts';
import { replayFolder } from './field.testkit.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const SECRET = 'kit-secret-key-do-not-leak';
const ACCESS = 'KITACCESSKEY0001';
const BUCKET = 'acme-media-db';

let vast: FakeVast;
let out: string;
let child: ChildProcess | undefined;

beforeAll(async () => {
  vast = await startFakeVast({ bucket: BUCKET, accessKey: ACCESS, secretKey: SECRET });
  out = mkdtempSync(join(tmpdir(), 'tams-kit-'));
});

afterAll(async () => {
  if (child) await killChild(child);
  await vast?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

/** Runs the CLI to its end; its exit status and output. */
function runKit(args: readonly string[], env: Record<string, string>) {
  const proc = spawnChild(
    process.execPath,
    ['--import', join(ROOT, 'test/vast/field/field.no-vitest.mjs'), join(ROOT, 'bin/tams-mgmt.mjs'), ...args],
    { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child = proc;
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (d: Buffer) => {
    stdout += d.toString('utf8');
  });
  proc.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString('utf8');
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    proc.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

const settings = () => ({
  TAMS_DB: 'vast',
  TAMS_VAST_ENDPOINTS: vast.url,
  TAMS_VAST_ACCESS_KEY: ACCESS,
  TAMS_VAST_SECRET_KEY: SECRET,
  TAMS_VAST_BUCKET: BUCKET,
});

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe('tams-mgmt vast check against the fake VAST', () => {
  let run: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    run = await runKit(
      ['vast', 'check', '--out', out, '--label', 'fake', '--idle-seconds', '1', '--tx-cap', '8'],
      settings(),
    );
  }, SLOW_TEST_MS);

  it('passes every check and prints one summary naming the VAST version', () => {
    expect(run.stderr).not.toContain('failed:');
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^tams-server VAST field check/);
    expect(run.stdout).toContain('VAST: vast 5.3.0.0 (version 5.3.0.0)');
    expect(run.stdout).toMatch(/result: \d+ passed, 0 failed, 0 skipped/);
    // The suites of npm test and the probes all ran.
    for (const group of [
      'engine contract: vast (this cluster)',
      'transactions of two processes',
      'catalog',
      'transactions',
      'data',
    ])
      expect(run.stdout).toContain(group);
    expect(run.stdout).toContain('observed: B (updated first, committed last): refused at commit: conflict');
    expect(run.stdout).toMatch(/timings per operation[\s\S]*query_data\s+\d+/);
    expect(readFileSync(join(out, 'summary.txt'), 'utf8')).toBe(run.stdout);
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

  it('leaves no bucket name, key, secret or host in what it wrote', () => {
    const host = new URL(vast.url).hostname;
    for (const file of files(out)) {
      const text = readFileSync(file).toString('latin1');
      for (const secret of [SECRET, ACCESS, BUCKET, host])
        expect(text.includes(secret), `${secret} in ${file}`).toBe(false);
    }
    for (const secret of [SECRET, ACCESS, BUCKET, host])
      expect(run.stdout + run.stderr).not.toContain(secret);
  });

  it('drops its scratch schemas and leaves no transaction open', () => {
    expect([...vast.store.committed.schemas.keys()].filter((s) => s.startsWith('tams_kit_'))).toEqual([]);
    expect(vast.store.openTransactions).toBe(0);
    expect(run.stdout).toMatch(/scratch schemas tams_kit_\w+_\*: all dropped/);
  });
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

  it(
    'fails the checks, not the process, when the cluster refuses the key',
    async () => {
      const r = await runKit(
        ['vast', 'check', '--out', join(out, 'refused'), '--idle-seconds', '0', '--tx-cap', '0'],
        {
          ...settings(),
          TAMS_VAST_SECRET_KEY: 'not-the-secret',
        },
      );
      expect(r.code).toBe(1);
      expect(Number(/result: \d+ passed, (\d+) failed/.exec(r.stdout)?.[1])).toBeGreaterThan(50);
      expect(r.stdout).toContain('403 SignatureDoesNotMatch');
      expect(readdirSync(join(out, 'refused', 'errors'))).toContain('403-SignatureDoesNotMatch.json');
    },
    SLOW_TEST_MS,
  );
});
