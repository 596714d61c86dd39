/**
 * The TypeScript client types generated from the committed OpenAPI document by openapi-typescript
 * (openapi/client/tams-server.d.ts: `paths`, `operations` and `components` types, as client
 * libraries such as openapi-fetch take them). The generator runs on TypeScript 5's compiler API,
 * which the server's TypeScript 7 does not have, so it is installed apart, pinned with its own
 * lock file in openapi/client/ (`npm ci` there, done here when it is missing or not the pinned
 * version).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './openapi.document.ts';

export const CLIENT_DIR = 'openapi/client';
/** The generated types, relative to the repository root (committed). */
export const CLIENT_TYPES = `${CLIENT_DIR}/tams-server.d.ts`;

const clientDir = join(REPO_ROOT, CLIENT_DIR);

function version(packageJson: string, dependency?: string): string | undefined {
  if (!existsSync(packageJson)) return undefined;
  const manifest = JSON.parse(readFileSync(packageJson, 'utf8')) as {
    version?: string;
    devDependencies?: Record<string, string>;
  };
  return dependency === undefined ? manifest.version : manifest.devDependencies?.[dependency];
}

/** Installs openapi/client's pinned tools (npm ci) unless they are there already. */
export function installClientTools(log: (line: string) => void = (line) => process.stderr.write(line)): void {
  const manifest = join(clientDir, 'package.json');
  const wanted = ['openapi-typescript', 'typescript'];
  const installed = wanted.every(
    (name) => version(join(clientDir, 'node_modules', name, 'package.json')) === version(manifest, name),
  );
  if (installed) return;
  log(`openapi: installing ${CLIENT_DIR}'s pinned tools (npm ci)\n`);
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: clientDir,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** The client types of the OpenAPI document `file` (YAML or JSON), as openapi-typescript writes them. */
export async function generateClientTypes(file: string): Promise<string> {
  installClientTools();
  const cli = join(clientDir, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
  // Without --output the types go to stdout.
  return execFileSync(process.execPath, [cli, file], {
    cwd: clientDir,
    encoding: 'utf8',
    maxBuffer: 1 << 28,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}
