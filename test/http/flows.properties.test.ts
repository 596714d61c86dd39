import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { steppingClock } from '../helpers/clock.ts';
import { startServer, type TestServer } from '../helpers/server.ts';
import { assertSpecValid } from '../helpers/spec-schemas.ts';
import {
  audioFlow,
  createFlow,
  type Doc,
  expectError,
  expectGetError,
  getAndHead,
  getFlow,
  multiFlow,
  putValue,
  uuid,
  videoFlow,
} from './fixtures.ts';

let server: TestServer;
/** Moved on between a read and a change, so the change's new time is a later one. */
const clock = steppingClock();
beforeAll(async () => {
  server = await startServer({ clock });
});
afterAll(async () => {
  await server.close();
});

const FORBIDDEN = 'Forbidden. You do not have permission to modify this flow. It may be marked read-only.';
const MISSING = 'The requested flow does not exist.';
const INVALID_ID = 'The requested flow ID in the path is invalid.';

async function newFlow(overrides: Doc = {}): Promise<Doc> {
  return createFlow(server, videoFlow(overrides));
}

/** Runs `change`, then checks the Flow's version and metadata_updated moved on and `created` stayed. */
async function expectMetadataChange(id: string, change: () => Promise<void>): Promise<Doc> {
  const before = await getFlow(server, id);
  clock.advance();
  await change();
  const after = await getFlow(server, id);
  expect(after.metadata_version).not.toBe(before.metadata_version);
  expect(Date.parse(after.metadata_updated as string)).toBeGreaterThan(
    Date.parse(before.metadata_updated as string),
  );
  expect(after.created).toBe(before.created);
  return after;
}

describe('/flows/{flowId}/tags', () => {
  it('GET/HEAD: {} for a Flow without tags, the tags otherwise', async () => {
    const bare = await newFlow();
    const empty = await getAndHead<Doc>(server, `/flows/${bare.id}/tags`);
    expect(empty.status).toBe(200);
    assertSpecValid('tags.json', empty.body);
    expect(empty.body).toEqual({});
    const tagged = await newFlow({ tags: { b: '2', a: '1', 'with space': '' } });
    const res = await getAndHead<Doc>(server, `/flows/${tagged.id}/tags`);
    assertSpecValid('tags.json', res.body);
    expect(res.body).toEqual({ a: '1', b: '2', 'with space': '' });
  });

  it('GET/HEAD 404 for an unknown Flow', async () => {
    await expectGetError(server, `/flows/${uuid()}/tags`, 404, MISSING);
  });
});

describe('/flows/{flowId}/tags/{name}', () => {
  it('PUT 204 creates and updates, GET/HEAD the bare string, DELETE 204', async () => {
    const flow = await newFlow();
    const id = flow.id as string;
    const afterPut = await expectMetadataChange(id, async () => {
      const res = await putValue(server, `/flows/${id}/tags/colour`, 'red');
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    });
    expect(afterPut.tags).toEqual({ colour: 'red' });
    const got = await getAndHead<string>(server, `/flows/${id}/tags/colour`);
    expect(got.status).toBe(200);
    expect(got.text).toBe('"red"');
    await expectMetadataChange(id, async () => {
      expect((await putValue(server, `/flows/${id}/tags/colour`, 'blue')).status).toBe(204);
    });
    expect((await server.get(`/flows/${id}/tags/colour`)).body).toBe('blue');
    const afterDelete = await expectMetadataChange(id, async () => {
      const res = await server.delete(`/flows/${id}/tags/colour`);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    });
    expect(afterDelete.tags).toBeUndefined();
    await expectGetError(
      server,
      `/flows/${id}/tags/colour`,
      404,
      'The requested flow or tag does not exist.',
    );
  });

  it('handles tag names with escaped characters in the path', async () => {
    const flow = await newFlow();
    const name = 'a/b c?d#e%f';
    const path = `/flows/${flow.id}/tags/${encodeURIComponent(name)}`;
    expect((await putValue(server, path, 'v')).status).toBe(204);
    expect((await server.get(`/flows/${flow.id}/tags`)).body).toEqual({ [name]: 'v' });
    expect((await getAndHead(server, path)).body).toBe('v');
    expect((await server.delete(path)).status).toBe(204);
    expect((await server.get(`/flows/${flow.id}/tags`)).body).toEqual({});
  });

  it('404 for an unknown tag (GET, HEAD, DELETE) or an unknown Flow', async () => {
    const flow = await newFlow({ tags: { a: 'b' } });
    await expectGetError(
      server,
      `/flows/${flow.id}/tags/nope`,
      404,
      'The requested flow or tag does not exist.',
    );
    expectError(await server.delete(`/flows/${flow.id}/tags/nope`), 404, INVALID_ID);
    const missing = uuid();
    await expectGetError(
      server,
      `/flows/${missing}/tags/a`,
      404,
      'The requested flow or tag does not exist.',
    );
    expectError(await putValue(server, `/flows/${missing}/tags/a`, 'v'), 404, MISSING);
    expectError(await server.delete(`/flows/${missing}/tags/a`), 404, INVALID_ID);
  });

  it('400 for a tag value that is not a string', async () => {
    const flow = await newFlow();
    for (const value of [1, true, null, ['a'], { a: 'b' }]) {
      expectError(
        await putValue(server, `/flows/${flow.id}/tags/t`, value),
        400,
        'Bad request. Invalid flow tag value.',
      );
    }
    expectError(await server.put(`/flows/${flow.id}/tags/t`, 'unquoted'), 400);
    expect(await getFlow(server, flow.id as string)).toEqual(flow);
  });
});

