/**
 * `npm run openapi`: writes openapi/tams-server.json and openapi/tams-server.yaml, the document
 * the server serves at /openapi.json (scripts/openapi.document.ts), and the TypeScript client
 * types generated from it (openapi/client/tams-server.d.ts, scripts/openapi.client.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLIENT_TYPES, generateClientTypes } from './openapi.client.ts';
import {
  buildOpenApiDocument,
  OPENAPI_JSON,
  OPENAPI_YAML,
  REPO_ROOT,
  renderJson,
  renderYaml,
} from './openapi.document.ts';

function write(path: string, text: string): void {
  const file = join(REPO_ROOT, path);
  let before: string | undefined;
  try {
    before = readFileSync(file, 'utf8');
  } catch {
    before = undefined;
  }
  if (before === text) {
    process.stdout.write(`openapi: ${path} is up to date\n`);
    return;
  }
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
  process.stdout.write(`openapi: ${path} ${before === undefined ? 'written' : 'updated'}\n`);
}

const doc = await buildOpenApiDocument();
write(OPENAPI_JSON, renderJson(doc));
write(OPENAPI_YAML, renderYaml(doc));
write(CLIENT_TYPES, await generateClientTypes(join(REPO_ROOT, OPENAPI_YAML)));
