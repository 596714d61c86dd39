/**
 * `npm run fuzz [-- --long] [--version 7.0|8.2] [--seed N] [--max-examples N] [--keep] [-- <schemathesis options>]`:
 * property-based fuzzing of the API with schemathesis (Python, installed into .venv-oracles by
 * scripts/oracles-venv.sh) against the server's own OpenAPI document of one API version: 7.0's at
 * `/openapi.json` (the default: the root mount, with the extensions), 8.2's at
 * `/tams/v8.2/openapi.json` (the 8.2 mount; its document matches the 8.2 spec's, which
 * `npm run openapi:check -- --version 8.2` proves, so its answers are checked against 8.2). Starts tams-server as
 * `npm start` does (authentication required, a fresh data directory), seeds it (fuzz.seed.ts),
 * and runs the checks of test/fuzz/schemathesis.toml: no 5xx, only documented statuses and
 * content types, responses valid against their documented schemas, and the TAMS error body on
 * every 4xx/5xx (test/fuzz/tams_checks.py). Fails on any finding, if the server died, and if it
 * logged an error.
 *
 * Quick mode (CI, ~2 min) has a fixed seed and 25 examples per operation through the coverage,
 * fuzzing and stateful (sequences of calls linked by the ids they return) phases; `--long` adds
 * the examples phase, draws 300 examples per operation and a new seed, printed to reproduce.
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { seed } from './fuzz.seed.ts';
import { errorLines, startServer } from './fuzz.server.ts';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The OpenAPI document of each version's mount (src/http/api.version.ts). */
const DOCUMENTS: Readonly<Record<string, string>> = {
  '7.0': '/openapi.json',
  '8.2': '/tams/v8.2/openapi.json',
};

interface Options {
  long: boolean;
  version: string;
  seed: number;
  maxExamples: number;
  keep: boolean;
  extra: string[];
}

/** The fixed seed of quick mode: CI runs the same cases every time. */
const QUICK_SEED = 17;
const QUICK_EXAMPLES = 25;
const LONG_EXAMPLES = 300;

