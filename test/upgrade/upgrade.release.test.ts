/**
 * Upgrades from the previous release, built from the repository's own history (release.tree.ts):
 * it writes a store through its HTTP API, on this run's engine (DuckDB here; PostgreSQL and the
 * fake VAST server in the full tier's `postgres-http` and `vast-http`), and is stopped with a
 * deletion request in flight; the current code opens the store (two servers at once on the shared
 * engines: each migration applied once), finishes the request, and answers every GET the old
 * release answered the same through both mounts. Then no going back: the old release refuses the
 * store the current code opened, and the current code refuses one a later release opened; neither
 * refusal changes a row. On DuckDB, a second store holds acknowledged segment registrations in its
 * append journal when the old release is killed: the current code applies them.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/common/package-info.ts';
import { storeMigrations } from '../../src/store/migrations/migrations.list.ts';
import { killChild } from '../helpers/children.ts';
import { runCliProcess } from '../helpers/cli.ts';
import { onSharedEngine } from '../helpers/engine.mode.ts';
import { mountClient } from '../helpers/mounts.ts';
import { httpClient, tempDir } from '../helpers/server.ts';
import type { Doc } from '../http/fixtures.ts';
import { allSegments, newFlow, objectIds, secs, waitFor } from '../segments/helpers.ts';
import { dumpStore, engineEnv, type ReleaseServer, refusedStart, startRelease } from './release.process.ts';
import {
  currentAs,
  extractRelease,
  nextMinor,
  previousRelease,
  type ReleaseTree,
  ROOT,
} from './release.tree.ts';
import {
  type Answers,
  bigFlow,
  followed,
  readAnswers,
  UPGRADE_ENV,
  V82,
  type Written,
  writeStore,
} from './upgrade.store.ts';

const previous = previousRelease();
const CURRENT = packageVersion();
const LATEST = storeMigrations.at(-1)?.id ?? 0;

/** The highest migration a release's tree knows (src/store/migrations/mNNN.*.ts). */
function latestIn(tree: ReleaseTree): number {
  const ids = readdirSync(join(tree.dir, 'src/store/migrations')).map((f) => /^m(\d+)\./.exec(f)?.[1]);
  return Math.max(...ids.filter((id) => id !== undefined).map(Number));
}

/** A version's release line: major.minor. */
const lineOf = (version: string) => version.split('.').slice(0, 2).join('.');

/** The migrations each server's log says it applied. */
function applied(servers: readonly ReleaseServer[]): number[] {
  return servers
    .flatMap((s) => s.logs)
    .filter((l) => l.msg === 'schema migration applied')
    .map((l) => Number(l.migration))
    .sort((a, b) => a - b);
}

/**
 * The 120 one-segment chunks of the deletion the old release left in flight, done by the current
 * code: on the VAST fake with two servers, under the full tier's load, 50-70 s (the default 60 s
 * wait failed twice in three runs).
 */
const DELETION_MS = 180_000;