const optionalStrings = [
  {
    key: 'label',
    unset: 'The requested Flow does not exist, or does not have a label set.',
    invalid: 'Bad request. Invalid Flow label.',
    putMissing: 'The requested Flow does not exist.',
    deleteMissing: 'The requested Flow ID in the path is invalid.',
  },
  {
    key: 'description',
    unset: MISSING,
    invalid: 'Bad request. Invalid flow description.',
    putMissing: MISSING,
    deleteMissing: INVALID_ID,
  },
] as const;

for (const p of optionalStrings) {
  describe(`/flows/{flowId}/${p.key}`, () => {
    it('GET/HEAD 404 when unset; PUT 204; GET/HEAD the bare string; DELETE 204; 404 again', async () => {
      const flow = await newFlow();
      const id = flow.id as string;
      const path = `/flows/${id}/${p.key}`;
      await expectGetError(server, path, 404, p.unset);
      const afterPut = await expectMetadataChange(id, async () => {
        const res = await putValue(server, path, `the ${p.key}`);
        expect(res.status).toBe(204);
        expect(res.text).toBe('');
      });
      expect(afterPut[p.key]).toBe(`the ${p.key}`);
      const got = await getAndHead<string>(server, path);
      expect(got.status).toBe(200);
      expect(got.text).toBe(JSON.stringify(`the ${p.key}`));
      await putValue(server, path, '');
      expect((await server.get(path)).body).toBe('');
      const afterDelete = await expectMetadataChange(id, async () => {
        expect((await server.delete(path)).status).toBe(204);
      });
      expect(afterDelete[p.key]).toBeUndefined();
      await expectGetError(server, path, 404, p.unset);
    });

    it('400 for a non-string value; 404 for an unknown Flow', async () => {
      const flow = await newFlow({ [p.key]: 'kept' });
      for (const value of [5, false, null, { a: 1 }]) {
        expectError(await putValue(server, `/flows/${flow.id}/${p.key}`, value), 400, p.invalid);
      }
      expect((await server.get(`/flows/${flow.id}/${p.key}`)).body).toBe('kept');
      const missing = uuid();
      await expectGetError(server, `/flows/${missing}/${p.key}`, 404, p.unset);
      expectError(await putValue(server, `/flows/${missing}/${p.key}`, 'x'), 404, p.putMissing);
      expectError(await server.delete(`/flows/${missing}/${p.key}`), 404, p.deleteMissing);
    });
  });
}

