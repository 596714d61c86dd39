/**
 * The files that carry tams-server's release number, read and written by the release command
 * (scripts/release.ts) and checked to agree by test/release/version.agree.test.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A semantic version: MAJOR.MINOR.PATCH with an optional pre-release (1.2.0-rc.1); no build part. */
const SEMVER = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-([0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*))?$/;

export interface Version {
  major: number;
  minor: number;
  patch: number;
  pre: string[];
}

export function parseVersion(text: string): Version | undefined {
  const m = SEMVER.exec(text);
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), pre: m[4]?.split('.') ?? [] };
}

/** Semantic versioning's precedence (§11): negative when `a` comes before `b`. */
export function compareVersions(a: Version, b: Version): number {
  const core = a.major - b.major || a.minor - b.minor || a.patch - b.patch;
  if (core !== 0) return core;
  // A pre-release comes before its release.
  if (a.pre.length === 0 || b.pre.length === 0) return b.pre.length - a.pre.length;
  for (let i = 0; i < Math.min(a.pre.length, b.pre.length); i++) {
    const x = a.pre[i] as string;
    const y = b.pre[i] as string;
    if (x === y) continue;
    const xn = /^\d+$/.test(x);
    const yn = /^\d+$/.test(y);
    if (xn && yn) return Number(x) - Number(y);
    if (xn !== yn) return xn ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return a.pre.length - b.pre.length;
}

/** Where each file holds the release number (repository-relative paths). */
export const VERSION_FILES = {
  packageJson: 'package.json',
  lock: 'package-lock.json',
  chart: 'helm/tams-server/Chart.yaml',
  dockerfile: 'Dockerfile',
  changelog: 'CHANGELOG.md',
} as const;

/** The release number as each file states it (undefined where a file states none). */
export interface StatedVersions {
  packageJson: string | undefined;
  lock: string | undefined;
  lockRoot: string | undefined;
  chartVersion: string | undefined;
  chartAppVersion: string | undefined;
  imageLabel: string | undefined;
}

const CHART_VERSION = /^version:\s*"?([^"\s]+)"?\s*$/m;
const CHART_APP_VERSION = /^appVersion:\s*"?([^"\s]+)"?\s*$/m;
const IMAGE_LABEL = /org\.opencontainers\.image\.version="([^"]*)"/;

function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

export function statedVersions(root: string): StatedVersions {
  const lock = JSON.parse(read(root, VERSION_FILES.lock));
  const chart = read(root, VERSION_FILES.chart);
  return {
    packageJson: JSON.parse(read(root, VERSION_FILES.packageJson)).version,
    lock: lock.version,
    lockRoot: lock.packages?.['']?.version,
    chartVersion: CHART_VERSION.exec(chart)?.[1],
    chartAppVersion: CHART_APP_VERSION.exec(chart)?.[1],
    imageLabel: IMAGE_LABEL.exec(read(root, VERSION_FILES.dockerfile))?.[1],
  };
}

/** One release's section of CHANGELOG.md. */
export interface ChangelogRelease {
  version: string;
  /** The date in its heading (YYYY-MM-DD), undefined for [Unreleased]. */
  date: string | undefined;
  /** The lines under its heading up to the next release's. */
  body: string[];
}

const RELEASE_HEADING = /^## \[([^\]]+)\](?: - (\d{4}-\d{2}-\d{2}))?\s*$/;

/** The sections of a Keep a Changelog file, newest first, [Unreleased] among them. */
export function changelogReleases(text: string): ChangelogRelease[] {
  const releases: ChangelogRelease[] = [];
  for (const line of text.split('\n')) {
    const heading = RELEASE_HEADING.exec(line);
    if (heading) {
      releases.push({ version: heading[1] as string, date: heading[2], body: [] });
    } else if (/^\[[^\]]+\]: /.test(line)) {
      // Link references at the file's end belong to no section.
    } else {
      releases.at(-1)?.body.push(line);
    }
  }
  return releases;
}

/** The entries (list items) of a section. */
export function entries(release: ChangelogRelease): string[] {
  return release.body.filter((line) => /^\s*- \S/.test(line));
}

/**
 * What stops `version` from being released with this CHANGELOG.md (an empty list when nothing
 * does): its section must exist with a real date and at least one entry, be the newest release,
 * and [Unreleased] must hold nothing (everything on the branch is in the release).
 */
export function changelogProblems(text: string, version: string): string[] {
  const releases = changelogReleases(text);
  const problems: string[] = [];
  const section = releases.find((r) => r.version === version);
  if (!section) {
    return [
      `CHANGELOG.md has no section "## [${version}] - YYYY-MM-DD": write what the release changes there`,
    ];
  }
  if (section.date === undefined || Number.isNaN(Date.parse(`${section.date}T00:00:00Z`))) {
    problems.push(`CHANGELOG.md's section for ${version} needs a date: "## [${version}] - YYYY-MM-DD"`);
  }
  if (entries(section).length === 0) problems.push(`CHANGELOG.md's section for ${version} lists no change`);
  const newest = releases.find((r) => r.version !== 'Unreleased');
  if (newest !== section) {
    problems.push(
      `CHANGELOG.md's newest release is ${newest?.version}, above ${version}: a release goes on top`,
    );
  }
  const unreleased = releases.find((r) => r.version === 'Unreleased');
  if (unreleased && entries(unreleased).length > 0) {
    problems.push(
      `CHANGELOG.md's [Unreleased] still lists ${entries(unreleased).length} change(s): move them into ${version}`,
    );
  }
  return problems;
}

/** Writes `version` into every file that carries the release number. */
export function writeVersion(root: string, version: string): void {
  const pkgPath = VERSION_FILES.packageJson;
  const pkg = read(root, pkgPath);
  // Replaced in place rather than re-serialised, so the file's layout stays as it was.
  writeFileSync(join(root, pkgPath), pkg.replace(/^(\s*"version":\s*)"[^"]*"/m, `$1"${version}"`));
  const lock = JSON.parse(read(root, VERSION_FILES.lock));
  lock.version = version;
  if (lock.packages?.['']) lock.packages[''].version = version;
  writeFileSync(join(root, VERSION_FILES.lock), `${JSON.stringify(lock, null, 2)}\n`);
  const chart = read(root, VERSION_FILES.chart)
    .replace(CHART_VERSION, `version: ${version}`)
    .replace(CHART_APP_VERSION, `appVersion: "${version}"`);
  writeFileSync(join(root, VERSION_FILES.chart), chart);
  const dockerfile = read(root, VERSION_FILES.dockerfile).replace(
    IMAGE_LABEL,
    `org.opencontainers.image.version="${version}"`,
  );
  writeFileSync(join(root, VERSION_FILES.dockerfile), dockerfile);
}