describe.skipIf(previous === undefined)(
  `a store written by the previous release, ${previous?.version}`,
  () => {
    const data = tempDir('tams-upgrade-');
    let old: ReleaseTree;
    let env: Record<string, string>;
    let written: Written;
    let before: Answers;
    let deletion: Doc;
    let deleted: string;
    const running: ReleaseServer[] = [];
    const trees: ReleaseTree[] = [];

    beforeAll(async () => {
      old = extractRelease(previous as NonNullable<typeof previous>);
      trees.push(old);
      env = { ...UPGRADE_ENV, ...(await engineEnv(data.path)) };
    });
    afterAll(async () => {
      await Promise.all(running.map((s) => killChild(s.process)));
      for (const tree of trees) tree.remove();
      data.remove();
    });

    it('is written through both mounts, then the release is killed with a deletion request in flight', async () => {
      const server = await startRelease(old.dir, env);
      running.push(server);
      try {
        await writeOld(server);
      } finally {
        await killChild(server.process);
      }
    });

    /** The old release's part: the store written, its answers read, the deletion requested. */
    async function writeOld(server: ReleaseServer): Promise<void> {
      written = await writeStore(server.url);
      before = await readAnswers(server.url, written);
      // What the wings answer is there to compare: not errors.
      expect(before['/ /search?q=railway']).toMatchObject({
        status: 200,
        body: { hits: [{ kind: 'caption' }] },
      });
      expect(before[`/ /exr/files?flow_id=${written.exr}`]).toMatchObject({
        status: 200,
        body: [{ status: 'inspected' }],
      });

      // 120 segments, deleted one per chunk (a transaction each): the process is killed the moment
      // the request is acknowledged, a hundred chunks before the worker could finish it.
      deleted = await bigFlow(server.url, 120, written.sources[0] as string);
      const res = await httpClient(server.url).delete<Doc>(`/flows/${deleted}`);
      server.process.kill('SIGKILL');
      expect(res.status, res.text).toBe(202);
      deletion = res.body;
    }

    it(
      'opens under the current code: migrations applied once, the request finished, every answer the same',
      async () => {
        // On the shared engines two servers start together, as replicas do.
        const count = onSharedEngine ? 2 : 1;
        const servers = await Promise.all(Array.from({ length: count }, () => startRelease(ROOT, env)));
        running.push(...servers);
        try {
          await openedByCurrent(servers);
        } finally {
          await Promise.all(servers.map((s) => killChild(s.process, 'SIGTERM')));
        }
        const dump = await dumpStore(env);
        const ids = (dump.schema_migrations ?? []).map((row) => JSON.parse(row).id);
        expect(ids.sort()).toEqual(storeMigrations.map((m) => `${m.id}n`).sort());
        expect((dump.store_releases ?? []).map((row) => JSON.parse(row).release)).toContain(CURRENT);
      },
      DELETION_MS + 120_000,
    );

    /** The current code's part: the migrations, the deletion finished, the answers compared. */
    async function openedByCurrent(servers: ReleaseServer[]): Promise<void> {
      const pending = storeMigrations.filter((m) => m.id > latestIn(old)).map((m) => m.id);
      expect(applied(servers)).toEqual(pending);

      for (const server of servers) {
        for (const client of [httpClient(server.url), mountClient(server, V82)]) {
          const path = `/flow-delete-requests/${deletion.id}`;
          const done = await waitFor(
            `deletion request ${deletion.id} done`,
            async () => {
              const res = await client.get<Doc>(path);
              expect(res.status, res.text).toBe(200);
              return res.body.status === 'done' ? res.body : undefined;
            },
            DELETION_MS,
          );
          // As acknowledged, but its progress (status, what remains, when it was last updated).
          const stable = (d: Doc) => ({
            ...d,
            status: undefined,
            timerange_remaining: undefined,
            updated: undefined,
          });
          expect(stable(done)).toMatchObject(stable(deletion) as Doc);
          expect((await client.get(`/flows/${deleted}`)).status).toBe(404);
        }
        // The wings have followed the deletion too (search ranks against what it indexes).
        await followed(server.url, written);
        expect(await readAnswers(server.url, written)).toEqual(before);
      }
    }

    // Right after a release, the previous release is this code's own number and schema: going
    // back to it is a patch downgrade, allowed. Otherwise the old release refuses the store, for
    // the migrations it lacks or for the later release line that opened it.
    it(`going back to ${previous?.version} once the current code opened it: refused (the store left as it was) unless of the same release line and schema`, async () => {
      const dump = await dumpStore(env);
      if (latestIn(old) === LATEST && lineOf(old.version) === lineOf(CURRENT)) {
        const server = await startRelease(old.dir, env);
        running.push(server);
        await killChild(server.process, 'SIGTERM');
        expect(server.logs.some((l) => l.msg === 'schema migration applied')).toBe(false);
        return;
      }
      const refused = await refusedStart(old.dir, env);
      expect(refused.code).not.toBe(0);
      if (latestIn(old) < LATEST) {
        expect(refused.output).toContain(`the store is at schema version ${LATEST}`);
        expect(refused.output).toContain(`knows migrations up to ${latestIn(old)}`);
      } else {
        expect(refused.output).toContain(
          `this store was opened by tams-server ${CURRENT} (schema version ${LATEST}); this is tams-server ${old.version}`,
        );
      }
      expect(await dumpStore(env)).toEqual(dump);
    });

    it('is refused by the current code once a later release opened it, naming both, and left as it was', async () => {
      const later = currentAs(nextMinor(CURRENT));
      trees.push(later);
      const server = await startRelease(later.dir, env);
      running.push(server);
      await killChild(server.process, 'SIGTERM');

      const dump = await dumpStore(env);
      const refused = await refusedStart(ROOT, env);
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(
        `tams-server: cannot start: this store was opened by tams-server ${later.version} (schema version ${LATEST}); ` +
          `this is tams-server ${CURRENT}, which knows schema versions up to ${LATEST}: a downgrade is refused and nothing was changed`,
      );
      expect(refused.output).not.toMatch(/^\s+at /m);
      // A management command opens the store as the server does, and is refused the same way.
      const tables = await runCliProcess(['tables'], { env });
      expect(tables.code).toBe(1);
      expect(tables.err).toContain(`this store was opened by tams-server ${later.version}`);
      expect(await dumpStore(env)).toEqual(dump);
    });
  },
);

describe.skipIf(previous === undefined || onSharedEngine)(
  'the previous release killed with its append journal unapplied',
  () => {
    const data = tempDir('tams-upgrade-journal-');
    let old: ReleaseTree | undefined;
    afterAll(() => {
      old?.remove();
      data.remove();
    });

    it('has every acknowledged registration applied by the current code, through both mounts', async () => {
      old = extractRelease(previous as NonNullable<typeof previous>);
      // Nothing reads the tables the journal holds rows for (the wings off, no webhooks), and
      // DuckDB takes nothing from it on its own within the test's time.
      const env = {
        TAMS_DATA_DIR: data.path,
        TAMS_DUCKDB_JOURNAL_APPLY_MS: '600000',
        TAMS_SEARCH: 'false',
        TAMS_EXR: 'false',
        TAMS_ANALYTICS: 'false',
      };
      const server = await startRelease(old.dir, env);
      const http = httpClient(server.url);
      const flowId = await newFlow(http);
      const ids = await objectIds(http, flowId, 12);
      const acknowledged = [];
      for (const [i, object_id] of ids.entries()) {
        const segment = { object_id, timerange: secs(i * 2, i * 2 + 2) };
        const res = await http.post(`/flows/${flowId}/segments`, segment);
        expect(res.status, res.text).toBe(201);
        acknowledged.push(segment);
      }
      const journal = join(data.path, 'tams.duckdb.journal');
      expect(statSync(journal).size).toBeGreaterThan(0);
      await killChild(server.process);
      expect(existsSync(journal)).toBe(true);

      const current = await startRelease(ROOT, env);
      try {
        expect(
          current.logs.find((l) => l.msg === 'append journal: records an unclean stop left applied'),
        ).toMatchObject({ records: expect.any(Number) });
        for (const client of [httpClient(current.url), mountClient(current, V82)]) {
          const segments = await allSegments(client, flowId);
          expect(segments.map((s) => ({ object_id: s.object_id, timerange: s.timerange }))).toEqual(
            acknowledged,
          );
        }
      } finally {
        await killChild(current.process, 'SIGTERM');
      }
    });
  },
);
