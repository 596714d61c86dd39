/**
 * The management commands on a store written through both TAMS versions (docs/management.md,
 * "TAMS 7.0 and 8.2 data"). Through /tams/v8.2: a Profile, a Flow made from it with a status,
 * list-valued tags, a Source list tag and segments whose objects have their own timeranges and
 * key frame counts (one used only in part, one external); a disabled webhook with list tags.
 * Through 7.0: a multi Flow with free-form essence parameters and a `status` of the client's
 * own, collecting the 8.2 Flow without a role; a webhook. `export`/`import` (run as an operator
 * runs them, in processes of their own) carry all of it, `clean` counts and keeps what it says,
 * `webhooks list` shows both versions' webhooks.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../src/deps.ts';
import { flowDocument } from '../../src/flows/flows.mapper.ts';
import { segmentFields } from '../../src/segments/segments.mapper.ts';
import { TimeRange } from '../../src/time/index.ts';
import { runCliProcess } from '../helpers/cli.ts';
import { mountClient } from '../helpers/mounts.ts';
import { startServer, tempDir } from '../helpers/server.ts';
import { allocate, upload } from '../segments/helpers.ts';
import { mgmt, openStore } from './fixture.ts';

const PROFILE = randomUUID();
const EIGHT = { id: randomUUID(), source: randomUUID() };
const MULTI = { id: randomUUID(), source: randomUUID() };
/** Written through 7.0: re-uses an object of EIGHT outside the object's timerange (7.0 checks none). */
const REUSE = { id: randomUUID(), source: randomUUID() };
const FLOW_METADATA = {
  format: 'urn:x-nmos:format:video',
  codec: 'video/h264',
  container: 'video/mp2t',
  essence_parameters: { frame_width: 1920, frame_height: 1080, frame_rate: { numerator: 25 } },
};
const LIST_TAGS = { langs: ['en', 'fr'], show: 'news', none: [] };

const work = tempDir('tams-mgmt-versions-');
const dirs: (() => void)[] = [work.remove];
let env: Record<string, string>;
let objects: string[];

function newEnv(sharedMedia: boolean): Record<string, string> {
  const dir = tempDir('tams-mgmt-versions-');
  dirs.push(dir.remove);
  return {
    TAMS_DATA_DIR: dir.path,
    TAMS_AUTH: 'none',
    TAMS_LOG_LEVEL: 'silent',
    ...(sharedMedia && { TAMS_FS_STORAGE_ID: env.TAMS_FS_STORAGE_ID, TAMS_MEDIA_DIR: env.TAMS_MEDIA_DIR }),
  } as Record<string, string>;
}

async function ok(res: Promise<{ status: number; text: string }>, status = 201): Promise<void> {
  const answer = await res;
  expect(answer.status, answer.text).toBe(status);
}

