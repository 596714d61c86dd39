/**
 * A misconfigured storage backend list stops the server from starting (issue 5), through the
 * path main.ts takes: loadConfig refuses what can be seen in the text (bad JSON, a missing
 * bucket), buildRuntime what only the S3 server can tell (an unreachable endpoint, a bucket that
 * does not exist, refused credentials). Each error names the problem, and no secret of the
 * configuration appears in it, whether the secret is given inline or through an `_env` reference.
 * The last test runs src/main.ts itself and reads what it prints.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';
import { buildRuntime } from '../../../src/deps.ts';
import { s3BackendEntry } from '../../helpers/s3.server.ts';
import { runToExit } from '../../ops/child.ts';
import { type S3rverHandle, startS3rver } from '../../support/media/s3/s3.testkit.ts';

const SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const TOKEN = 'FwoGZXIvYXdzEBYaDEXAMPLESESSIONTOKEN';
/** What must never be printed: the secret key, the session token, or a good part of either. */
const SECRETS = [SECRET, TOKEN, SECRET.slice(0, 8), SECRET.slice(-8), TOKEN.slice(0, 8)];

let s3: S3rverHandle;
let closedPort: string;
let dir: string;
beforeAll(async () => {
  s3 = await startS3rver(['media']);
  dir = await mkdtemp(join(tmpdir(), 'tams-startup-'));
  // A port nothing listens on: connections are refused at once.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  closedPort = typeof address === 'object' && address !== null ? String(address.port) : '1';
  await new Promise((resolve) => probe.close(resolve));
});
afterAll(async () => {
  await s3?.close();
  await rm(dir, { recursive: true, force: true });
});

/** Inline credentials: the secret and token are in the backend list itself. */
function inline(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return s3BackendEntry(s3, 'media', {
    default: true,
    access_key_id_env: undefined,
    secret_access_key_env: undefined,
    access_key_id: 'S3RVER',
    secret_access_key: SECRET,
    session_token: TOKEN,
    ...overrides,
  });
}

/** Credentials named by `_env` references, the values in the environment. */
function referenced(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return s3BackendEntry(s3, 'media', {
    default: true,
    access_key_id_env: 'TEST_KEY',
    secret_access_key_env: 'TEST_SECRET',
    session_token_env: 'TEST_TOKEN',
    ...overrides,
  });
}
const CREDENTIALS = { TEST_KEY: 'S3RVER', TEST_SECRET: SECRET, TEST_TOKEN: TOKEN };

/** What startup does (main.ts): loadConfig, then buildRuntime. Returns the error it fails with. */
async function startupError(env: Record<string, string>): Promise<Error> {
  const full = { TAMS_LOG_LEVEL: 'silent', TAMS_AUTH: 'none', TAMS_MEDIA_DIR: join(dir, 'media'), ...env };
  let runtime: Awaited<ReturnType<typeof buildRuntime>> | undefined;
  try {
    const config = loadConfig(full);
    runtime = await buildRuntime(config, { memory: true, env: full });
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    return error as Error;
  }
  await runtime.close();
  throw new Error('startup succeeded');
}

/** The error's message, stack and causes, all of which a log may print. */
function everything(error: Error): string {
  const parts: string[] = [];
  for (let e: unknown = error; e instanceof Error; e = e.cause) parts.push(e.message, e.stack ?? '');
  return parts.join('\n');
}

function expectNoSecret(text: string): void {
  for (const secret of SECRETS) expect(text).not.toContain(secret);
}