describe('/flows/{flowId}/read_only', () => {
  it('GET/HEAD false by default; PUT true/false 204; GET reflects it', async () => {
    const flow = await newFlow();
    const id = flow.id as string;
    const path = `/flows/${id}/read_only`;
    const initial = await getAndHead<boolean>(server, path);
    expect(initial.status).toBe(200);
    expect(initial.text).toBe('false');
    const res = await putValue(server, path, true);
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await getAndHead<boolean>(server, path)).text).toBe('true');
    expect((await getFlow(server, id)).read_only).toBe(true);
    expect((await putValue(server, path, false)).status).toBe(204);
    expect((await server.get(path)).body).toBe(false);
  });

  it('PUT is never 403: a read-only Flow can be set read-only again and cleared', async () => {
    const flow = await newFlow({ read_only: true });
    const path = `/flows/${flow.id}/read_only`;
    expect((await putValue(server, path, true)).status).toBe(204);
    expect((await putValue(server, path, false)).status).toBe(204);
    expect((await server.get(path)).body).toBe(false);
    expect((await putValue(server, `/flows/${flow.id}/label`, 'writable again')).status).toBe(204);
  });

  it('400 "Value must be boolean" for anything else; 404 for an unknown Flow', async () => {
    const flow = await newFlow();
    for (const value of ['true', 1, 0, null, 'false']) {
      expectError(
        await putValue(server, `/flows/${flow.id}/read_only`, value),
        400,
        'Bad request. Invalid flow read_only value. Value must be boolean.',
      );
    }
    expect((await server.get(`/flows/${flow.id}/read_only`)).body).toBe(false);
    const missing = uuid();
    await expectGetError(server, `/flows/${missing}/read_only`, 404, MISSING);
    expectError(await putValue(server, `/flows/${missing}/read_only`, true), 404, MISSING);
  });
});

describe('/flows/{flowId}/flow_collection', () => {
  it('GET/HEAD [] when unset; PUT 204; GET/HEAD the collection; DELETE 204', async () => {
    const members = [await newFlow(), await createFlow(server, audioFlow())];
    const collector = await createFlow(server, multiFlow());
    const id = collector.id as string;
    const path = `/flows/${id}/flow_collection`;
    const empty = await getAndHead<Doc[]>(server, path);
    expect(empty.status).toBe(200);
    assertSpecValid('flow-collection.json', empty.body);
    expect(empty.body).toEqual([]);
    const collection = [
      { id: members[0]?.id, role: 'video' },
      {
        id: members[1]?.id,
        role: 'audio',
        container_mapping: { track_index: 1, mp2ts_container: { pid: 257 } },
      },
    ];
    const afterPut = await expectMetadataChange(id, async () => {
      const res = await server.put(path, collection);
      expect(res.status).toBe(204);
      expect(res.text).toBe('');
    });
    expect(afterPut.flow_collection).toEqual(collection);
    const got = await getAndHead<Doc[]>(server, path);
    assertSpecValid('flow-collection.json', got.body);
    expect(got.body).toEqual(collection);
    const afterDelete = await expectMetadataChange(id, async () => {
      expect((await server.delete(path)).status).toBe(204);
    });
    expect(afterDelete.flow_collection).toBeUndefined();
    expect((await server.get(path)).body).toEqual([]);
  });

  it('400 for an invalid collection; 404 for an unknown Flow', async () => {
    const member = await newFlow();
    const collector = await createFlow(server, multiFlow());
    const path = `/flows/${collector.id}/flow_collection`;
    for (const body of [
      [{ id: member.id }],
      [{ role: 'video' }],
      [{ id: 'not-a-uuid', role: 'video' }],
      [{ id: member.id, role: 5 }],
      { id: member.id, role: 'video' },
      'video',
      [{ id: uuid(), role: 'unknown member' }],
      [{ id: member.id, role: 'video', container_mapping: { track_index: -1 } }],
    ]) {
      expectError(await server.put(path, body), 400, 'Bad request. Invalid flow collection.');
    }
    expect((await server.get(path)).body).toEqual([]);
    const missing = uuid();
    await expectGetError(server, `/flows/${missing}/flow_collection`, 404, MISSING);
    expectError(
      await server.put(`/flows/${missing}/flow_collection`, [{ id: member.id, role: 'v' }]),
      404,
      MISSING,
    );
    expectError(await server.delete(`/flows/${missing}/flow_collection`), 404, INVALID_ID);
  });
});

