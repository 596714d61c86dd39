/**
 * The documents hold together: README.md, BENCHMARKS.md, docs/ and the READMEs beside the code
 * link to files and headings that exist, README.md links every page of docs/, and the commands
 * they show name npm scripts and files that exist (docs/development.md, "Documents").
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { anchors, docProblems, type Repo, repositoryDocs, slug } from './docs.check.ts';

const root = join(import.meta.dirname, '..', '..');

describe('the documents', () => {
  it('link only to files and headings that exist, and run only scripts and files that exist', () => {
    const { docs, repo } = repositoryDocs(root);
    // The documents were read (a walk gone wrong would check nothing).
    expect(docs.map((d) => d.path)).toEqual(expect.arrayContaining(['README.md', 'BENCHMARKS.md']));
    expect(docs.filter((d) => d.path.startsWith('docs/')).length).toBeGreaterThanOrEqual(15);
    expect(docProblems(docs, repo)).toEqual([]);
  });
});

describe('the checks', () => {
  const repo: Repo = {
    exists: (p) => ['src/main.ts', 'bench/auth.ts', 'bin/tams-mgmt.mjs'].includes(p),
    scripts: new Set(['bench', 'mgmt']),
  };

  it('spell anchors as GitHub does', () => {
    expect(slug('VAST: replicas')).toBe('vast-replicas');
    expect(slug('The field kit: `tams-mgmt vast check`')).toBe('the-field-kit-tams-mgmt-vast-check');
    expect(slug("The VAST engine's tests")).toBe('the-vast-engines-tests');
    expect([...anchors('# A\n\n## Tests\n\n```sh\n# not a heading\n```\n\n## Tests\n')]).toEqual([
      'a',
      'tests',
      'tests-1',
    ]);
  });

  it('find a missing file, a missing heading, an unlinked page, a missing script and a missing file run', () => {
    const docs = [
      {
        path: 'README.md',
        text: [
          '# T',
          '[ok](docs/a.md#usage), [gone](docs/gone.md), [no heading](docs/a.md#nowhere), [here](#t)',
          '[web](https://example.com/x.md) `[in code](docs/gone.md)`',
          '```sh',
          'npm run bench -- --quick',
          'npm run benhc',
          'node --import tsx bench/auth.ts',
          'node --import tsx bench/gone.ts',
          '[in a block](docs/gone.md)',
          '```',
        ].join('\n'),
      },
      { path: 'docs/a.md', text: '# A\n\n## Usage\n\n[up](../README.md#t) [src](../src/main.ts)\n' },
      { path: 'docs/b.md', text: '# B\n\n[out](../../elsewhere.md)\n' },
    ];
    expect(docProblems(docs, repo)).toEqual([
      'README.md: link docs/gone.md: docs/gone.md does not exist',
      'README.md: link docs/a.md#nowhere: docs/a.md has no heading #nowhere',
      'README.md: npm run benhc: package.json has no such script',
      'README.md: a command runs bench/gone.ts, which does not exist',
      'docs/b.md: link ../../elsewhere.md leaves the repository',
      'README.md does not link docs/b.md',
    ]);
  });
});
