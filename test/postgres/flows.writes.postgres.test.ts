/**
 * A PUT of a Flow on PostgreSQL is one transaction of a few statements (issue 62): the Flow's
 * row, its tags and, for a Flow naming an unknown Source, the Source, written with what the
 * request already implies read no more than once. Counted over HTTP to a server on a real
 * PostgreSQL, from the statements PostgreSQL logged (pg.statements.ts): a change that brings
 * back a re-read, or a statement per tag, fails here. Counts, never times.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PostgresServer,
  postgresAvailable,
  startPostgres,
} from '../../tools/postgres/postgres.server.ts';
import { startServer, type TestServer, tempDir } from '../helpers/server.ts';
import { type Doc, videoFlow } from '../http/fixtures.ts';
import { listed, type SentStatement, STATEMENT_SETTINGS, StatementLog } from './pg.statements.ts';

const available = postgresAvailable();
const SCHEMA = 'flow_writes';

describe.skipIf(!available)('the statements of a PUT of a Flow on PostgreSQL', () => {
  let postgres: PostgresServer;
  let server: TestServer;
  let client: pg.Client;
  const log = new StatementLog();
  const media = tempDir('tams-pg-flow-writes-');

  beforeAll(async () => {
    postgres = await startPostgres({ settings: STATEMENT_SETTINGS, onLog: log.onLog });
    client = new pg.Client({ connectionString: postgres.url });
    await client.connect();
    server = await startServer({
      env: {
        TAMS_DB: 'postgres',
        TAMS_POSTGRES_URL: postgres.url,
        TAMS_POSTGRES_SCHEMA: SCHEMA,
        TAMS_MEDIA_DIR: media.path,
      },
      // The background workers' statements are not the requests'.
      workers: false,
    });
    // Once per process, not per request: the event slot, claimed by the first write
    // (outbox/events.slots.ts), and each table's columns, read at its first use.
    const first = videoFlow({ tags: { genre: 'news' }, flow_collection: [] });
    expect((await server.put(`/flows/${first.id}`, first)).status).toBe(201);
    const second = videoFlow({ source_id: first.source_id });
    expect((await server.put(`/flows/${second.id}`, second)).status).toBe(201);
    expect((await server.put(`/flows/${first.id}`, { ...first, label: 'warm', tags: {} })).status).toBe(204);
  });
  afterAll(async () => {
    await server?.close();
    await client?.end();
    await postgres?.close();
    media.remove();
  });

  /** The statements of one PUT, which answers `status`: one transaction, begun and committed. */
  async function put(path: string, body: Doc, status: number): Promise<SentStatement[]> {
    const sent = await log.during(client, async () => {
      const res = await server.put(path, body);
      expect(res.status, res.text).toBe(status);
    });
    const begins = sent.filter((s) => s.text.startsWith('BEGIN'));
    expect(begins.length, listed(sent)).toBe(1);
    expect(sent[0]?.text, listed(sent)).toMatch(/^BEGIN/);
    expect(sent.at(-1)?.text, listed(sent)).toBe('COMMIT');
    expect(new Set(sent.map((s) => s.pid)).size, 'one connection').toBe(1);
    return sent;
  }

  /** The outbox's events about the Flow or its Source, in order. */
  async function events(flow: Doc): Promise<string[]> {
    const { rows } = await client.query<{ event_type: string }>(
      `SELECT event_type FROM "${SCHEMA}"."events" WHERE flow_id = $1 OR (flow_id IS NULL AND source_id = $2) ORDER BY seq`,
      [flow.id, flow.source_id],
    );
    return rows.map((r) => r.event_type);
  }

  it('creates a Flow with a Source of its own in one transaction of few statements', async () => {
    const flow = videoFlow({ label: 'channel', tags: { genre: 'news', region: 'north' } });
    const sent = await put(`/flows/${flow.id}`, flow, 201);
    console.log(`7.0 create (${sent.length}):\n${listed(sent)}`);
    // BEGIN; the event slot (outbox/events.slots.ts); the Flow's row; the guard rows of the
    // Flow and the Source; the Source's row; the slot's high, carrying the inserts of the
    // Source, the Flow, its tags and the events (postgres.session.ts); COMMIT (31 before).
    expect(sent.length, listed(sent)).toBeLessThanOrEqual(7);
    const got = await server.get<Doc>(`/flows/${flow.id}`);
    expect(got.body.tags).toEqual(flow.tags);
    expect((await server.get(`/sources/${flow.source_id}`)).status).toBe(200);
    expect(await events(flow)).toEqual(['sources/created', 'flows/created']);

    const v8 = videoFlow({ tags: { genre: ['news', 'sport'] } });
    const sent8 = await put(`/tams/v8.2/flows/${v8.id}`, v8, 201);
    console.log(`8.2 create (${sent8.length}):\n${listed(sent8)}`);
    expect(sent8.length, listed(sent8)).toBeLessThanOrEqual(7);
    expect(await events(v8)).toEqual(['sources/created', 'flows/created']);
  });

  it('creates a Flow of a Source that exists, and replaces a Flow', async () => {
    const first = videoFlow({ tags: { genre: 'news' } });
    await put(`/flows/${first.id}`, first, 201);
    const second = videoFlow({ source_id: first.source_id });
    const joining = await put(`/flows/${second.id}`, second, 201);
    console.log(`create joining a Source (${joining.length}):\n${listed(joining)}`);
    // No Source inserted, no tags; the event's filter fields: the Source's Flows (which sees
    // the Flow's insert, sent before it), who collects them (27 before).
    expect(joining.length, listed(joining)).toBeLessThanOrEqual(10);

    const replaced = await put(`/flows/${first.id}`, { ...first, label: 'renamed' }, 204);
    console.log(`replacement (${replaced.length}):\n${listed(replaced)}`);
    // The Flow's row, tags, collection and collectors; its row updated (its tags and collection
    // unchanged: not rewritten; its Source unchanged: not read); the event (25 before).
    expect(replaced.length, listed(replaced)).toBeLessThanOrEqual(11);
    expect(await events(first)).toEqual(['sources/created', 'flows/created', 'flows/updated']);

    const same = await put(`/flows/${first.id}`, { ...first, label: 'renamed' }, 204);
    console.log(`replacement changing nothing (${same.length}):\n${listed(same)}`);
    // The Flow read; nothing written (13 before).
    expect(same.length, listed(same)).toBeLessThanOrEqual(7);
  });
});