describe('startup with a misconfigured backend list', () => {
  it('refuses text that is not JSON, without quoting it', async () => {
    const broken = [
      // V8 quotes an excerpt of the text for an unexpected token: here, the secret.
      `[{"kind":"s3","secret_access_key":'${SECRET}'}]`,
      `[{"kind":"s3","secret_access_key":"${SECRET}" "bucket":"media"}]`,
      `[{"kind":"s3","session_token":"${TOKEN}`,
      `[{"kind":"s3","secret_access_key":${SECRET}}]`,
    ];
    for (const json of broken) {
      const error = await startupError({ TAMS_STORAGE_BACKENDS: json });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(
        /^invalid configuration:\n {2}- TAMS_STORAGE_BACKENDS: not valid JSON \(.+\)$/,
      );
      expectNoSecret(everything(error));
    }
  });

  it('refuses a file of the list that is not JSON, naming the file', async () => {
    const file = join(dir, 'backends.json');
    await writeFile(file, `[{"secret_access_key": '${SECRET}'`);
    const error = await startupError({ TAMS_STORAGE_BACKENDS_FILE: file });
    expect(error.message).toContain(`${file}: not valid JSON`);
    expectNoSecret(everything(error));
  });

  it('refuses a backend without a bucket, naming the setting', async () => {
    for (const entry of [inline({ bucket: undefined }), referenced({ bucket: undefined })]) {
      const error = await startupError({ ...CREDENTIALS, TAMS_STORAGE_BACKENDS: JSON.stringify([entry]) });
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toBe('invalid configuration:\n  - TAMS_STORAGE_BACKENDS[0].bucket: is required');
      expectNoSecret(everything(error));
    }
  });

  it('refuses an unreachable endpoint, naming backend, bucket and endpoint', async () => {
    const endpoint = `http://127.0.0.1:${closedPort}`;
    for (const entry of [inline({ endpoint }), referenced({ endpoint })]) {
      const error = await startupError({ ...CREDENTIALS, TAMS_STORAGE_BACKENDS: JSON.stringify([entry]) });
      expect(error).not.toBeInstanceOf(ConfigError);
      expect(error.message).toMatch(
        new RegExp(
          `^storage backends failed to start:\\n {2}- S3 storage backend "media": bucket "media" at ${endpoint} is unreachable \\(.*ECONNREFUSED`,
        ),
      );
      expectNoSecret(everything(error));
    }
  });

  it('refuses a bucket that does not exist on the S3 server', async () => {
    const entry = referenced({ bucket: 'absent' });
    const error = await startupError({ ...CREDENTIALS, TAMS_STORAGE_BACKENDS: JSON.stringify([entry]) });
    expect(error.message).toContain(
      `S3 storage backend "media": bucket "absent" at ${s3.endpoint} does not exist (create it, or enable create_bucket)`,
    );
    expectNoSecret(everything(error));
  });

  it('refuses credentials the S3 server does not accept', async () => {
    const entry = inline({ access_key_id: 'AKIDUNKNOWN' });
    const error = await startupError({ TAMS_STORAGE_BACKENDS: JSON.stringify([entry]) });
    expect(error.message).toContain('bucket "media"');
    expect(error.message).toContain('refuses access (HTTP 403): check the credentials and bucket policy');
    expectNoSecret(everything(error));
  });

  it('refuses an `_env` reference to a variable that is not set', async () => {
    const error = await startupError({
      TEST_KEY: 'S3RVER',
      TEST_TOKEN: TOKEN,
      TAMS_STORAGE_BACKENDS: JSON.stringify([referenced()]),
    });
    expect(error.message).toBe(
      'invalid configuration:\n  - TAMS_STORAGE_BACKENDS[0].secret_access_key_env: environment variable TEST_SECRET is not set',
    );
    expectNoSecret(everything(error));
  });

  it('lists every problem of a list at once, and each backend that cannot start', async () => {
    const error = await startupError({
      ...CREDENTIALS,
      TAMS_STORAGE_BACKENDS: JSON.stringify([
        referenced({ bucket: 'absent', label: 'first' }),
        referenced({ endpoint: `http://127.0.0.1:${closedPort}`, label: 'second', default: false }),
      ]),
    });
    expect(error.message).toContain('S3 storage backend "first": bucket "absent"');
    expect(error.message).toContain('S3 storage backend "second": bucket "media"');
    expectNoSecret(everything(error));
  });
});

describe('the server process with a misconfigured backend list', () => {
  it('exits with the problem on stderr and no secret', async () => {
    const common = {
      ...CREDENTIALS,
      TAMS_PORT: '0',
      TAMS_HOST: '127.0.0.1',
      TAMS_AUTH: 'none',
      TAMS_LOG_LEVEL: 'silent',
    };
    const endpoint = `http://127.0.0.1:${closedPort}`;
    const [badJson, unreachable] = await Promise.all([
      runToExit({
        ...common,
        TAMS_DATA_DIR: join(dir, 'main-1'),
        TAMS_STORAGE_BACKENDS: `[{"kind":"s3","secret_access_key":'${SECRET}'}]`,
      }),
      runToExit({
        ...common,
        TAMS_DATA_DIR: join(dir, 'main-2'),
        TAMS_STORAGE_BACKENDS: JSON.stringify([inline({ endpoint })]),
      }),
    ]);
    expect(badJson.code).toBe(2);
    expect(badJson.output).toContain(
      'tams-server: invalid configuration:\n  - TAMS_STORAGE_BACKENDS: not valid JSON',
    );
    expect(unreachable.code).toBe(1);
    expect(unreachable.output).toContain(
      `tams-server: failed to start: Error: storage backends failed to start:\n  - S3 storage backend "media": bucket "media" at ${endpoint} is unreachable`,
    );
    for (const { output } of [badJson, unreachable]) expectNoSecret(output);
  });
});