beforeAll(async () => {
  const dir = tempDir('tams-mgmt-versions-');
  dirs.push(dir.remove);
  env = {
    TAMS_DATA_DIR: dir.path,
    TAMS_AUTH: 'none',
    TAMS_LOG_LEVEL: 'silent',
    TAMS_FS_STORAGE_ID: randomUUID(),
    TAMS_MEDIA_DIR: join(dir.path, 'media'),
    TAMS_WEBHOOK_ALLOW: '127.0.0.1',
  };
  const server = await startServer({ dataDir: dir.path, workers: false, env });
  try {
    const v8 = mountClient(server, '/tams/v8.2');
    await ok(
      v8.post(`/service/profiles/${PROFILE}`, {
        id: PROFILE,
        label: 'HD 25p house',
        created_by: 'house formats',
        tags: { house: ['news', 'sport'] },
        flow_metadata: FLOW_METADATA,
      }),
    );
    await ok(
      v8.put(`/flows/${EIGHT.id}`, {
        id: EIGHT.id,
        source_id: EIGHT.source,
        ...FLOW_METADATA,
        label: 'eight',
        status: 'closed_complete',
        tags: LIST_TAGS,
      }),
    );
    // The link an 8.2 PUT with profile_id makes (branch i49-dedup), as that PUT stores it.
    await server.runtime.flows.update(EIGHT.id, undefined, (f) => {
      f.profile_id = PROFILE;
    });
    await ok(v8.put(`/sources/${EIGHT.source}/tags/crew`, ['ann', 'bob']), 204);
    const allocated = await allocate(server, EIGHT.id, { limit: 2 });
    for (const o of allocated) await upload(o);
    objects = allocated.map((o) => o.object_id);
    await ok(
      v8.post(`/flows/${EIGHT.id}/segments`, [
        // An edit: two segments using the middle and the end of a 4 s object.
        {
          object_id: objects[0],
          timerange: '[100:0_101:0)',
          ts_offset: '99:0',
          object_timerange: '[0:0_4:0)',
          key_frame_count: 4,
        },
        { object_id: objects[0], timerange: '[101:0_103:0)', ts_offset: '99:0', key_frame_count: 4 },
        { object_id: objects[1], timerange: '[103:0_105:0)', key_frame_count: 1 },
        {
          object_id: 'external-1',
          timerange: '[105:0_106:0)',
          ts_offset: '95:0',
          object_timerange: '[10:0_12:0)',
          get_urls: [{ url: 'http://media.invalid/external-1', label: 'archive' }],
        },
      ]),
    );
    await ok(
      server.put(`/flows/${MULTI.id}`, {
        id: MULTI.id,
        source_id: MULTI.source,
        format: 'urn:x-nmos:format:multi',
        label: 'multi',
        essence_parameters: { layout: 'side by side' },
        status: 'live',
        flow_collection: [{ id: EIGHT.id, role: '' }],
      }),
    );
    await ok(server.put(`/flows/${REUSE.id}`, { id: REUSE.id, source_id: REUSE.source, ...FLOW_METADATA }));
    await ok(server.post(`/flows/${REUSE.id}/segments`, { object_id: objects[1], timerange: '[0:0_10:0)' }));
    await ok(
      v8.post('/service/webhooks', {
        url: 'http://127.0.0.1:9/eight',
        events: ['flows/created'],
        status: 'disabled',
        tags: { team: ['ops', 'news'] },
      }),
    );
    await ok(
      server.post('/service/webhooks', { url: 'http://127.0.0.1:9/seven', events: ['flows/updated'] }),
    );
  } finally {
    await server.close();
  }
});
afterAll(() => {
  for (const remove of dirs) remove();
});

async function withStore<T>(
  storeEnv: Record<string, string>,
  read: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const runtime = await openStore(storeEnv);
  try {
    return await read(runtime);
  } finally {
    await runtime.close();
  }
}

/** A Flow as each version shows it, without what a store sets on every write. */
async function views(storeEnv: Record<string, string>, flowId: string) {
  return withStore(storeEnv, async (runtime) => {
    const record = await runtime.flows.getFlow(flowId);
    const strip = (doc: object) => {
      const { created, metadata_updated, segments_updated, metadata_version, collected_by, ...rest } =
        doc as Record<string, unknown>;
      return rest;
    };
    return {
      '7.0': strip(flowDocument(record, { version: '7.0' })),
      '8.2': strip(flowDocument(record, { version: '8.2' })),
    };
  });
}

/** The segments of a Flow as 8.2 lists them with their object timeranges, and their objects' own. */
async function segmentsAndObjects(storeEnv: Record<string, string>, flowId: string) {
  return withStore(storeEnv, async (runtime) => {
    const page = await runtime.store.segments.page(flowId, TimeRange.ETERNITY, {
      reverse: false,
      limit: 100,
    });
    const ids = [...new Set(page.items.map((s) => s.object_id))];
    const found = await runtime.store.objects.getMany(ids);
    return {
      segments: page.items.map((s) => segmentFields(s, { objectTimerange: true })),
      objects: ids.map((id) => {
        const times = found.get(id)?.times;
        return { id, timerange: times?.timerange.format(), key_frame_count: times?.key_frame_count };
      }),
    };
  });
}

