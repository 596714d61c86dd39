/**
 * The committed OpenAPI files (openapi/tams-server.json and .yaml, and each versioned mount's in
 * openapi/v7.0/ and openapi/v8.2/) are what `npm run openapi` writes from the code now:
 * regenerated in memory here, nothing on disk changes. When this fails, run `npm run openapi`
 * and commit the files it rewrites.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  buildOpenApiDocument,
  buildOpenApiDocuments,
  DOCUMENTS,
  OPENAPI_JSON,
  OPENAPI_YAML,
  type OpenApiDocument,
  REPO_ROOT,
  renderJson,
  renderYaml,
} from '../scripts/openapi.document.ts';

const FIX = 'run `npm run openapi` and commit what it rewrites';

/** Where two texts first differ, as a line number and both lines, or undefined when equal. */
function firstDifference(committed: string, generated: string): string | undefined {
  if (committed === generated) return undefined;
  const a = committed.split('\n');
  const b = generated.split('\n');
  const line = a.findIndex((text, i) => text !== b[i]);
  const at = line === -1 ? a.length : line;
  return `line ${at + 1}: committed ${JSON.stringify(a[at] ?? '(end)')}, generated ${JSON.stringify(b[at] ?? '(end)')}`;
}

function committed(path: string): string {
  try {
    return readFileSync(join(REPO_ROOT, path), 'utf8');
  } catch {
    return '';
  }
}

let documents: Map<string, OpenApiDocument>;
let doc: OpenApiDocument;
beforeAll(async () => {
  documents = await buildOpenApiDocuments();
  doc = documents.get('root') as OpenApiDocument;
});

describe('openapi/', () => {
  it(`${OPENAPI_JSON} is up to date`, () => {
    const difference = firstDifference(committed(OPENAPI_JSON), renderJson(doc));
    expect(difference, `${OPENAPI_JSON} is stale (${difference}): ${FIX}`).toBeUndefined();
  });

  it(`${OPENAPI_YAML} is up to date, and the same document`, () => {
    const yaml = committed(OPENAPI_YAML);
    const difference = firstDifference(yaml, renderYaml(doc));
    expect(difference, `${OPENAPI_YAML} is stale (${difference}): ${FIX}`).toBeUndefined();
    expect(JSON.stringify(parse(yaml)) === JSON.stringify(doc), 'YAML and JSON hold one document').toBe(true);
  });

  it('is generated the same way twice, with nothing of this machine in it', async () => {
    expect(renderJson(await buildOpenApiDocument()) === renderJson(doc)).toBe(true);
    const text = renderJson(doc);
    for (const local of ['127.0.0.1', 'localhost:', 'tams-openapi-', REPO_ROOT]) {
      expect(text.includes(local), local).toBe(false);
    }
  });

  it('holds every optional area, and the extensions marked', () => {
    const paths = Object.keys(doc.paths as Record<string, unknown>);
    for (const path of ['/flows', '/search', '/exr/files', '/events', '/auth/tokens', '/ready', '/metrics']) {
      expect(paths, path).toContain(path);
    }
  });

  const mounts = DOCUMENTS.filter((entry) => entry.mount !== undefined);
  it.each(mounts)('$json and $yaml are up to date: the document of $served', (entry) => {
    const mounted = documents.get(entry.name) as OpenApiDocument;
    const json = firstDifference(committed(entry.json), renderJson(mounted));
    expect(json, `${entry.json} is stale (${json}): ${FIX}`).toBeUndefined();
    const yaml = firstDifference(committed(entry.yaml), renderYaml(mounted, entry));
    expect(yaml, `${entry.yaml} is stale (${yaml}): ${FIX}`).toBeUndefined();
  });
});
