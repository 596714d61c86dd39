/**
 * The generated OpenAPI document against the spec's: every path and method of the areas this
 * server implements, with the spec's operation ids, response codes, and (because the error
 * handler returns them as `message`) the spec's response descriptions.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startServer, type TestServer } from './helpers/server.ts';
import { SPEC_DIR } from './helpers/spec-schemas.ts';

interface Operation {
  operationId?: string;
  tags?: string[];
  'x-tams-extension'?: boolean;
  responses?: Record<string, { description?: string; content?: Record<string, unknown> }>;
}
type Paths = Record<string, Record<string, Operation>>;

const METHODS = ['get', 'head', 'put', 'post', 'delete'];

/** tams-server's own operations beyond the spec (documented in the same OpenAPI document). */
const EXTENSIONS = new Set([
  'GET /events',
  'HEAD /events',
  // Media search (src/search/).
  'GET /search',
  'HEAD /search',
  'GET /search/status',
  'HEAD /search/status',
  'POST /search/transcripts',
  'GET /search/transcripts',
  'HEAD /search/transcripts',
  'GET /search/transcripts/{transcriptId}',
  'HEAD /search/transcripts/{transcriptId}',
  'POST /search/transcripts/{transcriptId}/publish',
  'DELETE /search/transcripts/{transcriptId}',
  // EXR metadata (src/exr/).
  'GET /exr/files',
  'HEAD /exr/files',
  'GET /exr/files/{id}',
  'HEAD /exr/files/{id}',
  'GET /exr/files/{id}/similar',
  'HEAD /exr/files/{id}/similar',
  'GET /exr/lookup',
  'HEAD /exr/lookup',
  'GET /exr/stats',
  'HEAD /exr/stats',
  'POST /exr/inspect',
  // Analytics (src/analytics/).
  'GET /analytics/flows/{id}/usage',
  'HEAD /analytics/flows/{id}/usage',
  'GET /analytics/flows/{id}/coverage',
  'HEAD /analytics/flows/{id}/coverage',
  'GET /analytics/flows/top',
  'HEAD /analytics/flows/top',
  'GET /analytics/storage',
  'HEAD /analytics/storage',
  'GET /analytics/segments/durations',
  'HEAD /analytics/segments/durations',
  'GET /analytics/export',
  'HEAD /analytics/export',
  // The live recorder (src/recorder/).
  'POST /recordings',
  'GET /recordings',
  'HEAD /recordings',
  'GET /recordings/{id}',
  'HEAD /recordings/{id}',
  'POST /recordings/{id}/stop',
  'POST /recordings/{id}/start',
  'DELETE /recordings/{id}',
  // Replication from another TAMS (src/replication/).
  'POST /replications',
  'GET /replications',
  'HEAD /replications',
  'GET /replications/{id}',
  'HEAD /replications/{id}',
  'GET /replications/{id}/flows',
  'HEAD /replications/{id}/flows',
  'POST /replications/{id}/pause',
  'POST /replications/{id}/resume',
  'POST /replications/{id}/events',
  'DELETE /replications/{id}',
  // HLS playback (src/hls/).
  'GET /flows/{flowId}/hls.m3u8',
  'HEAD /flows/{flowId}/hls.m3u8',
  'GET /sources/{sourceId}/hls.m3u8',
  'HEAD /sources/{sourceId}/hls.m3u8',
  // A timerange of a Flow as one file (src/export/).
  'GET /flows/{flowId}/export',
  'HEAD /flows/{flowId}/export',
  // What the web UI's Sources list shows of a page of Sources (src/ui/ui.sources.routes.ts).
  'GET /sources/flow-summaries',
  'HEAD /sources/flow-summaries',
  // Users and tokens, for administrators (src/auth/auth.routes.ts).
  'GET /auth/whoami',
  'HEAD /auth/whoami',
  'GET /auth/users',
  'HEAD /auth/users',
  'POST /auth/users',
  'PUT /auth/users/{name}/password',
  'DELETE /auth/users/{name}',
  'GET /auth/tokens',
  'HEAD /auth/tokens',
  'POST /auth/tokens',
  'DELETE /auth/tokens/{id}',
  // The support bundle, for administrators (src/support/support.routes.ts); no HEAD: it would make one.
  'GET /support/bundle',
  // Backups of the embedded store (src/backup/backup.routes.ts).
  'POST /backups',
  // Probes and metrics (src/ops/ops.routes.ts).
  'GET /health',
  'HEAD /health',
  'GET /ready',
  'HEAD /ready',
  'GET /metrics',
  'HEAD /metrics',
]);

/** The tag of each extension area, declared with the marker beside the spec's tags. */
const EXTENSION_TAGS: Record<string, string> = {
  '/events': 'Events',
  '/search': 'Search',
  '/exr/': 'EXR',
  '/analytics/': 'Analytics',
  '/flows/{flowId}/hls': 'HLS',
  '/sources/{sourceId}/hls': 'HLS',
  '/flows/{flowId}/export': 'Export',
  '/sources/flow-summaries': 'UI',
  '/auth/': 'Auth',
  '/support/': 'Support',
  '/backups': 'Backups',
  '/recordings': 'Recordings',
  '/replications': 'Replication',
  '/health': 'Operations',
  '/ready': 'Operations',
  '/metrics': 'Operations',
};

