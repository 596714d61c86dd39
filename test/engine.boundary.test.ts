/**
 * One way in to the store, checked on the sources: only the engine factory
 * (src/db/engine.factory.ts) opens an engine; only the DuckDB engine reads DuckDB's
 * words for a locked file; the management commands (mgmt/) reach the data through the store,
 * its maintenance repository and the services, never through the table manager or tables.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../', import.meta.url).pathname;

function sources(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|mts|mjs|js)$/.test(e.name))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

/** Files whose text matches `pattern`, outside the paths `allowed` accepts. */
function offenders(folders: string[], pattern: RegExp, allowed: (path: string) => boolean): string[] {
  return folders
    .flatMap(sources)
    .filter((path) => !allowed(path) && pattern.test(readFileSync(join(ROOT, path), 'utf8')));
}

describe('the engine boundary', () => {
  it('only the engine factory opens an engine: nothing else under src/ or mgmt/ reaches the DuckDB engine', () => {
    const duckdb = /engines\/duckdb\/|createDuckDbEngine|DuckDBInstance/;
    // The factory (its test holds a file with DuckDB in another process), and each engine's own
    // folder (the engines' tests build them).
    const engine = (path: string) =>
      /^src\/db\/engine\.factory(\.test)?\.ts$/.test(path) || path.startsWith('src/db/engines/');
    expect(offenders(['src', 'mgmt', 'bin'], duckdb, engine)).toEqual([]);
  });

  it("only the DuckDB engine reads DuckDB's lock message (everything above gets StoreLockedError)", () => {
    const wording = /Could not set lock|Conflicting lock/i;
    expect(offenders(['src', 'mgmt'], wording, (path) => path.startsWith('src/db/engines/duckdb/'))).toEqual(
      [],
    );
  });

  it('the management commands go through the store and services, not the table manager or its tables', () => {
    const below = [
      // db/ is the store's business; its typed errors and the topology's capabilities are for everyone.
      /from '(\.\.\/)+src\/db\/(?!db\.errors\.ts'|topology\.ts')/,
      /from '\.\.\/src\/store\/tables\.ts'/,
      /new \w+Repo\(/,
      /runtime\.db\b|\{ db \}/,
    ];
    for (const pattern of below)
      expect(
        // The VAST field kit (`vast check`) tests the engine and its wire themselves, beneath the store.
        offenders(['mgmt'], pattern, (path) => path.startsWith('mgmt/vast/')),
        String(pattern),
      ).toEqual([]);
  });
});