for (const [key, short] of [
  ['max_bit_rate', 'max'],
  ['avg_bit_rate', 'avg'],
] as const) {
  describe(`/flows/{flowId}/${key}`, () => {
    it('GET/HEAD 404 when unset; PUT 204; GET/HEAD the bare integer; DELETE 204', async () => {
      const flow = await newFlow();
      const id = flow.id as string;
      const path = `/flows/${id}/${key}`;
      await expectGetError(server, path, 404, MISSING);
      const afterPut = await expectMetadataChange(id, async () => {
        const res = await putValue(server, path, 5000);
        expect(res.status).toBe(204);
        expect(res.text).toBe('');
      });
      expect(afterPut[key]).toBe(5000);
      const got = await getAndHead<number>(server, path);
      expect(got.status).toBe(200);
      expect(got.text).toBe('5000');
      expect((await putValue(server, path, 0)).status).toBe(204);
      expect((await server.get(path)).body).toBe(0);
      const afterDelete = await expectMetadataChange(id, async () => {
        expect((await server.delete(path)).status).toBe(204);
      });
      expect(afterDelete[key]).toBeUndefined();
      await expectGetError(server, path, 404, MISSING);
    });

    it('400 for anything but a non-negative integer; 404 for an unknown Flow', async () => {
      const flow = await newFlow({ [key]: 100 });
      for (const value of [-1, 1.5, '5000', null, true]) {
        expectError(
          await putValue(server, `/flows/${flow.id}/${key}`, value),
          400,
          `Bad request. Invalid flow ${short} bit rate.`,
        );
      }
      expect((await server.get(`/flows/${flow.id}/${key}`)).body).toBe(100);
      const missing = uuid();
      await expectGetError(server, `/flows/${missing}/${key}`, 404, MISSING);
      expectError(await putValue(server, `/flows/${missing}/${key}`, 1), 404, MISSING);
      expectError(await server.delete(`/flows/${missing}/${key}`), 404, INVALID_ID);
    });
  });
}

describe('read-only Flows refuse every metadata write with 403', () => {
  it('PUT and DELETE of tags, label, description, flow_collection and bit rates; PUT and DELETE of the Flow', async () => {
    const member = await newFlow();
    const flow = await createFlow(
      server,
      multiFlow({
        read_only: true,
        label: 'L',
        description: 'D',
        tags: { a: 'b' },
        max_bit_rate: 10,
        avg_bit_rate: 5,
        flow_collection: [{ id: member.id, role: 'video' }],
      }),
    );
    const id = flow.id as string;
    const base = `/flows/${id}`;
    const writes: [string, string, unknown][] = [
      ['PUT', `${base}/tags/a`, 'c'],
      ['PUT', `${base}/tags/new`, 'c'],
      ['DELETE', `${base}/tags/a`, undefined],
      ['PUT', `${base}/label`, 'M'],
      ['DELETE', `${base}/label`, undefined],
      ['PUT', `${base}/description`, 'E'],
      ['DELETE', `${base}/description`, undefined],
      ['PUT', `${base}/flow_collection`, []],
      ['DELETE', `${base}/flow_collection`, undefined],
      ['PUT', `${base}/max_bit_rate`, 20],
      ['DELETE', `${base}/max_bit_rate`, undefined],
      ['PUT', `${base}/avg_bit_rate`, 20],
      ['DELETE', `${base}/avg_bit_rate`, undefined],
      ['PUT', base, { ...flow, label: 'changed' }],
      ['DELETE', base, undefined],
    ];
    for (const [method, path, value] of writes) {
      const res = await server.request(
        method,
        path,
        value === undefined ? {} : { body: JSON.stringify(value) },
      );
      expect({ method, path, status: res.status }).toEqual({ method, path, status: 403 });
      expectError(res, 403, FORBIDDEN);
    }
    // Reads still work, and nothing changed.
    expect(await getFlow(server, id)).toEqual(flow);
    expect((await getAndHead(server, `${base}/label`)).body).toBe('L');
    expect((await getAndHead(server, `${base}/tags`)).body).toEqual({ a: 'b' });
    expect((await getAndHead(server, `${base}/max_bit_rate`)).body).toBe(10);
    expect((await getAndHead(server, `${base}/read_only`)).body).toBe(true);
    expect((await getFlow(server, member.id as string)).collected_by).toEqual([id]);
  });

  it('a Flow made read-only through /read_only is protected too', async () => {
    const flow = await newFlow();
    await putValue(server, `/flows/${flow.id}/read_only`, true);
    expectError(await putValue(server, `/flows/${flow.id}/label`, 'x'), 403, FORBIDDEN);
    expectError(await server.delete(`/flows/${flow.id}`), 403, FORBIDDEN);
    await putValue(server, `/flows/${flow.id}/read_only`, false);
    expect((await putValue(server, `/flows/${flow.id}/label`, 'x')).status).toBe(204);
  });
});