/** Deliberate, documented departures: (operation, status) pairs this server adds. */
const ADDED_RESPONSES = new Set([
  // A read-only Flow's label must not change either (ADR 0005); the spec omits this 403.
  'DELETE_flows-flowId-label 403',
]);

const spec = parse(readFileSync(`${SPEC_DIR}TimeAddressableMediaStore.yaml`, 'utf8')) as { paths: Paths };

function operations(paths: Paths) {
  const result = new Map<string, { id: string; responses: Record<string, string | undefined> }>();
  for (const [path, item] of Object.entries(paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const responses: Record<string, string | undefined> = {};
      for (const [status, response] of Object.entries(op.responses ?? {}))
        responses[status] = response.description;
      result.set(`${method.toUpperCase()} ${path}`, { id: op.operationId ?? '', responses });
    }
  }
  return result;
}

let server: TestServer;
let served: { openapi: string; paths: Paths; tags: { name: string; 'x-tams-extension'?: boolean }[] };
let generated: Paths;
beforeAll(async () => {
  // Media search, EXR and analytics on (test servers leave them off), so their routes are in the document.
  server = await startServer({
    env: {
      TAMS_SEARCH: 'true',
      TAMS_EXR: 'true',
      TAMS_ANALYTICS: 'true',
      TAMS_RECORDER: 'true',
      TAMS_REPLICATION: 'true',
    },
  });
  const res = await server.get<typeof served>('/openapi.json');
  expect(res.status).toBe(200);
  expect(res.body.openapi).toBe('3.1.0');
  served = res.body;
  generated = res.body.paths;
});
afterAll(async () => {
  await server.close();
});

describe('generated OpenAPI', () => {
  it('has exactly the spec operations, and the extensions', () => {
    const expected = [...operations(spec.paths).keys()].sort();
    const actual = [...operations(generated).keys()].filter((k) => !EXTENSIONS.has(k)).sort();
    expect(expected.length).toBe(74);
    expect(actual).toEqual(expected);
    expect([...operations(generated).keys()].filter((k) => EXTENSIONS.has(k)).sort()).toEqual(
      [...EXTENSIONS].sort(),
    );
  });

  it('uses the spec operation ids, response codes and error descriptions', () => {
    const ours = operations(generated);
    for (const [key, theirs] of operations(spec.paths)) {
      const op = ours.get(key);
      expect(op?.id, key).toBe(theirs.id);
      const codes = Object.keys(op?.responses ?? {}).filter(
        (status) => !ADDED_RESPONSES.has(`${theirs.id} ${status}`),
      );
      expect(codes.sort(), key).toEqual(Object.keys(theirs.responses).sort());
      for (const [status, description] of Object.entries(theirs.responses)) {
        if (Number(status) >= 400 && !theirs.id.startsWith('HEAD_')) {
          expect(op?.responses[status], `${key} ${status}`).toBe(description);
        }
      }
    }
  });

  it('marks every extension, and only them, with x-tams-extension and its own tag', () => {
    const declared = new Map(served.tags.map((t) => [t.name, t['x-tams-extension'] === true]));
    for (const [path, item] of Object.entries(generated)) {
      for (const [method, op] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path}`;
        if (!EXTENSIONS.has(key)) {
          expect(op['x-tams-extension'], key).toBeUndefined();
          expect(
            op.tags?.every((t) => declared.get(t) === false),
            key,
          ).toBe(true);
          continue;
        }
        const area = Object.entries(EXTENSION_TAGS).find(([prefix]) => path.startsWith(prefix));
        expect(op['x-tams-extension'], key).toBe(true);
        expect(op.tags, key).toEqual([area?.[1]]);
        expect(declared.get(area?.[1] ?? ''), key).toBe(true);
      }
    }
  });

  it('is the committed openapi/tams-server.json', () => {
    const committed: unknown = JSON.parse(
      readFileSync(new URL('../openapi/tams-server.json', import.meta.url), 'utf8'),
    );
    // Not toEqual: a difference would print a megabyte of diff. Run `npm run openapi` to update.
    expect(JSON.stringify(served) === JSON.stringify(committed), 'run `npm run openapi`').toBe(true);
  });

  it('documents what the extensions answer: the event stream, and 400 for a bad filter', async () => {
    for (const method of ['get', 'head']) {
      const responses = generated['/events']?.[method]?.responses ?? {};
      expect(Object.keys(responses).sort(), method).toEqual(['200', '400']);
      expect(Object.keys(responses['200']?.content ?? {}), method).toEqual(['text/event-stream']);
    }
    const res = await server.get<{ message: string }>('/events', { query: { verbose_storage: 'maybe' } });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(generated['/events']?.get?.responses?.['400']?.description);
  });
});
