/**
 * npm run deps:check (scripts/deps-check.ts with .dependency-cruiser.cjs) on a small tree made
 * for it: each rule of DESIGN.md it enforces is broken once, and each breach is reported.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/server.ts';

const repo = join(import.meta.dirname, '..', '..');

/** Files of the tree: path -> the modules it imports (`type:` marks an `import type`). */
const TREE: Record<string, string[]> = {
  // A cycle between two files, one way a type-only import: type cycles count too.
  'src/flows/flows.a.ts': ['./flows.b.ts'],
  'src/flows/flows.b.ts': ['type:./flows.a.ts'],
  // Two areas importing each other through different files: no file cycle, a folder cycle.
  'src/sources/sources.a.ts': ['../objects/objects.a.ts'],
  'src/objects/objects.b.ts': ['../sources/sources.b.ts'],
  'src/objects/objects.a.ts': [],
  'src/sources/sources.b.ts': [],
  // Routes touching the store; common/ reaching into an area.
  'src/flows/flows.routes.ts': ['type:../store/store.ts'],
  'src/common/common.a.ts': ['../store/store.ts'],
  'src/store/store.ts': [],
  // An engine built by a service, and by the engine factory (allowed).
  'src/flows/flows.service.ts': ['../db/engines/duckdb/duckdb.engine.ts'],
  'src/db/engine.factory.ts': ['./engines/duckdb/duckdb.engine.ts'],
  'src/db/engines/duckdb/duckdb.engine.ts': [],
  // One engine reaching into another; both engines on the shared SQL compiler (allowed).
  'src/db/engines/postgres/postgres.sql.ts': ['../duckdb/duckdb.engine.ts', '../sql/sql.compile.ts'],
  'src/db/engines/duckdb/duckdb.sql.ts': ['../sql/sql.compile.ts'],
  'src/db/engines/sql/sql.compile.ts': [],
  // The core store reaching into the embedded accelerator; the accelerator reaching up into an
  // area; the accelerator on the store, and an area on the accelerator (both allowed).
  'src/store/store.layered.ts': ['../embedded/embedded.a.ts'],
  'src/embedded/embedded.a.ts': ['../store/store.repo.ts'],
  'src/embedded/embedded.b.ts': ['../flows/flows.a.ts'],
  'src/segments/segments.lane.ts': ['../embedded/embedded.a.ts'],
  // An import of nothing (a file moved without its importers).
  'src/sources/sources.c.ts': ['./sources.moved.ts'],
  // Test kits count as the layer they serve: a store kit loading the configuration, which imports
  // the store; a db kit reaching the store through a test helper.
  'test/support/store/store.testkit.ts': ['../../../src/config.ts'],
  'src/config.ts': ['./store/store.ts'],
  'test/support/db/db.testkit.ts': ['../../helpers/helper.ts'],
  'test/helpers/helper.ts': ['../../src/store/store.repo.ts'],
  'src/store/store.repo.ts': ['../db/db.manager.ts'],
  'src/db/db.manager.ts': [],
  // Tests are held to no layer: a store test may load the configuration.
  'src/store/store.repo.test.ts': ['../config.ts'],
  // Test code left in src/: a kit, and a module that uses vitest.
  'src/flows/flows.testkit.ts': [],
  'src/flows/flows.fixture.ts': ['vitest'],
  // The bench importing a test helper; a tool importing a test kit.
  'bench/bench.a.ts': ['../test/helpers/helper.ts'],
  'tools/fake/fake.a.ts': ['../../test/support/db/db.testkit.ts'],
};

describe('npm run deps:check', () => {
  const dir = tempDir('tams-deps-');
  let output = '';
  let status: number | null = null;

  beforeAll(() => {
    copyFileSync(join(repo, '.dependency-cruiser.cjs'), join(dir.path, '.dependency-cruiser.cjs'));
    for (const [path, imports] of Object.entries(TREE)) {
      mkdirSync(dirname(join(dir.path, path)), { recursive: true });
      const lines = imports.map((m, i) =>
        m.startsWith('type:')
          ? `import type { x as t${i} } from '${m.slice(5)}';`
          : `import { x as m${i} } from '${m}';`,
      );
      writeFileSync(join(dir.path, path), `${lines.join('\n')}\nexport const x = 1;\n`);
    }
    const run = spawnSync(
      process.execPath,
      ['--import', 'tsx', join(repo, 'scripts/deps-check.ts'), dir.path],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    );
    output = run.stdout + run.stderr;
    status = run.status;
  });
  afterAll(() => dir.remove());

  it('fails, reporting each breach', () => {
    expect(status, output).toBe(1);
    expect(output).toContain(
      'no-circular: src/flows/flows.a.ts -> src/flows/flows.b.ts -> src/flows/flows.a.ts',
    );
    expect(output).toContain('no-folder-cycle: src/objects -> src/sources -> src/objects');
    expect(output).toContain('routes-not-store: src/flows/flows.routes.ts -> src/store/store.ts');
    expect(output).toContain('common-time-import-no-area: src/common/common.a.ts -> src/store/store.ts');
    expect(output).toContain(
      'db-engines-only-from-factory: src/flows/flows.service.ts -> src/db/engines/duckdb/duckdb.engine.ts',
    );
    expect(output).toContain('not-to-unresolvable: src/sources/sources.c.ts -> ./sources.moved.ts');
  });

  it('holds test kits to the layer they serve, directly and through test helpers', () => {
    expect(output).toContain('store-below-areas: test/support/store/store.testkit.ts -> src/config.ts');
    expect(output).toContain('no-folder-cycle: src/config.ts -> src/store -> src/config.ts');
    expect(output).toContain('no-folder-cycle: src/db -> test/helpers/helper.ts -> src/store -> src/db');
  });

  it('finds test code in src/, and bench/ or tools/ importing test/', () => {
    expect(output).toContain('test-code-in-src: src/flows/flows.testkit.ts');
    expect(output).toContain('test-code-in-src: src/flows/flows.fixture.ts');
    expect(output).toContain('bench-scripts-import-no-tests: bench/bench.a.ts -> test/helpers/helper.ts');
    expect(output).toContain('tools-import-no-tests: tools/fake/fake.a.ts -> test/support/db/db.testkit.ts');
  });

  it('holds tests to no layer', () => {
    expect(output).not.toContain('src/store/store.repo.test.ts');
  });

  it('lets the engine factory build engines', () => {
    expect(output).not.toContain('src/db/engine.factory.ts ->');
  });

  it('keeps the embedded accelerator out of the core store, and below the areas', () => {
    expect(output).toContain(
      'store-knows-no-accelerator: src/store/store.layered.ts -> src/embedded/embedded.a.ts',
    );
    expect(output).toContain('embedded-below-areas: src/embedded/embedded.b.ts -> src/flows/flows.a.ts');
    // No rule breached by these two (the first is in the folder cycle the store's breach makes).
    expect(output).not.toMatch(/^error [a-z-]+: src\/embedded\/embedded\.a\.ts ->/m);
    expect(output).not.toContain('src/segments/segments.lane.ts ->');
  });

  it('keeps the engines apart, sharing only the SQL compiler', () => {
    expect(output).toContain(
      'engines-apart: src/db/engines/postgres/postgres.sql.ts -> src/db/engines/duckdb/duckdb.engine.ts',
    );
    expect(output).not.toContain('-> src/db/engines/sql/sql.compile.ts');
  });
});
