/**
 * MinIO for tests: a real S3 server that verifies SigV4 signatures and honours conditional
 * writes, started for a test file on a free loopback port with a temp data directory and its own
 * root credentials, and stopped (directory removed) by close().
 *
 * The binary is built by scripts/minio-install.sh (run by .ci/run) into `.tools/bin/minio`, or
 * named by TAMS_TEST_MINIO. Without it the MinIO suites are skipped on a developer machine, with
 * a message, and fail under CI (`CI` set), where they must run.
 */
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { START_DEADLINE_MS } from '../../tools/server-process.ts';
import { spawnChild } from './children.ts';

export const MINIO_BIN =
  process.env.TAMS_TEST_MINIO ?? fileURLToPath(new URL('../../.tools/bin/minio', import.meta.url));

/** Whether the MinIO binary is there; throws under CI when it is not. */
export function minioAvailable(): boolean {
  if (existsSync(MINIO_BIN)) return true;
  const message = `${MINIO_BIN} is missing: build it with scripts/minio-install.sh (MinIO suites skipped)`;
  if (process.env.CI) throw new Error(`${message}; CI must install it`);
  console.warn(message);
  return false;
}

export interface MinioHandle {
  /** `http://127.0.0.1:<port>` */
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

/** A port free at this moment (MinIO cannot be told to pick one and report it). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Polls MinIO's readiness endpoint until it answers 200; fails if the process exits first. */
async function ready(endpoint: string, child: ChildProcess, log: () => string): Promise<void> {
  const deadline = Date.now() + START_DEADLINE_MS;
  let gone = false;
  void exited(child).then(() => {
    gone = true;
  });
  for (;;) {
    if (gone) throw new Error(`MinIO exited before it was ready:\n${log()}`);
    try {
      const res = await fetch(`${endpoint}/minio/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) return;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline)
      throw new Error(`MinIO not ready after ${START_DEADLINE_MS / 1000} s:\n${log()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function startOnce(): Promise<MinioHandle> {
  const directory = await mkdtemp(join(tmpdir(), 'tams-minio-'));
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const accessKeyId = `tams${randomBytes(4).toString('hex')}`;
  const secretAccessKey = randomBytes(18).toString('base64url');
  const child = spawnChild(MINIO_BIN, ['server', directory, '--address', `127.0.0.1:${port}`, '--quiet'], {
    env: {
      PATH: process.env.PATH,
      HOME: directory,
      MINIO_ROOT_USER: accessKeyId,
      MINIO_ROOT_PASSWORD: secretAccessKey,
      MINIO_BROWSER: 'off',
      MINIO_UPDATE: 'off',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited(child);
    }
    await rm(directory, { recursive: true, force: true });
  };
  try {
    await ready(endpoint, child, () => output);
  } catch (error) {
    await close();
    throw error;
  }
  return { endpoint, accessKeyId, secretAccessKey, close };
}

/** A running MinIO; a second try covers the port being taken between choosing and binding it. */
export async function startMinio(): Promise<MinioHandle> {
  try {
    return await startOnce();
  } catch {
    return startOnce();
  }
}
