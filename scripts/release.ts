/**
 * Cuts a release (docs/releasing.md):
 *
 *   npm run release -- <version> [--dry-run]
 *
 * Checks that <version> is a semantic version above package.json's, that the working tree is
 * clean but for CHANGELOG.md, that CHANGELOG.md has the release's dated section with its changes
 * (and nothing left under [Unreleased]) and that no tag v<version> exists; then writes the number
 * into package.json, package-lock.json, the Helm chart (version and appVersion) and the image's
 * label, commits them with CHANGELOG.md as "Release <version>" and tags that commit v<version>.
 * --dry-run checks and changes nothing. Exit 0 done, 1 refused, 2 wrong usage.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  changelogProblems,
  compareVersions,
  parseVersion,
  statedVersions,
  VERSION_FILES,
  writeVersion,
} from './release.files.ts';

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function refuse(message: string): never {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

function main(): void {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { 'dry-run': { type: 'boolean' } },
    allowPositionals: true,
  });
  const [version, ...rest] = positionals;
  if (version === undefined || rest.length > 0) {
    process.stderr.write('usage: npm run release -- <version> [--dry-run]   (e.g. 1.1.0)\n');
    process.exit(2);
  }
  const next = parseVersion(version);
  if (!next) refuse(`"${version}" is not a semantic version (MAJOR.MINOR.PATCH, e.g. 1.1.0)`);

  const root = git(process.cwd(), ['rev-parse', '--show-toplevel']);
  const current = statedVersions(root).packageJson ?? '';
  const currentVersion = parseVersion(current);
  if (currentVersion && compareVersions(next, currentVersion) <= 0) {
    refuse(`${version} is not above the current release ${current} (package.json)`);
  }
  // -z: entries untrimmed ("XY path"), whatever the path holds.
  const dirty = execFileSync('git', ['status', '--porcelain', '-z'], { cwd: root, encoding: 'utf8' })
    .split('\0')
    .filter((entry) => entry !== '' && entry.slice(3) !== VERSION_FILES.changelog);
  if (dirty.length > 0) {
    refuse(
      `the working tree has changes besides CHANGELOG.md (commit or discard them first):\n  ${dirty.join('\n  ')}`,
    );
  }
  if (git(root, ['tag', '--list', `v${version}`]) !== '') refuse(`the tag v${version} exists already`);
  const problems = changelogProblems(readFileSync(join(root, VERSION_FILES.changelog), 'utf8'), version);
  if (problems.length > 0) refuse(problems.join('\n  '));

  if (values['dry-run']) {
    process.stdout.write(
      `release: ${current} -> ${version} would be committed as "Release ${version}" and tagged v${version} (dry run: nothing changed)\n`,
    );
    return;
  }
  writeVersion(root, version);
  const stated = statedVersions(root);
  const disagree = Object.entries(stated).filter(([, v]) => v !== version);
  if (disagree.length > 0) {
    refuse(
      `after writing, these still do not say ${version}: ${disagree.map(([k, v]) => `${k}=${v}`).join(', ')}`,
    );
  }
  git(root, ['add', ...Object.values(VERSION_FILES)]);
  git(root, ['commit', '--quiet', '-m', `Release ${version}`]);
  git(root, ['tag', '-a', `v${version}`, '-m', `tams-server ${version}`]);
  const commit = git(root, ['rev-parse', '--short', 'HEAD']);
  process.stdout.write(
    `release: ${current} -> ${version}: committed ${commit} "Release ${version}" and tagged v${version}.\n` +
      `Push the branch and the tag (git push && git push origin v${version}), then build the image (docs/releasing.md).\n`,
  );
}

main();
