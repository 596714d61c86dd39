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
  // An import of nothing (a file moved without its importers).
  'src/sources/sources.c.ts': ['./sources.moved.ts'],
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

  it('lets the engine factory build engines', () => {
    expect(output).not.toContain('src/db/engine.factory.ts ->');
  });
});
