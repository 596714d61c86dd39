/**
 * `npm run openapi:client`: the TypeScript client types of the committed document, as CI checks
 * them. Generates them again from openapi/tams-server.yaml with the pinned openapi-typescript
 * (scripts/openapi.client.ts, installed in openapi/client/ when missing) and fails when the
 * committed openapi/client/tams-server.d.ts differs (run `npm run openapi`); then compiles them
 * with a usage (openapi/client/usage.ts, openapi/client/tsconfig.json: strict, the declaration
 * file checked too) by the server's TypeScript and by the TypeScript 5 of openapi/client/.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CLIENT_DIR, CLIENT_TYPES, generateClientTypes } from './openapi.client.ts';
import { OPENAPI_YAML, REPO_ROOT } from './openapi.document.ts';

function read(path: string): string {
  try {
    return readFileSync(join(REPO_ROOT, path), 'utf8');
  } catch {
    return '';
  }
}

const generated = await generateClientTypes(join(REPO_ROOT, OPENAPI_YAML));
let failed = false;
if (generated !== read(CLIENT_TYPES)) {
  process.stdout.write(
    `openapi:client: ${CLIENT_TYPES} is not what ${OPENAPI_YAML} generates: run \`npm run openapi\`\n`,
  );
  failed = true;
} else {
  process.stdout.write(`openapi:client: ${CLIENT_TYPES} is what ${OPENAPI_YAML} generates\n`);
}

const compilers: [string, string][] = [
  ["the server's TypeScript", join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc')],
  [`${CLIENT_DIR}'s TypeScript`, join(REPO_ROOT, CLIENT_DIR, 'node_modules', 'typescript', 'bin', 'tsc')],
];
for (const [name, tsc] of compilers) {
  const version = spawnSync(process.execPath, [tsc, '--version'], { encoding: 'utf8' }).stdout.trim();
  const run = spawnSync(process.execPath, [tsc, '-p', join(REPO_ROOT, CLIENT_DIR, 'tsconfig.json')], {
    cwd: REPO_ROOT,
    encoding: 'utf8',
  });
  const ok = run.status === 0;
  process.stdout.write(`openapi:client: ${ok ? 'compiled' : 'FAILED to compile'} by ${name} (${version})\n`);
  if (!ok) {
    process.stdout.write(`${run.stdout}${run.stderr}`);
    failed = true;
  }
}
process.exit(failed ? 1 : 0);
