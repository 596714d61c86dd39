import { readFileSync } from 'node:fs';
import { arch, type as osType, platform, release } from 'node:os';
import { join } from 'node:path';
import { packageRoot, packageVersion } from '../common/package-info.ts';

/** The libraries whose releases a support engineer asks for first: the engines' SDKs and the HTTP server. */
export const KEY_LIBRARIES = [
  '@duckdb/node-api',
  'pg',
  '@aws-sdk/client-s3',
  '@aws-sdk/s3-request-presigner',
  'fastify',
  'pino',
  'typebox',
] as const;

/** A library's version from its installed package.json; null where it is not installed. */
export function libraryVersion(name: string, root = packageRoot()): string | null {
  try {
    const doc = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: unknown;
    };
    return typeof doc.version === 'string' ? doc.version : null;
  } catch {
    return null;
  }
}

/** tams-server, Node, the engine, the key libraries, the operating system. */
export function versions(engine: { name: string; release: string | null }): Record<string, unknown> {
  const root = packageRoot();
  return {
    'tams-server': packageVersion(),
    node: process.versions.node,
    v8: process.versions.v8,
    engine,
    libraries: Object.fromEntries(KEY_LIBRARIES.map((name) => [name, libraryVersion(name, root)])),
    os: { type: osType(), platform: platform(), release: release(), arch: arch() },
  };
}
