import { describe, expect, it } from 'vitest';
import { migrationTables } from '../db/migrate/migrate.history.ts';
import { CONTENT_TABLES } from './maintenance.repo.ts';
import { storeTables, T } from './tables.ts';

/** The core's tables emptyContent keeps on purpose (see CONTENT_TABLES). */
const KEPT: readonly string[] = [
  T.settings,
  T.users,
  T.tokens,
  T.webhooks,
  T.parkedEvents,
  T.events,
  T.mediaGc,
  T.guards,
  T.eventSlots,
  // Flow Profiles are never deleted (TAMS 8.2): house formats, not content.
  T.profiles,
  ...migrationTables.map((t) => t.name),
];

describe('CONTENT_TABLES', () => {
  it("holds every table of the core's but the kept ones", () => {
    // A table left out keeps rows about content that `tams-mgmt clean --all` removed.
    const missing = storeTables
      .map((t) => t.name)
      .filter((t) => !KEPT.includes(t) && !(CONTENT_TABLES as readonly string[]).includes(t));
    expect(missing).toEqual([]);
  });
});