describe('tams-mgmt export and import of data written through TAMS 8.2', () => {
  it('exports the Profile, 8.2 fields and list tags, and objects with their own timeranges', async () => {
    const file = join(work.path, 'eight.jsonl');
    const run = await mgmt(env, 'export', '--flow', EIGHT.id, '--out', file);
    expect(run.code, run.err).toBe(0);
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    const header = lines[0];
    expect(header.flow).toMatchObject({ status: 'closed_complete', profile_id: PROFILE, tags: LIST_TAGS });
    expect(header.source.tags).toEqual({ crew: ['ann', 'bob'] });
    expect(header.profile).toMatchObject({
      id: PROFILE,
      label: 'HD 25p house',
      tags: { house: ['news', 'sport'] },
      flow_metadata: FLOW_METADATA,
    });
    // Nothing 8.2 cannot show: no 7.0 document.
    expect(header).not.toHaveProperty('flow_7_0');
    expect(lines.filter((l) => l.type === 'object').map(({ storage_id, storage_path, ...o }) => o)).toEqual([
      { type: 'object', id: objects[0], timerange: '[0:0_4:0)', key_frame_count: 4 },
      { type: 'object', id: objects[1], timerange: '[103:0_105:0)', key_frame_count: 1 },
      { type: 'object', id: 'external-1', timerange: '[10:0_12:0)' },
    ]);
  });

  it('imports them into another store (processes of their own): Flow, Profile link, object timeranges', async () => {
    const file = join(work.path, 'eight-2.jsonl');
    const exported = await runCliProcess(['export', '--flow', EIGHT.id, '--out', file], { env });
    expect(exported.code, exported.err).toBe(0);
    const target = newEnv(true);
    const imported = await runCliProcess(['import', file], { env: target });
    expect(imported.code, imported.err + imported.out).toBe(0);
    expect(imported.err).toContain(`Profile ${PROFILE} created`);
    expect(imported.out).toContain('4 of 4 segments');
    expect(await views(target, EIGHT.id)).toEqual(await views(env, EIGHT.id));
    const profiles = async (e: Record<string, string>) =>
      withStore(e, async (runtime) => {
        const { created, ...profile } = await runtime.profiles.get(PROFILE);
        return profile;
      });
    expect(await profiles(target)).toEqual(await profiles(env));
    expect(await segmentsAndObjects(target, EIGHT.id)).toEqual(await segmentsAndObjects(env, EIGHT.id));
    const source = async (e: Record<string, string>) =>
      withStore(e, async (runtime) => (await runtime.sources.get(EIGHT.source, '8.2')).tags);
    expect(await source(target)).toEqual({ crew: ['ann', 'bob'] });
    expect((await mgmt(target, 'verify')).code).toBe(0);
  });

  it('imports the Flow without its Profile link where this store has another Profile of that id', async () => {
    const file = join(work.path, 'eight-3.jsonl');
    expect((await mgmt(env, 'export', '--flow', EIGHT.id, '--out', file)).code).toBe(0);
    const target = newEnv(true);
    await withStore(target, (runtime) =>
      runtime.profiles.create(
        PROFILE,
        { id: PROFILE, flow_metadata: { ...FLOW_METADATA, codec: 'video/h265' } } as never,
        undefined,
      ),
    );
    const run = await mgmt(target, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    expect(run.err).toContain('differs from the exported one');
    const flow = (await views(target, EIGHT.id))['8.2'];
    expect(flow).not.toHaveProperty('profile_id');
    expect(flow).toMatchObject({ status: 'closed_complete', tags: LIST_TAGS, codec: 'video/h264' });
  });
});

describe('tams-mgmt export and import of a Flow written through TAMS 7.0', () => {
  it('keeps what only 7.0 shows (free-form multi essence, a status of its own) and role-less items', async () => {
    const file = join(work.path, 'multi.jsonl');
    expect((await mgmt(env, 'export', '--flow', MULTI.id, '--out', file)).code).toBe(0);
    const header = JSON.parse(readFileSync(file, 'utf8').split('\n')[0] ?? '');
    expect(header.flow_7_0).toMatchObject({ status: 'live', essence_parameters: { layout: 'side by side' } });
    // Into a store holding the collected Flow already: the collection item keeps having no role.
    const target = newEnv(true);
    const eight = join(work.path, 'eight-4.jsonl');
    expect((await mgmt(env, 'export', '--flow', EIGHT.id, '--out', eight)).code).toBe(0);
    expect((await mgmt(target, 'import', eight)).code).toBe(0);
    const run = await mgmt(target, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    const after = await views(target, MULTI.id);
    expect(after).toEqual(await views(env, MULTI.id));
    expect(after['7.0']).toMatchObject({ status: 'live', essence_parameters: { layout: 'side by side' } });
    expect(after['8.2'].flow_collection).toEqual([{ id: EIGHT.id }]);
    expect(after['8.2']).not.toHaveProperty('status');
  });

  it("registers through 7.0 a first use 8.2 refuses: the object takes that segment's range", async () => {
    const file = join(work.path, 'reuse.jsonl');
    expect((await mgmt(env, 'export', '--flow', REUSE.id, '--out', file)).code).toBe(0);
    const target = newEnv(true);
    const run = await mgmt(target, 'import', file);
    expect(run.code, run.err + run.out).toBe(0);
    expect(run.out).toContain('1 of 1 segments');
    expect(run.out).toContain('1 objects took the timerange of their first segment here');
    expect((await segmentsAndObjects(target, REUSE.id)).objects).toEqual([
      { id: objects[1], timerange: '[0:0_10:0)', key_frame_count: undefined },
    ]);
  });
});

describe('tams-mgmt clean and webhooks list on TAMS 8.2 data', () => {
  it('clean --flow counts a list-valued tag once, and keeps the Profile', async () => {
    const file = join(work.path, 'eight-5.jsonl');
    expect((await mgmt(env, 'export', '--flow', EIGHT.id, '--out', file)).code).toBe(0);
    const target = newEnv(true);
    expect((await mgmt(target, 'import', file)).code).toBe(0);
    const dry = await mgmt(target, 'clean', '--flow', EIGHT.id, '--dry-run');
    expect(dry.code, dry.err).toBe(0);
    expect(dry.out).toMatch(/tags: +3\n/);
    const done = await mgmt(target, 'clean', '--flow', EIGHT.id, '--yes');
    expect(done.code, done.err).toBe(0);
    const left = await withStore(target, async (runtime) => ({
      flow: await runtime.store.flows.get(EIGHT.id),
      profile: (await runtime.profiles.get(PROFILE)).label,
    }));
    expect(left).toEqual({ flow: null, profile: 'HD 25p house' });
  });

  it('tables and db check count the rows of the tables 8.2 data is in', async () => {
    const rowsOf = (out: string) => {
      const doc = JSON.parse(out) as
        | { table: string; rows: number }[]
        | { tables: { table: string; rows: number }[] };
      const list = Array.isArray(doc) ? doc : doc.tables;
      return Object.fromEntries(list.map((t) => [t.table, t.rows]));
    };
    for (const command of [['tables'], ['db', 'check']]) {
      const run = await mgmt(env, ...command, '--json');
      expect(run.code, run.err).toBe(0);
      // One Profile, two webhooks; EIGHT's tags: a string, a list of two, an empty list.
      expect(rowsOf(run.out)).toMatchObject({ profiles: 1, webhooks: 2 });
      expect(rowsOf(run.out).flow_tags).toBeGreaterThanOrEqual(4);
    }
  });

  it('webhooks list shows the webhooks of both versions with id, payload version, status and tags', async () => {
    const table = await mgmt(env, 'webhooks', 'list');
    expect(table.code, table.err).toBe(0);
    const lines = table.out.trim().split('\n');
    expect(lines[0]).toMatch(/^ID +VERSION +STATUS +URL +EVENTS +OWNER +TAGS$/);
    expect(lines[1]).toMatch(
      / 8\.2 +disabled +http:\/\/127\.0\.0\.1:9\/eight +flows\/created +team=\["ops","news"\]$/,
    );
    expect(lines[2]).toMatch(/ 7\.0 +(created|started) +http:\/\/127\.0\.0\.1:9\/seven +flows\/updated *$/);
    const json = await mgmt(env, 'webhooks', 'list', '--json');
    expect(json.code, json.err).toBe(0);
    const docs = JSON.parse(json.out) as Record<string, unknown>[];
    expect(docs.map((d) => [d.url, d.api_version, d.status, d.tags])).toEqual([
      ['http://127.0.0.1:9/eight', '8.2', 'disabled', { team: ['ops', 'news'] }],
      ['http://127.0.0.1:9/seven', '7.0', expect.stringMatching(/^(created|started)$/), undefined],
    ]);
    expect(docs.every((d) => typeof d.id === 'string' && !('api_key_value' in d))).toBe(true);
  });
});
