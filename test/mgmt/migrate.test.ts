/**
 * `tams-mgmt migrate` on a store written before versioned migrations: --dry-run shows the version
 * and what is pending and changes nothing; without it the migrations are applied, once.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { packageVersion } from '../../src/common/package-info.ts';
import { createDuckDbEngine } from '../../src/db/engines/duckdb/duckdb.engine.ts';
import { TableManager } from '../../src/db/manager.ts';
import { HISTORY_TABLE, migrationTables } from '../../src/db/migrate/migrate.history.ts';
import { RELEASES_TABLE } from '../../src/db/migrate/migrate.releases.ts';
import { and, col } from '../../src/db/predicate.ts';
import { type LegacyStore, writeLegacyStore } from '../migrations/legacy.store.ts';
import { mgmt } from './fixture.ts';

async function tables(dir: string): Promise<string[]> {
  const engine = await createDuckDbEngine({ path: `${dir}/tams.duckdb` });
  try {
    return (await engine.listTables()).sort();
  } finally {
    await engine.close();
  }
}

describe('tams-mgmt migrate', () => {
  let legacy: LegacyStore;
  beforeAll(async () => {
    legacy = await writeLegacyStore();
  });
  afterAll(() => legacy?.remove());

  it('shows version 0 and the pending migrations with --dry-run, changing nothing', async () => {
    const before = await tables(legacy.dir);
    const dry = await mgmt(legacy.env, 'migrate', '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/^Schema version 0 \(this version of tams-server knows up to 5\)\.$/m);
    expect(dry.out).toMatch(/^Pending:\n {2}1 {2}retire-allocations-used +objects recorded as used/m);
    expect(dry.out).toMatch(/^ {2}2 {2}backfill-allocation-locations +allocation rows without/m);
    expect(dry.out).toMatch(/^ {2}3 {2}backfill-object-times +registered objects get the timerange/m);
    expect(dry.out).toMatch(/^ {2}4 {2}segment-urls-to-object-instances +segments' client get_urls/m);
    expect(dry.out).toMatch(
      /^ {2}5 {2}store-releases +records which releases of tams-server opened the store/m,
    );
    expect(dry.out).toContain('Dry run: nothing was changed.');
    expect(await tables(legacy.dir)).toEqual(before);
    expect(before).toContain('allocations_used');
  });

  it('applies them, and finds nothing to do the next time', async () => {
    const run = await mgmt(legacy.env, 'migrate');
    expect(run.code, run.err).toBe(0);
    expect(run.out).toContain('Applied 1, 2, 3, 4, 5: schema version 5.');
    expect(run.err).toContain('schema migration applied {"migration":1,"name":"retire-allocations-used"');
    expect(await tables(legacy.dir)).not.toContain('allocations_used');

    const again = await mgmt(legacy.env, 'migrate');
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(
      /^Applied:\n {2}1 {2}retire-allocations-used +\d{4}-\d\d-\d\dT[^ ]+ {2}tams-mgmt:/m,
    );
    expect(again.out).toContain('Up to date: nothing to apply.');
    // The release that applied them is recorded as opening the store (store_releases).
    expect(again.out).toMatch(
      new RegExp(
        `^Opened by:\\n {2}tams-server ${packageVersion().replaceAll('.', '\\.')} +schema version 5 +\\S+ +tams-mgmt:`,
        'm',
      ),
    );
  });

  it('refuses a store a later release opened, naming both', async () => {
    // As release 99.0.0 records itself when it opens the store (store_releases).
    const engine = await createDuckDbEngine({ path: `${legacy.dir}/tams.duckdb` });
    try {
      const db = await TableManager.open(engine, migrationTables);
      await db.insert(RELEASES_TABLE, [
        { release: '99.0.0', schema_version: 5n, first_opened: new Date(), opened_by: 'later' },
      ]);
    } finally {
      await engine.close();
    }
    const refused = await mgmt(legacy.env, 'migrate', '--dry-run');
    expect(refused.code).toBe(1);
    expect(refused.out).toMatch(/^ {2}tams-server 99\.0\.0 +schema version 5 +\S+ +later$/m);
    expect(refused.err).toContain(
      `tams-mgmt: this store was opened by tams-server 99.0.0 (schema version 5); this is tams-server ${packageVersion()}, ` +
        'which knows schema versions up to 5: a downgrade is refused and nothing was changed',
    );
    const tablesCommand = await mgmt(legacy.env, 'tables');
    expect(tablesCommand.code).toBe(1);
    expect(tablesCommand.err).toContain('this store was opened by tams-server 99.0.0');
    // Gone from the record (as after restoring a backup taken before it), the store opens again.
    const later = await createDuckDbEngine({ path: `${legacy.dir}/tams.duckdb` });
    try {
      const db = await TableManager.open(later, migrationTables);
      await db.delete(RELEASES_TABLE, and(col('release').eq('99.0.0')));
    } finally {
      await later.close();
    }
    expect((await mgmt(legacy.env, 'migrate', '--dry-run')).code).toBe(0);
  });

  it('refuses a store newer than it, and says so', async () => {
    const engine = await createDuckDbEngine({ path: `${legacy.dir}/tams.duckdb` });
    try {
      const db = await TableManager.open(engine, migrationTables);
      await db.insert(HISTORY_TABLE, [{ id: 7n, name: 'from-the-future', applied: new Date() }]);
    } finally {
      await engine.close();
    }
    const refused = await mgmt(legacy.env, 'migrate', '--dry-run');
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('Schema version 7 (this version of tams-server knows up to 5).');
    expect(refused.err).toContain('tams-mgmt: the store is at schema version 7 (migration "from-the-future"');
    // Every other command opens the store as the server does, and is refused too.
    const tablesCommand = await mgmt(legacy.env, 'tables');
    expect(tablesCommand.code).toBe(1);
    expect(tablesCommand.err).toContain('schema version 7');
  });
});
