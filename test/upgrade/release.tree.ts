/**
 * Releases of tams-server built from the repository's own history, to run as a process beside
 * the current code: the previous release (the newest CHANGELOG release before HEAD), extracted
 * with `git archive` into a temporary folder, with node_modules, run as `npm start` runs it
 * (`node --import tsx src/main.ts`); and a "newer release", the current tree with package.json's
 * version raised, for the refusal of a downgrade.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** The checkout under test (this file's repository). */
export const ROOT = new URL('../../', import.meta.url).pathname.replace(/\/$/, '');

function git(args: readonly string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', maxBuffer: 64 << 20 }).trim();
}

/** Whether `git` succeeds (exit 0) with `args`. */
function gitOk(args: readonly string[], cwd = ROOT): boolean {
  return spawnSync('git', args, { cwd, stdio: 'ignore' }).status === 0;
}

/** The releases CHANGELOG.md names (`## [1.2.3] - date`), newest first. */
export function changelogReleases(root = ROOT): string[] {
  const text = readFileSync(join(root, 'CHANGELOG.md'), 'utf8');
  return [...text.matchAll(/^## \[(\d+\.\d+\.\d+[^\]]*)\]/gm)].map((m) => m[1] as string);
}

function versionAt(commit: string, root: string): string | undefined {
  try {
    return JSON.parse(git(['show', `${commit}:package.json`], root)).version;
  } catch {
    return undefined;
  }
}

/**
 * The commit that set package.json's version to `version`: its tag v<version> where the clone has
 * it, else the newest commit of package.json's history that changed the version to it.
 */
export function releaseCommit(version: string, root = ROOT): string | undefined {
  const tag = `refs/tags/v${version}^{commit}`;
  if (gitOk(['rev-parse', '--verify', '--quiet', tag], root)) {
    const commit = git(['rev-parse', tag], root);
    if (versionAt(commit, root) === version) return commit;
  }
  const line = `"version": "${version.replaceAll('.', '\\.')}"`;
  const touched = git(['log', '--format=%H', `-G${line}`, '--', 'package.json'], root)
    .split('\n')
    .filter(Boolean);
  return touched.find((c) => versionAt(c, root) === version && versionAt(`${c}^`, root) !== version);
}

export interface Release {
  version: string;
  commit: string;
}

/**
 * The previous release: the newest CHANGELOG release whose commit is an ancestor of HEAD and not
 * HEAD itself. Undefined when the CHANGELOG names none before HEAD (at the first release's own
 * commit); throws when a release it names has no commit in the history (a shallow clone).
 */
export function previousRelease(root = ROOT): Release | undefined {
  const head = git(['rev-parse', 'HEAD'], root);
  for (const version of changelogReleases(root)) {
    const commit = releaseCommit(version, root);
    if (commit === undefined) {
      throw new Error(
        `CHANGELOG.md names release ${version}, but no commit of this clone's history sets package.json's ` +
          `version to it (nor is there a tag v${version}): the upgrade test builds the previous release ` +
          'from the history, so it needs a full clone (git fetch --unshallow)',
      );
    }
    if (commit !== head && gitOk(['merge-base', '--is-ancestor', commit, 'HEAD'], root))
      return { version, commit };
  }
  return undefined;
}

/** A release's tree in a temporary folder, runnable from its sources. */
export interface ReleaseTree {
  version: string;
  dir: string;
  remove(): void;
}

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * Gives `dir` (a tree holding package.json and package-lock.json) node_modules: the current
 * checkout's when the lock files are identical, else its own `npm ci`, kept under
 * ~/.cache/tams-server/release-modules/<the lock's SHA-256> for the next run.
 */
function linkModules(dir: string): void {
  const lock = readFileSync(join(dir, 'package-lock.json'));
  const current = join(ROOT, 'package-lock.json');
  let modules: string;
  if (existsSync(current) && sha256(readFileSync(current)) === sha256(lock)) {
    modules = realpathSync(join(ROOT, 'node_modules'));
  } else {
    const cache = join(homedir(), '.cache', 'tams-server', 'release-modules', sha256(lock));
    modules = join(cache, 'node_modules');
    if (!existsSync(join(cache, 'done'))) {
      rmSync(cache, { recursive: true, force: true });
      mkdirSync(cache, { recursive: true });
      cpSync(join(dir, 'package.json'), join(cache, 'package.json'));
      cpSync(join(dir, 'package-lock.json'), join(cache, 'package-lock.json'));
      execFileSync('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], {
        cwd: cache,
        stdio: 'inherit',
      });
      writeFileSync(join(cache, 'done'), '');
    }
  }
  symlinkSync(modules, join(dir, 'node_modules'), 'dir');
}

/** `release` extracted from the history (`git archive`), with node_modules. */
export function extractRelease(release: Release): ReleaseTree {
  const dir = mkdtempSync(join(tmpdir(), `tams-release-${release.version}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const archive = spawnSync('git', ['archive', release.commit], { cwd: ROOT, maxBuffer: 1 << 30 });
    if (archive.status !== 0) throw new Error(`git archive ${release.commit}: ${archive.stderr}`);
    execFileSync('tar', ['-x', '-C', dir], { input: archive.stdout });
    linkModules(dir);
  } catch (error) {
    remove();
    throw error;
  }
  return { version: release.version, dir, remove };
}

/** The next minor release after `version` (1.0.3 -> 1.1.0). */
export function nextMinor(version: string): string {
  const [major, minor] = version.split('.').map(Number);
  return `${major}.${(minor ?? 0) + 1}.0`;
}

/**
 * The current code as a later release would ship it: the checkout's files as they are (tracked
 * and new, not ignored: what a commit of them would hold), with package.json's version raised to
 * `version`.
 */
export function currentAs(version: string): ReleaseTree {
  const dir = mkdtempSync(join(tmpdir(), `tams-release-${version}-`));
  const remove = () => rmSync(dir, { recursive: true, force: true });
  try {
    const files = git(['ls-files', '-z', '--cached', '--others', '--exclude-standard'])
      .split('\0')
      .filter((f) => f !== '' && f !== 'node_modules' && existsSync(join(ROOT, f)));
    for (const file of files) {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      cpSync(join(ROOT, file), join(dir, file), { verbatimSymlinks: true });
    }
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ ...pkg, version }, null, 2)}\n`);
    linkModules(dir);
  } catch (error) {
    remove();
    throw error;
  }
  return { version, dir, remove };
}
