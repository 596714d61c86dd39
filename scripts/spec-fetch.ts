/**
 * `npm run spec:fetch [-- --from <dir|tarball>] [--out <dir>]`: puts the TAMS 7.0 spec the tests
 * validate against into .spec/tams (gitignored; or `--out`), laid out as ../shared/tams-spec is:
 * `api/` with TimeAddressableMediaStore.yaml, schemas/ and examples/, plus the repository's
 * LICENCE.md and a SOURCE.md saying where it came from. tools/spec-location.ts finds it.
 *
 * Without `--from` it downloads bbc/tams at tag 7.0 from GitHub (needs internet access).
 * `--from` takes a checkout of that tag, the folder a tarball of it unpacks to, or the tarball
 * (.tar.gz) itself: for machines that reach GitHub only some other way, e.g. after
 * `git clone --depth 1 --branch 7.0 https://github.com/bbc/tams.git`.
 *
 * Whatever the source, the files must be the 7.0 ones: `info.version` is checked and so is a
 * digest of every file copied, so a checkout of another tag or an edited copy is refused.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { parse } from 'yaml';
import { apiDirIn, FETCHED_SPEC_DIR, OPENAPI_FILE } from '../tools/spec-location.ts';

const TAG = '7.0';
const TARBALL_URL = `https://codeload.github.com/bbc/tams/tar.gz/refs/tags/${TAG}`;
/** The commit tag 7.0 points at, for the record in SOURCE.md (the digest is what is checked). */
const COMMIT = 'b831a151564ecb6518f454933878895c62cff457';
/**
 * SHA-256 over `<path>\n<SHA-256 of the file>\n`, sorted, for every file copied from `api/` (the
 * OpenAPI file, schemas/, examples/): the 7.0 files as `git archive 7.0` gives them.
 */
const SPEC_DIGEST = '6479ab522cd1f1585045640b490e2a1aadf95e8fc00358db334f129609be8d62';
/** What SOURCE.md starts with: an --out folder holding it may be replaced, any other may not. */
const SOURCE_TITLE = `# The TAMS ${TAG} spec, for the tests`;

class FetchError extends Error {}
const fail = (message: string): never => {
  throw new FetchError(message);
};

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/** The digest of an `api/` folder's spec files (see SPEC_DIGEST). */
function specDigest(apiDir: string): string {
  const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
  const files = [
    join(apiDir, OPENAPI_FILE),
    ...filesUnder(join(apiDir, 'schemas')),
    ...filesUnder(join(apiDir, 'examples')),
  ];
  const lines = files.map(
    (f) => `${relative(apiDir, f).split('\\').join('/')}\n${sha256(readFileSync(f))}\n`,
  );
  return sha256(lines.sort().join(''));
}

/** The `api/` folder in `dir`, or in its only subfolder (what a GitHub tarball unpacks to). */
function findApiDir(dir: string): string | undefined {
  const direct = apiDirIn(dir);
  if (direct) return direct;
  const children = readdirSync(dir, { withFileTypes: true }).filter((e) => e.isDirectory());
  const only = children.length === 1 ? children[0] : undefined;
  return only ? apiDirIn(join(dir, only.name)) : undefined;
}

function unpack(tarball: string, into: string): void {
  mkdirSync(into, { recursive: true });
  const result = spawnSync('tar', ['-xzf', tarball, '-C', into], { stdio: ['ignore', 'inherit', 'inherit'] });
  if (result.error) fail(`cannot run tar to unpack ${tarball}: ${result.error.message}`);
  if (result.status !== 0) fail(`tar could not unpack ${tarball} (exit ${result.status})`);
}

async function download(into: string): Promise<string> {
  process.stderr.write(`spec:fetch: downloading ${TARBALL_URL}\n`);
  let body: ArrayBuffer | undefined;
  try {
    const res = await fetch(TARBALL_URL);
    if (!res.ok) throw new Error(`HTTP ${res.status}`);
    body = await res.arrayBuffer();
  } catch (error) {
    // fetch() says only "fetch failed"; the reason (ENOTFOUND, ECONNREFUSED...) is its cause.
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = [(error as Error).message, cause?.code ?? cause?.message].filter(Boolean).join(': ');
    fail(
      `could not download ${TARBALL_URL} (${reason}); where GitHub is reachable ` +
        `otherwise: git clone --depth 1 --branch ${TAG} https://github.com/bbc/tams.git <dir>, ` +
        'then npm run spec:fetch -- --from <dir> (or set TAMS_SPEC_DIR=<dir>)',
    );
  }
  const file = join(into, `tams-${TAG}.tar.gz`);
  writeFileSync(file, Buffer.from(body as ArrayBuffer));
  return file;
}

