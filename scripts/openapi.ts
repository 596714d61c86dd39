/**
 * `npm run openapi`: writes openapi/tams-server.json and openapi/tams-server.yaml, the document
 * the server serves at /openapi.json, the document of each versioned mount in its own folder
 * (openapi/v7.0/, openapi/v8.2/: what /tams/v7.0/openapi.json and /tams/v8.2/openapi.json serve;
 * scripts/openapi.document.ts), and the TypeScript client types generated from the root's
 * (openapi/client/tams-server.d.ts, scripts/openapi.client.ts).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLIENT_TYPES, generateClientTypes } from './openapi.client.ts';
import {
  buildOpenApiDocuments,
  DOCUMENTS,
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

const documents = await buildOpenApiDocuments();
for (const entry of DOCUMENTS) {
  const doc = documents.get(entry.name);
  if (!doc) throw new Error(`openapi: no ${entry.name} document`);
  write(entry.json, renderJson(doc));
  write(entry.yaml, renderYaml(doc, entry));
}
write(CLIENT_TYPES, await generateClientTypes(join(REPO_ROOT, OPENAPI_YAML)));