function parseArgs(argv: string[]): Options {
  const separator = argv.indexOf('--');
  const own = separator === -1 ? argv : argv.slice(0, separator);
  const extra = separator === -1 ? [] : argv.slice(separator + 1);
  const long = own.includes('--long');
  const numberAfter = (name: string) => {
    const i = own.indexOf(name);
    if (i === -1) return undefined;
    const value = Number(own[i + 1]);
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${name} needs a whole number`);
    return value;
  };
  const known = new Set(['--long', '--keep', '--seed', '--max-examples', '--version']);
  const valued = new Set(['--seed', '--max-examples', '--version']);
  for (const [i, arg] of own.entries()) {
    const isValue = i > 0 && valued.has(own[i - 1] ?? '');
    if (!known.has(arg) && !isValue)
      throw new Error(`unknown option ${arg} (schemathesis options go after --)`);
  }
  const versionAt = own.indexOf('--version');
  const version = versionAt === -1 ? '7.0' : (own[versionAt + 1] ?? '');
  if (DOCUMENTS[version] === undefined) {
    throw new Error(`--version takes one of ${Object.keys(DOCUMENTS).join(', ')}`);
  }
  return {
    long,
    version,
    seed: numberAfter('--seed') ?? (long ? randomBytes(4).readUInt32BE() : QUICK_SEED),
    maxExamples: numberAfter('--max-examples') ?? (long ? LONG_EXAMPLES : QUICK_EXAMPLES),
    keep: own.includes('--keep'),
    extra,
  };
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const venv = execFileSync('bash', [join(ROOT, 'scripts/oracles-venv.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
  const work = mkdtempSync(join(tmpdir(), 'tams-fuzz-'));
  const token = `fuzz-${randomBytes(24).toString('base64url')}`;
  const server = await startServer(ROOT, work, {
    TAMS_DATA_DIR: join(work, 'data'),
    TAMS_AUTH: 'required',
    TAMS_BOOTSTRAP_ADMIN_TOKEN: token,
    TAMS_LOG_LEVEL: 'warn',
    // Deletions of more than one segment go to the background, so both answers (204, 202) occur.
    TAMS_DELETE_SYNC_LIMIT: '1',
  });
  let code = 1;
  try {
    const dictionaries = await seed(async (method, path, body) => {
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      if (!res.ok) throw new Error(`seeding: ${method} ${path} answered ${res.status}: ${await res.text()}`);
      const text = await res.text();
      return text === '' ? undefined : JSON.parse(text);
    });
    // The configuration names its dictionaries by file, relative to itself: both go in `work`.
    copyFileSync(join(ROOT, 'test/fuzz/schemathesis.toml'), join(work, 'schemathesis.toml'));
    for (const [name, values] of Object.entries(dictionaries)) {
      writeFileSync(join(work, `${name}.dict`), values.map((v) => `"${v}"\n`).join(''));
    }

    const phases = options.long ? 'examples,coverage,fuzzing,stateful' : 'coverage,fuzzing,stateful';
    const args = [
      '--config-file',
      join(work, 'schemathesis.toml'),
      'run',
      `${server.url}${DOCUMENTS[options.version]}`,
      '--phases',
      phases,
      '--max-examples',
      String(options.maxExamples),
      '--seed',
      String(options.seed),
      ...options.extra,
    ];
    process.stdout.write(
      `fuzz: TAMS ${options.version} (${DOCUMENTS[options.version]}), ${options.long ? 'long' : 'quick'} mode, seed ${options.seed}, ${options.maxExamples} examples per operation, phases ${phases}\n` +
        `fuzz: reproduce with: npm run fuzz -- ${options.long ? '--long ' : ''}--version ${options.version} --seed ${options.seed} --max-examples ${options.maxExamples}\n`,
    );
    // Its example database and reports stay in the checkout (.tmp is gitignored): a local rerun
    // tries the failing examples of the last run first.
    const cwd = join(ROOT, '.tmp/fuzz');
    mkdirSync(cwd, { recursive: true });
    code = await new Promise<number>((resolve, reject) => {
      const child = spawn(join(venv, 'bin/schemathesis'), args, {
        cwd,
        stdio: ['ignore', 'pipe', 'inherit'],
        env: {
          ...process.env,
          TAMS_FUZZ_TOKEN: token,
          SCHEMATHESIS_HOOKS: join(ROOT, 'test/fuzz/tams_checks.py'),
        },
      });
      createInterface({ input: child.stdout }).on('line', (line) => {
        process.stdout.write(`${unbanner(line)}\n`);
      });
      child.once('error', reject);
      child.once('close', (status, signal) => resolve(status ?? (signal ? 1 : 0)));
    });
    if (!server.alive()) {
      process.stdout.write('fuzz: tams-server died during the run\n');
      code = 1;
    }
  } finally {
    await server.stop();
  }
  // An error the server logged is a finding even when every answer looked right: one raised
  // after the reply was sent (a stream), or in a background worker. Clean runs log none.
  const errors = errorLines(server.logFile);
  if (errors.length > 0) {
    process.stdout.write(`fuzz: the server logged ${errors.length} error(s); the first ones:\n`);
    for (const line of errors.slice(0, 20)) process.stdout.write(`  ${line.slice(0, 2000)}\n`);
    code = 1;
  }
  if (code === 0 && !options.keep) rmSync(work, { recursive: true, force: true });
  else process.stdout.write(`fuzz: data directory and server log kept in ${work}\n`);
  return code;
}

/**
 * Schemathesis closes with pytest's banner ("===== 2 warnings in 103.72s ====="). CI services
 * read such a line as pytest's verdict on the whole run, and one without a count of passed tests
 * as a run that tested nothing; without the rules of equals signs it is just schemathesis's
 * summary. Its own figures ("Test cases: N generated, N passed") are printed above it unchanged.
 */
function unbanner(line: string): string {
  const banner = /^=+ (.+) =+$/.exec(line);
  return banner ? `fuzz: schemathesis finished: ${banner[1]}` : line;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `fuzz: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