function option(argv: string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  if (at < 0) return undefined;
  const value = argv[at + 1];
  if (value === undefined || value.startsWith('--')) fail(`${name} needs a value`);
  return value;
}

/** The 7.0 `api/` folder in `from` (a folder or a tarball, unpacked into `scratch`) or GitHub's. */
async function sourceApiDir(from: string | undefined, scratch: string): Promise<string> {
  let source = from;
  if (from === undefined || statSync(from).isFile()) {
    source = join(scratch, 'unpacked');
    unpack(from ?? (await download(scratch)), source);
  }
  const apiDir = findApiDir(source as string);
  if (!apiDir) return fail(`no api/${OPENAPI_FILE} with schemas/ and examples/ in ${from ?? TARBALL_URL}`);
  const openApi = parse(readFileSync(join(apiDir, OPENAPI_FILE), 'utf8')) as { info?: { version?: unknown } };
  const version = String(openApi.info?.version);
  if (version !== TAG) fail(`${from ?? TARBALL_URL}: its ${OPENAPI_FILE} is version ${version}, not ${TAG}`);
  const digest = specDigest(apiDir);
  if (digest !== SPEC_DIGEST) {
    fail(
      `${apiDir} does not hold the files of bbc/tams at tag ${TAG} (digest ${digest}, not ${SPEC_DIGEST})`,
    );
  }
  return apiDir;
}

async function main(argv: string[]): Promise<void> {
  const from = option(argv, '--from');
  const out = resolve(option(argv, '--out') ?? FETCHED_SPEC_DIR);
  if (from !== undefined && !existsSync(from)) fail(`--from ${from}: no such file or folder`);
  const ours = (dir: string) =>
    existsSync(join(dir, 'SOURCE.md')) &&
    readFileSync(join(dir, 'SOURCE.md'), 'utf8').startsWith(SOURCE_TITLE);
  if (existsSync(out) && readdirSync(out).length > 0 && !ours(out)) {
    fail(`${out} exists and was not made by spec:fetch: not replacing it`);
  }
  const scratch = mkdtempSync(join(tmpdir(), 'tams-spec-fetch-'));
  // Laid out beside the final place, then swapped in: an interrupted fetch leaves no half spec.
  const partial = `${out}.partial-${process.pid}`;
  try {
    const apiDir = await sourceApiDir(from, scratch);
    mkdirSync(join(partial, 'api'), { recursive: true });
    for (const part of [OPENAPI_FILE, 'schemas', 'examples']) {
      cpSync(join(apiDir, part), join(partial, 'api', part), { recursive: true });
    }
    const licence = join(dirname(apiDir), 'LICENCE.md');
    if (existsSync(licence)) cpSync(licence, join(partial, 'LICENCE.md'));
    const origin = from === undefined ? `downloaded from ${TARBALL_URL}` : `copied from ${resolve(from)}`;
    writeFileSync(
      join(partial, 'SOURCE.md'),
      `${SOURCE_TITLE}\n\nbbc/tams at tag ${TAG} (commit ${COMMIT}), ${origin} by npm run spec:fetch ` +
        `on ${new Date().toISOString()}. Licence: LICENCE.md (Apache-2.0).\n` +
        `Digest of api/ (see scripts/spec-fetch.ts): ${SPEC_DIGEST}\n`,
    );
    rmSync(out, { recursive: true, force: true });
    renameSync(partial, out);
    process.stderr.write(`spec:fetch: the TAMS ${TAG} spec is in ${out}\n`);
  } finally {
    rmSync(partial, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
}

try {
  await main(process.argv.slice(2));
} catch (error) {
  if (!(error instanceof FetchError)) throw error;
  process.stderr.write(`spec:fetch: ${error.message}\n`);
  process.exitCode = 1;
}
