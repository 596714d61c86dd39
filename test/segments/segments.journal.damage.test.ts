/**
 * The append journal damaged after a kill (issue 45, item 13): a record written and synced before
 * its 201 is acknowledged data, so damage to it stops the start with a message saying where and
 * what is at stake, and `tams-mgmt journal recover` applies every intact record and rebuilds the
 * damaged one from its parity block; only a record whose write never finished (never answered)
 * is dropped, and the start logs it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { frameRecord } from '../../src/db/engines/duckdb/duckdb.journal.format.ts';
import { scanJournal } from '../../src/db/engines/duckdb/duckdb.journal.scan.ts';
import { runCli } from '../helpers/cli.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { httpClient } from '../helpers/server.ts';
import { spawnServer } from '../ops/child.ts';
import { allSegments, crashDir, newFlow, objectIds, secs } from './helpers.ts';

/** Registrations: one journal record per group of GROUP side-by-side POSTs. */
const N = 30;
const GROUP = 3;
/** DuckDB takes nothing from the journal on its own within the test's time. */
const HELD = { TAMS_DUCKDB_JOURNAL_APPLY_MS: '600000' };
/** Each test starts servers and commands one after the other (~5 s each on a loaded machine). */
const SLOW = 180_000;

describe.skipIf(onSharedEngine)('append journal damaged after a kill', () => {
  const { dir, running, kill } = crashDir('tams-journal-damage-');
  const journal = () => join(dir.path, 'tams.duckdb.journal');
  const env = () => ({ TAMS_DATA_DIR: dir.path, TAMS_LOG_LEVEL: 'silent' });
  // A test that fails leaves no server holding the directory for the next.
  afterEach(kill);

  /** N acknowledged single-segment registrations of a new Flow, starting at second `start`, then a kill. */
  async function acknowledgedThenKilled(start: number): Promise<{ flowId: string; ids: string[] }> {
    running.child = await spawnServer({ TAMS_DATA_DIR: dir.path, ...HELD });
    const http = httpClient(running.child.url);
    const flowId = await newFlow(http);
    const ids = await objectIds(http, flowId, N);
    for (let i = 0; i < N; i += GROUP) {
      const statuses = await Promise.all(
        ids.slice(i, i + GROUP).map(async (object_id, k) => {
          const t = start + i + k;
          return (await http.post(`/flows/${flowId}/segments`, { object_id, timerange: secs(t, t + 1) }))
            .status;
        }),
      );
      expect(statuses).toEqual(statuses.map(() => 201));
    }
    await kill();
    return { flowId, ids };
  }

  /** A start that must refuse: its stderr. */
  async function refusedStart(): Promise<string> {
    try {
      running.child = await spawnServer({ TAMS_DATA_DIR: dir.path });
    } catch (error) {
      return (error as Error).message;
    }
    throw new Error('the server started on a damaged journal');
  }

  /** A server that must start: every segment of `flows` is there, as acknowledged. */
  async function expectAll(flows: { flowId: string; ids: string[] }[]): Promise<Record<string, unknown>[]> {
    running.child = await spawnServer({ TAMS_DATA_DIR: dir.path });
    const http = httpClient(running.child.url);
    for (const { flowId, ids } of flows) {
      expect((await allSegments(http, flowId)).map((s) => s.object_id)).toEqual(ids);
    }
    const logs = running.child.logs;
    running.child.process.kill('SIGTERM');
    expect(await running.child.exited).toBe(0);
    running.child = undefined;
    const verify = await runCli(['verify'], { env: env() });
    expect(verify.code, verify.out + verify.err).toBe(0);
    return logs;
  }

  it(
    'refuses a start on a record damaged in the middle, and the recovery rebuilds it',
    async () => {
      const flow = await acknowledgedThenKilled(0);
      const bytes = readFileSync(journal());
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
      writeFileSync(journal(), bytes);

      const refusal = await refusedStart();
      expect(refusal).toContain(
        `the append journal ${journal()} holds damaged records of acknowledged writes`,
      );
      expect(refusal).toMatch(/record \d+ at byte \d+ \(1 of \d+ blocks unreadable; can be rebuilt/);
      expect(refusal).toMatch(/After it, \d+ intact records \(.*\d+ (rows )?of segments/);
      expect(refusal).toContain('tams-mgmt journal recover');
      // Refused again until recovered: nothing was changed.
      expect(await refusedStart()).toContain('holds damaged records');

      const dry = await runCli(['journal', 'recover', '--dry-run'], { env: env() });
      expect(dry.code, dry.err).toBe(0);
      expect(dry.out).toContain('Dry run: nothing was applied or changed.');
      const recovered = await runCli(['journal', 'recover'], { env: env() });
      expect(recovered.code, recovered.err).toBe(0);
      expect(recovered.out).toMatch(/applied: \d+ records \(.*30 segments,/);
      expect(recovered.out).toMatch(/rebuilt from its parity block: record \d+ at byte \d+ \(.*\d segments/);
      expect(recovered.out).toContain(`the file as it was: ${journal()}.damaged-`);
      await expectAll([flow]);
    },
    SLOW,
  );

  it(
    'refuses a start on a last record cut 7 bytes short, and the recovery keeps it',
    async () => {
      const flow = await acknowledgedThenKilled(1000);
      truncateSync(journal(), readFileSync(journal()).length - 7);
      const refusal = await refusedStart();
      expect(refusal).toMatch(/record \d+ at byte \d+ \(1 of \d+ blocks unreadable; can be rebuilt/);
      const recovered = await runCli(['journal', 'recover', '--json'], { env: env() });
      expect(recovered.code, recovered.err).toBe(0);
      expect(JSON.parse(recovered.out)).toMatchObject({ applied: { rows: { segments: N } }, lost: [] });
      await expectAll([flow]);
    },
    SLOW,
  );

  it(
    'drops a last record whose write never finished (never answered), and logs it',
    async () => {
      const flow = await acknowledgedThenKilled(2000);
      // What a kill during the next append leaves: the first block of a record numbered after the
      // last (here a copy of the last record's rows: applied, it would be a segment registered twice).
      const bytes = readFileSync(journal());
      const scan = scanJournal(bytes, 0n);
      const last = scan.records.at(-1);
      if (!last) throw new Error('no record in the journal');
      const next = frameRecord({ ...last, lsn: last.lsn + 1n });
      writeFileSync(journal(), Buffer.concat([bytes.subarray(0, scan.end), next.subarray(0, 512)]));

      const logs = await expectAll([flow]);
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: 'append journal: its last record was being written when the process stopped (never acknowledged): dropped',
          path: journal(),
          offset: scan.end,
          lsn: String(last.lsn + 1n),
          blocksOnDisk: 1,
        }),
      );
      expect(logs).toContainEqual(
        expect.objectContaining({
          msg: 'append journal: records an unclean stop left applied',
          rows: expect.objectContaining({ segments: N }),
        }),
      );
    },
    SLOW,
  );
  it(
    'a refused start, and a dry run, change neither the database file nor its write-ahead log',
    async () => {
      const flow = await acknowledgedThenKilled(3000);
      const database = join(dir.path, 'tams.duckdb');
      const wal = `${database}.wal`;
      // The kill left DuckDB's own log unapplied (the Flow, its allocations), beside the journal.
      expect(existsSync(wal) && statSync(wal).size > 0).toBe(true);
      const bytes = readFileSync(journal());
      const at = Math.floor(bytes.length / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x5a;
      writeFileSync(journal(), bytes);
      const hash = (path: string) =>
        existsSync(path) ? createHash('sha256').update(readFileSync(path)).digest('hex') : 'absent';
      const before = { database: hash(database), wal: hash(wal), journal: hash(journal()) };

      const refusal = await refusedStart();
      expect(refusal).toContain('holds damaged records of acknowledged writes');
      expect(refusal).toContain('Nothing was applied or changed');
      expect({ database: hash(database), wal: hash(wal), journal: hash(journal()) }).toEqual(before);
      const dry = await runCli(['journal', 'recover', '--dry-run'], { env: env() });
      expect(dry.code, dry.err).toBe(0);
      expect(dry.out).toContain('Dry run: nothing was applied or changed.');
      expect({ database: hash(database), wal: hash(wal), journal: hash(journal()) }).toEqual(before);

      const recovered = await runCli(['journal', 'recover'], { env: env() });
      expect(recovered.code, recovered.err).toBe(0);
      await expectAll([flow]);
    },
    SLOW,
  );
});
