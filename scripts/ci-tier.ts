/**
 * Whether a CI run must run the full tier (docs/development.md, "CI tiers"), and the record that
 * says where it last passed.
 *
 *   node --import tsx scripts/ci-tier.ts check          prints `due: <why>` or `not due: <why>`
 *   node --import tsx scripts/ci-tier.ts record <secs>  writes .ci/full-tier.json for HEAD
 *
 * The full tier runs again the checks the landing tier holds back: the HTTP suites on the shared
 * engines, Node 22 and 24, the newest VAST SDK, the second fuzz version, the remaining benches.
 * It is due when the commits since the one recorded as having passed it touch what it guards
 * (GUARDED: the store, the engines, the wings' stores, the fakes and servers they run on, the
 * dependencies, the test projects), when more than MAX_COMMITS commits have gone by since (every
 * change reaches it within a few landings), or when there is no usable record. A developer runs
 * it with `npm run test:full`, which records HEAD when it passes on a clean tree; the record is
 * committed, and CI then skips what it has seen.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the full tier guards: a change under any of these makes it due. */
export const GUARDED = [
  'src/db/',
  'src/store/',
  // The wiring of the services to the store, with or without the embedded accelerator.
  'src/deps*.ts',
  'src/search/store/',
  'src/exr/store/',
  'src/analytics/store/',
  'tools/vast-fake/',
  'tools/postgres/',
  'test/helpers/vast.mode.ts',
  'test/helpers/vast.setup.ts',
  'test/helpers/postgres.mode.ts',
  'test/helpers/postgres.setup.ts',
  'test/helpers/postgres.gate.ts',
  // The upgrade from the previous release, which the full tier runs on the shared engines.
  'test/upgrade/',
  // The live recorder, whose loop and takeover suites the full tier runs.
  'src/recorder/',
  'test/recorder/',
  'test/postgres/recorder.replicas.postgres.test.ts',
  // Replication, whose takeover between PostgreSQL replicas the full tier runs.
  'src/replication/',
  'test/postgres/replication.replicas.postgres.test.ts',
  'test/postgres/replication.proxy.ts',
  'test/bbc-examples/bbc-examples.replication.test.ts',
  'test/bbc-examples/examples.replication.ts',
  'test/bbc-examples/examples.relay.ts',
  'bench/',
  'package.json',
  'package-lock.json',
  'vitest.config.ts',
  'scripts/oracles-newest-requirements.txt',
  'scripts/ci-full.sh',
];

/** More commits than this since the recorded pass make it due whatever they touch. */
export const MAX_COMMITS = 200;

export const RECORD = '.ci/full-tier.json';

export interface TierRecord {
  /** The commit the full tier passed at. */
  commit: string;
  /** When, ISO 8601. */
  date: string;
  /** How long the full tier took there. */
  seconds: number;
}

export type Verdict = { due: boolean; why: string };

function git(repo: string, args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

function gitOk(repo: string, args: string[]): boolean {
  try {
    execFileSync('git', args, { cwd: repo, stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function readRecord(repo: string): TierRecord | undefined {
  const file = join(repo, RECORD);
  if (!existsSync(file)) return undefined;
  try {
    const record = JSON.parse(readFileSync(file, 'utf8')) as Partial<TierRecord>;
    if (typeof record.commit !== 'string' || !/^[0-9a-f]{40}$/.test(record.commit)) return undefined;
    return { commit: record.commit, date: String(record.date ?? ''), seconds: Number(record.seconds ?? 0) };
  } catch {
    return undefined;
  }
}

/** Whether the full tier is due at HEAD of `repo` (see the file's comment). */
export function fullTierDue(repo: string, maxCommits = MAX_COMMITS): Verdict {
  const record = readRecord(repo);
  if (!record) return { due: true, why: `no usable record of a pass (${RECORD})` };
  const short = record.commit.slice(0, 12);
  if (!gitOk(repo, ['cat-file', '-e', `${record.commit}^{commit}`]))
    return { due: true, why: `the recorded commit ${short} is not in this repository` };
  if (!gitOk(repo, ['merge-base', '--is-ancestor', record.commit, 'HEAD']))
    return { due: true, why: `the recorded commit ${short} is not an ancestor of HEAD` };
  const since = Number(git(repo, ['rev-list', '--count', `${record.commit}..HEAD`]));
  if (since > maxCommits)
    return { due: true, why: `${since} commits since it passed at ${short}, more than ${maxCommits}` };
  const changed = git(repo, ['diff', '--name-only', record.commit, 'HEAD', '--', ...GUARDED])
    .split('\n')
    .filter((line) => line !== '');
  if (changed.length > 0) {
    const shown =
      changed.slice(0, 5).join(', ') + (changed.length > 5 ? `, and ${changed.length - 5} more` : '');
    return { due: true, why: `changed since it passed at ${short}: ${shown}` };
  }
  return {
    due: false,
    why: `it passed at ${short} (${record.date}), ${since} commits ago, and nothing it guards changed since`,
  };
}

/** Records that the full tier passed at HEAD; refuses where tracked files differ from HEAD. */
export function recordPass(repo: string, seconds: number, now = new Date()): TierRecord {
  const dirty = git(repo, ['status', '--porcelain', '--untracked-files=no']);
  if (dirty !== '') throw new Error(`not recorded: tracked files differ from HEAD:\n${dirty}`);
  const record: TierRecord = { commit: git(repo, ['rev-parse', 'HEAD']), date: now.toISOString(), seconds };
  mkdirSync(dirname(join(repo, RECORD)), { recursive: true });
  writeFileSync(join(repo, RECORD), `${JSON.stringify(record, null, 2)}\n`);
  return record;
}

function main(argv: string[]): number {
  const repo = git(process.cwd(), ['rev-parse', '--show-toplevel']);
  const [command, arg] = argv;
  if (command === 'check') {
    const verdict = fullTierDue(repo);
    process.stdout.write(`${verdict.due ? 'due' : 'not due'}: ${verdict.why}\n`);
    return 0;
  }
  if (command === 'record' && arg !== undefined && /^\d+$/.test(arg)) {
    const record = recordPass(repo, Number(arg));
    process.stdout.write(
      `ci-tier: recorded the full tier's pass at ${record.commit} in ${RECORD}: commit it\n`,
    );
    return 0;
  }
  process.stderr.write('usage: ci-tier.ts check | record <seconds>\n');
  return 2;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`ci-tier: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}
